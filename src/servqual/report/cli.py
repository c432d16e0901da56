"""``servqual report``: the report of a survey file, written to a folder."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from .._options import DEFAULT_N_BOOT
from ..errors import ServqualError
from ..instrument import Instrument
from .compute import survey_report
from .plan import ALIASES, POLICIES


def add_cli(subparsers) -> None:
    """Register ``servqual report``."""
    p = subparsers.add_parser("report", help="write the standard HTML report for a survey file")
    p.add_argument("survey", help="survey file (.csv, Qualtrics .csv, .xlsx, .sav, .dta)")
    p.add_argument("--codebook", default=None, help="YAML codebook (servqual init drafts one)")
    p.add_argument(
        "--sheet",
        default=None,
        help="worksheet of an .xlsx file: name or 0-based position (default: the first)",
    )
    p.add_argument("--instrument", default="servqual22",
                   choices=("servqual22", "gap_customer"),
                   help="built-in instrument, used when no --codebook is given")  # fmt: skip
    p.add_argument("--out", required=True, help="output folder (must be empty unless --force)")
    p.add_argument("--force", action="store_true", help="write into a non-empty folder")
    p.add_argument("--satisfaction", default=None, help="satisfaction item columns (a,b,c)")
    p.add_argument("--loyalty", default=None, help="loyalty item columns (a,b,c)")
    p.add_argument("--recommend", default=None, help="0-10 recommend column for NPS ('' skips)")
    p.add_argument("--csat", default=None, help="satisfaction item for CSAT (default: first)")
    p.add_argument("--weights", default=None, help="respondent-weight column")
    p.add_argument("--missing", default="listwise", choices=POLICIES + tuple(ALIASES),
                   help="missing-data policy (pairwise/report = available)")  # fmt: skip
    p.add_argument("--n-boot", type=int, default=DEFAULT_N_BOOT, dest="n_boot",
                   help="key-driver bootstrap replicates (0: none, else >= 40)")  # fmt: skip
    p.add_argument("--bootstrap", type=int, default=None, dest="bootstrap",
                   help="deprecated name of --n-boot")  # fmt: skip
    p.add_argument(
        "--margin",
        type=float,
        default=None,
        help="margin per customer per period: adds what a one-point gain is worth",
    )
    p.add_argument("--customers", type=float, default=None, help="customer base today")
    p.add_argument("--discount", type=float, default=None, help="discount rate per period")
    p.add_argument("--horizon", type=int, default=None, help="periods of the projection")
    p.add_argument("--date", default=None, help="report date YYYY-MM-DD (default today)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    from ..codebook import read_codebook
    from ..readers import read_frame

    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        print(f"servqual: {out} is not empty; refusing to write there (use --force).",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        data = read_frame(args.survey, sheet=args.sheet)
        if args.codebook:  # the report applies the codebook: N/A codes counted apart
            spec = read_codebook(args.codebook)
        else:
            spec = getattr(Instrument, args.instrument)()
    except ServqualError as exc:
        print(f"servqual: {exc}", file=sys.stderr)
        return 2

    n_boot = args.n_boot
    if args.bootstrap is not None:
        print("servqual: --bootstrap is renamed --n-boot; --bootstrap will be removed in the "
              "next release.", file=sys.stderr)  # fmt: skip
        n_boot = args.bootstrap

    def cols(v):
        return None if v is None else [c for c in v.split(",") if c]

    kw = {"satisfaction": cols(args.satisfaction), "loyalty": cols(args.loyalty)}
    if args.recommend is not None:
        kw["recommend"] = args.recommend or None
    econ = {k: v for k, v in (("margin", args.margin), ("initial_customers", args.customers),
                              ("discount", args.discount), ("horizon", args.horizon))
            if v is not None}  # fmt: skip
    try:
        rep = survey_report(
            data, spec, csat_item=args.csat, missing=args.missing, n_boot=n_boot,
            seed=args.seed, weights=args.weights, economics=econ or None, source=args.survey,
            date=args.date, **kw,
        )  # fmt: skip
    except (ValueError, TypeError) as exc:
        print(f"servqual: invalid data in {args.survey}: {exc}", file=sys.stderr)
        return 2
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        path = rep.write(out, force=True)
    for w in rec:
        print(f"servqual: note: {w.message}", file=sys.stderr)
    print(f"wrote {path}")
    return 0
