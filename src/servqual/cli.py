"""The ``servqual`` command line.

Subcommands: ``datasets``, ``simulate``, ``init``, ``validate``, ``figures`` and those
registered by analysis modules (e.g. ``claims``, ``report``) through an
``add_cli(subparsers)`` function listed in :data:`_PLUGINS`.
Exit codes: 0 success, 1 refused (e.g. would overwrite a file) or figures
differ, 2 invalid input data or arguments.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

from .errors import ServqualError

#: modules contributing subcommands via ``add_cli(subparsers)``
_PLUGINS = ("servqual.claims", "servqual.report", "servqual.paper")

_SHEET_HELP = "worksheet of an .xlsx file: name or 0-based position (default: the first)"

_INSTRUMENTS = ("servqual22", "ecsi_mobi", "gap_customer", "gap_manager", "gap_staff")


def _cmd_datasets(args) -> int:
    from .datasets import list_datasets, load_dataset

    for _, row in list_datasets().iterrows():
        shape = load_dataset(row["name"]).shape
        print(f"{row['name']:<22} {shape[0]:>6} x {shape[1]:<4} {row['description']}")
    return 0


def _cmd_simulate(args) -> int:
    from ._io import atomic_write, check_overwrite
    from .simulate import simulate_survey

    out = Path(args.output)
    check_overwrite(out, force=args.force)  # refuse before the work, not after
    df, _ = simulate_survey(args.n, seed=args.seed)
    with atomic_write(out, force=args.force) as fh:
        df.to_csv(fh, index=False)
    print(f"wrote {out} ({df.shape[0]} rows x {df.shape[1]} columns, seed {args.seed})")
    return 0


def _instrument(name: str):
    from .instrument import Instrument

    return getattr(Instrument, name)()


def _cmd_validate(args) -> int:
    from .codebook import read_codebook
    from .readers import read_frame
    from .validation import validate

    kinds = args.kinds.split(",") if args.kinds else None
    try:
        df = read_frame(args.survey, sheet=args.sheet)
        if args.codebook:  # validate applies the codebook and counts codes vs blanks
            spec = read_codebook(args.codebook)
        else:
            spec = _instrument(args.instrument)
    except ServqualError as exc:
        print(f"servqual: {exc}", file=sys.stderr)
        return 2
    from .validation import _POLICIES

    policy = {"report": "available", "pairwise": "available"}.get(args.missing, args.missing)
    policy = policy if policy in _POLICIES else "report"  # validate's older name
    try:
        _, report = validate(df, spec, policy, kinds=kinds)
    except (ServqualError, ValueError, TypeError) as exc:
        print(f"servqual: invalid data in {args.survey}: {exc}", file=sys.stderr)
        return 2
    print(report)
    return 0


def _cmd_init(args) -> int:
    from ._io import check_overwrite
    from .codebook import write_codebook
    from .errors import OverwriteError
    from .readers import read_survey

    try:
        check_overwrite(args.output, force=args.force)
    except OverwriteError as exc:
        print(f"servqual: {exc}", file=sys.stderr)
        return 1
    try:
        survey = read_survey(args.survey, sheet=args.sheet)
    except ServqualError as exc:
        print(f"servqual: {exc}", file=sys.stderr)
        return 2
    path = write_codebook(survey.codebook, args.output, force=args.force)
    cb = survey.codebook
    blocks = ", ".join(f"{d}({len(v)})" for d, v in cb.instrument.dimensions.items())
    print(f"wrote {path}: {len(cb.items)} items in blocks {blocks}; edit it, then run")
    print(f"  servqual validate {args.survey} --codebook {path}")
    return 0


def _cmd_figures(args) -> int:
    from .figures import build_all, registry
    from .figures._registry import FORMATS, sha256_file, write_manifest

    if args.list:
        for name, spec in registry().items():
            print(f"{name:<32} {spec.description}")
        return 0
    out = Path(args.out)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = build_all(tmp, only=args.only, progress=False if args.no_progress else "auto")
            differ = []
            for _name, path, digest in built:
                committed = out / path.name
                if not committed.exists() or sha256_file(committed) != digest:
                    differ.append(path.name)
        if differ:
            print("figures differing from a fresh build:", *differ, sep="\n  ")
            return 1
        print(f"all {len(built)} figure files in {out} match a fresh build")
        return 0
    from ._io import atomic_dir

    names = list(registry()) if not args.only else args.only
    targets = [out / f"{n}.{f}" for n in names for f in FORMATS]
    if not args.only:  # a full build also writes the manifest
        targets.append(out / "MANIFEST.json")
    clash = [p for p in targets if p.exists()]
    if clash and not args.force:
        print(
            f"servqual: {len(clash)} file(s) already exist in {out} (e.g. {clash[0]}); "
            "use --force to overwrite them.",
            file=sys.stderr,
        )
        return 1
    # build beside the target and move the finished files into place: an interrupted
    # build leaves the folder as it was
    with atomic_dir(out, force=True) as tmp:
        built = build_all(tmp, only=args.only, progress=False if args.no_progress else "auto")
        if not args.only:  # a full build records what made these bytes
            manifest = write_manifest(tmp, built)
    for name, path, digest in built:
        print(f"{name:<32} {out / path.name}  sha256:{digest}")
    if not args.only:
        print(f"manifest: {out / manifest.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="servqual",
        description="Service quality, satisfaction and loyalty modelling.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    s = sub.add_parser("datasets", help="list the packaged datasets")
    s.set_defaults(func=_cmd_datasets)
    s = sub.add_parser("simulate", help="write a simulated SERVQUAL survey to CSV")
    s.add_argument("--n", type=int, default=1000, help="respondents (default 1000)")
    s.add_argument("--seed", type=int, default=None, help="random seed")
    s.add_argument("-o", "--output", required=True, help="CSV file to write")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(func=_cmd_simulate)
    s = sub.add_parser("init", help="draft a YAML codebook from a survey file")
    s.add_argument("survey", help="survey file (.csv, Qualtrics .csv, .xlsx, .sav, .dta)")
    s.add_argument("-o", "--output", required=True, help="codebook file to write (.yml)")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.add_argument("--sheet", default=None, help=_SHEET_HELP)
    s.set_defaults(func=_cmd_init)
    s = sub.add_parser("validate", help="validate a survey file against a codebook/instrument")
    s.add_argument("survey", help="survey file (.csv, Qualtrics .csv, .xlsx, .sav, .dta)")
    s.add_argument("--sheet", default=None, help=_SHEET_HELP)
    s.add_argument("--codebook", default=None, help="YAML codebook (replaces --instrument)")
    s.add_argument("--instrument", default="servqual22", choices=_INSTRUMENTS)
    s.add_argument(
        "--missing",
        default="available",
        choices=("available", "listwise", "mean", "raise", "report", "pairwise"),
        help="missing-data policy (report/pairwise = available: keep and count)",
    )
    s.add_argument("--kinds", default=None, help="item kinds to check, e.g. P or P,E")
    s.set_defaults(func=_cmd_validate)
    s = sub.add_parser("figures", help="rebuild the registered report figures")
    s.add_argument("--out", default="paper/figures", help="output folder")
    s.add_argument("--only", nargs="+", default=None, metavar="NAME", help="build only these")
    s.add_argument("--check", action="store_true", help="compare --out with a fresh build")
    s.add_argument("--force", action="store_true", help="overwrite existing figure files")
    s.add_argument("--list", action="store_true", help="list registered figures")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_figures)
    for mod in _PLUGINS:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
            continue
        module.add_cli(sub)
    return p


def main(argv=None) -> int:
    """Entry point of the ``servqual`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    from ._io import Terminated, terminate_cleanly
    from .errors import OverwriteError

    try:
        with terminate_cleanly():
            return int(args.func(args) or 0)
    except OverwriteError as exc:
        print(f"servqual: {exc}", file=sys.stderr)
        return 1
    except ServqualError as exc:
        print(f"servqual: {exc}", file=sys.stderr)
        return 2
    except (Terminated, KeyboardInterrupt):
        print("servqual: interrupted; no partial output was left.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
