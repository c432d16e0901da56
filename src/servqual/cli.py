"""The ``servqual`` command line.

Subcommands: ``datasets``, ``simulate``, ``validate``, ``figures`` and those
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

_INSTRUMENTS = ("servqual22", "ecsi_mobi", "gap_customer", "gap_manager", "gap_staff")


def _cmd_datasets(args) -> int:
    from .datasets import list_datasets, load_dataset

    for _, row in list_datasets().iterrows():
        shape = load_dataset(row["name"]).shape
        print(f"{row['name']:<22} {shape[0]:>6} x {shape[1]:<4} {row['description']}")
    return 0


def _cmd_simulate(args) -> int:
    from .simulate import simulate_survey

    out = Path(args.output)
    if out.exists() and not args.force:
        print(f"servqual: {out} exists; refusing to overwrite it (use --force).", file=sys.stderr)
        return 1
    df, _ = simulate_survey(args.n, seed=args.seed)
    df.to_csv(out, index=False)
    print(f"wrote {out} ({df.shape[0]} rows x {df.shape[1]} columns, seed {args.seed})")
    return 0


def _instrument(name: str):
    from .instrument import Instrument

    return getattr(Instrument, name)()


def _cmd_validate(args) -> int:
    import pandas as pd

    from .validation import validate

    try:
        df = pd.read_csv(args.survey)
    except FileNotFoundError:
        print(f"servqual: no such file: {args.survey}", file=sys.stderr)
        return 2
    kinds = args.kinds.split(",") if args.kinds else None
    try:
        _, report = validate(df, _instrument(args.instrument), args.missing, kinds=kinds)
    except (ServqualError, ValueError, TypeError) as exc:
        print(f"servqual: invalid data in {args.survey}: {exc}", file=sys.stderr)
        return 2
    print(report)
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
    names = list(registry()) if not args.only else args.only
    clash = [out / f"{n}.{f}" for n in names for f in FORMATS if (out / f"{n}.{f}").exists()]
    if clash and not args.force:
        print(
            f"servqual: {len(clash)} figure file(s) already exist in {out} (e.g. {clash[0]}); "
            "use --force to overwrite them.",
            file=sys.stderr,
        )
        return 1
    built = build_all(out, only=args.only, progress=False if args.no_progress else "auto")
    for name, path, digest in built:
        print(f"{name:<32} {path}  sha256:{digest}")
    if not args.only:  # a full build records what made these bytes
        print(f"manifest: {write_manifest(out, built)}")
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
    s = sub.add_parser("validate", help="validate a survey CSV against an instrument")
    s.add_argument("survey", help="CSV file, one row per respondent")
    s.add_argument("--instrument", default="servqual22", choices=_INSTRUMENTS)
    s.add_argument(
        "--missing",
        default="report",
        choices=("report", "listwise", "available", "pairwise", "mean", "raise"),
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
    try:
        return int(args.func(args) or 0)
    except ServqualError as exc:
        print(f"servqual: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
