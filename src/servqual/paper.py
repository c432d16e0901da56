"""Generated includes for the paper: every number in ``paper/paper.md`` comes from here.

``servqual paper`` writes ``paper/generated/validation.md`` (published reference
numbers beside the package's recomputed values), ``performance.md`` (ratios read
from the JSON files the benchmark scripts write in ``benchmarks/results/``) and
``claims.md`` (the claims audit).  It writes only includes that are new or
whose text changed, and refuses to replace a changed one without ``--force``.
``servqual paper --check`` fails when a committed include differs from a fresh
generation; ``make paper`` inlines the includes and runs pandoc when it is
installed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "validation_table",
    "computed_table",
    "performance_table",
    "claims_table",
    "write_includes",
    "inline",
]

_INCLUDE = re.compile(r"^<!-- include: (?P<path>[^ ]+) -->$", re.M)


def _hs():
    from . import sem
    from .datasets import load_dataset

    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    return sem.fit(model, load_dataset("holzinger_swineford"), progress=False)


def _hs_rows() -> list[tuple]:
    res = _hs()
    fi = res.fit_indices
    p = res.params
    load = p[(p["op"] == "=~")].set_index("rhs")["est"]
    src = "lavaan 0.6 tutorial, Holzinger–Swineford CFA (ML, N = 301)"
    return [
        (src, "χ² (df 24)", 85.306, fi["chi2"], 3),
        (src, "CFI", 0.931, fi["cfi"], 3),
        (src, "TLI", 0.896, fi["tli"], 3),
        (src, "RMSEA", 0.092, fi["rmsea"], 3),
        (src, "RMSEA 90% CI upper", 0.114, fi["rmsea_ci_upper"], 3),
        (src, "SRMR", 0.065, fi["srmr"], 3),
        (src, "log-likelihood H0", -3737.745, fi["loglik"], 3),
        (src, "BIC", 7595.339, fi["bic"], 3),
        (src, "loading visual → x2", 0.554, load["x2"], 3),
        (src, "loading speed → x9", 1.082, load["x9"], 3),
    ]


def _invariance_rows() -> list[tuple]:
    from . import sem
    from .datasets import load_dataset

    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    inv = sem.invariance(model, load_dataset("holzinger_swineford"), group="school")
    src = "lavaan 0.6 tutorial, measurement invariance by school"
    return [
        (src, "configural χ² (df 48)", 115.851, inv.loc["configural", "chi2"], 3),
        (src, "metric χ² (df 54)", 124.044, inv.loc["metric", "chi2"], 3),
        (src, "scalar χ² (df 60)", 164.103, inv.loc["scalar", "chi2"], 3),
    ]


def _pls_rows() -> list[tuple]:
    from . import pls
    from .datasets import load_dataset

    model = (
        "Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5\n"
        "Expectation =~ CUEX1 + CUEX2 + CUEX3\n"
        "Value =~ PERV1 + PERV2\n"
        "Satisfaction =~ CUSA1 + CUSA2 + CUSA3\n"
        "Satisfaction ~ Image + Expectation + Value"
    )
    res = pls.fit(model, load_dataset("mobi"), progress=False)
    paths = res.paths.set_index(["source", "target"])["estimate"]
    r2 = res.r2
    rel = res.reliability
    src = "seminr 2.3 test fixtures, mobi (PLS, mode A, path weighting)"
    return [
        (src, "path Image → Satisfaction", 0.447004, paths[("Image", "Satisfaction")], 6),
        (src, "path Expectation → Satisfaction", 0.171830,
         paths[("Expectation", "Satisfaction")], 6),
        (src, "path Value → Satisfaction", 0.316425, paths[("Value", "Satisfaction")], 6),
        (src, "R² Satisfaction", 0.590603, _r2(r2, "Satisfaction"), 6),
        (src, "ρ_A Image", 0.7453, rel.loc["Image", "rho_a"], 4),
        (src, "HTMT Image–Satisfaction", 0.910, res.htmt.loc["Image", "Satisfaction"], 3),
    ]  # fmt: skip


def _r2(r2, construct: str) -> float:
    if isinstance(r2, pd.DataFrame):
        if "construct" in r2.columns:
            r2 = r2.set_index("construct")
        return float(r2.loc[construct, "r2"])
    return float(r2[construct])


def _sbg_rows() -> list[tuple]:
    from .retention import fit_sbg

    res = fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
    src = "Fader & Hardie (2007), sBG, 'regular' cohort"
    return [(src, "α", 0.704, res.alpha, 3), (src, "β", 1.182, res.beta, 3)]


def _nps_rows() -> list[tuple]:
    """Closed-form NPS values computed by hand (no published worked example is cited)."""
    from .metrics import nps

    # exactly p_P = 1/2 and p_D = 1/6 needs n divisible by 6: n = 600, SE rescaled to n = 100
    scores = [10] * 300 + [8] * 200 + [2] * 100
    res = nps(scores)
    se100 = res.se * np.sqrt(600 / 100)
    p_p, p_d, n = 1 / 2, 1 / 6, 100
    src = "NPS with p_P = 1/2, p_D = 1/6, n = 100"
    return [
        (src, "NPS = 100 (p_P − p_D)", 100 * (p_p - p_d), res.nps, 1),
        (
            src,
            "trinomial SE = 100 √((p_P + p_D − (p_P − p_D)²) / n) (points)",
            100 * np.sqrt((p_p + p_d - (p_p - p_d) ** 2) / n),
            se100,
            2,
        ),
    ]


SOURCES: dict[str, Callable[[], list[tuple]]] = {
    "lavaan": _hs_rows,
    "lavaan invariance": _invariance_rows,
    "seminr": _pls_rows,
    "Fader–Hardie": _sbg_rows,
}
#: references computed from a closed form (not published values): a separate table
COMPUTED: dict[str, Callable[[], list[tuple]]] = {"NPS": _nps_rows}


def validation_table() -> pd.DataFrame:
    """Published reference values beside the package's recomputed values.

    Examples
    --------
    >>> t = validation_table()  # doctest: +SKIP
    >>> row = t[t["quantity"] == "χ² (df 24)"]  # doctest: +SKIP
    >>> row[["published", "servqual"]].values.tolist()  # doctest: +SKIP
    [['85.306', '85.306']]
    """
    return _reference_table(SOURCES, "published")


def computed_table() -> pd.DataFrame:
    """Closed-form values computed by hand beside the package's values.

    These are not published numbers: the reference column is the formula
    evaluated directly (see :data:`COMPUTED`).

    Examples
    --------
    >>> computed_table()[["closed form", "servqual", "agrees"]].values.tolist()
    [['33.3', '33.3', 'yes'], ['7.45', '7.45', 'yes']]
    """
    return _reference_table(COMPUTED, "closed form")


def _reference_table(sources, label: str) -> pd.DataFrame:
    rows = []
    for fn in sources.values():
        for source, quantity, reference, ours, digits in fn():
            ours = float(ours)
            rows.append(
                {
                    "source": source,
                    "quantity": quantity,
                    label: f"{reference:.{digits}f}",
                    "servqual": f"{ours:.{digits}f}",
                    "agrees": "yes" if round(ours, digits) == round(reference, digits) else "no",
                }
            )
    return pd.DataFrame(rows)


def performance_table(results_dir: str | Path) -> pd.DataFrame:
    """One row per benchmark JSON in ``results_dir``.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (pathlib.Path(tmp) / "x.json").write_text(json.dumps({"benchmark": "x",
    ...         "servqual_seconds": 0.5, "baseline_seconds": 50.0, "ratio": 100.0}))
    ...     performance_table(tmp)["ratio"].tolist()
    ['100×']
    """
    rows = []
    for path in sorted(Path(results_dir).glob("*.json")):
        r = json.loads(path.read_text())
        if "servqual_seconds" not in r:  # not a timing (e.g. memory.json: peak memory)
            continue
        rows.append(
            {
                "benchmark": r["benchmark"],
                "task": r.get("task", ""),
                "servqual (s)": f"{r['servqual_seconds']:.3g}",
                "baseline": r.get("baseline", ""),
                "baseline (s)": f"{r['baseline_seconds']:.3g}",
                "ratio": f"{r['ratio']:.0f}×",
            }
        )
    return pd.DataFrame(rows)


def claims_table() -> pd.DataFrame:
    """The claims audit, short columns for the paper.

    Examples
    --------
    >>> list(claims_table().columns)
    ['claim', 'origin', 'reproduced', 'verdict']
    """
    from .claims import audit

    a = audit()
    cols = [c for c in ("claim", "origin", "reproduced", "verdict") if c in a.columns]
    return a[cols]


def _markdown(df: pd.DataFrame) -> str:
    def cell(v) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(map(cell, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body]) + "\n"


def render_includes(root: str | Path) -> dict[str, str]:
    """File name -> Markdown text of every include."""
    root = Path(root)
    return {
        "validation.md": _markdown(validation_table()),
        "computed.md": _markdown(computed_table()),
        "performance.md": _markdown(performance_table(root / "benchmarks" / "results")),
        "claims.md": _markdown(claims_table()),
    }


def write_includes(root: str | Path = ".", *, check: bool = False,
                   force: bool = False) -> list[str]:  # fmt: skip
    """Write (or with ``check=True`` compare) ``paper/generated/*.md``.

    Returns the names written (new or changed; an include whose text is
    already current is left untouched), or with ``check`` the names that
    differ.  An existing include whose text would change is not replaced
    unless ``force=True``: :class:`~servqual.errors.OverwriteError` names every
    such file, and nothing is written.

    Examples
    --------
    >>> write_includes(".", check=True)  # doctest: +SKIP
    []
    """
    root = Path(root)
    outdir = root / "paper" / "generated"
    texts = render_includes(root)
    changed = [
        n for n, t in texts.items()
        if not (outdir / n).exists() or (outdir / n).read_text(encoding="utf-8") != t
    ]  # fmt: skip
    if check:
        return changed
    from ._io import write_text
    from .errors import OverwriteError

    differing = [outdir / n for n in changed if (outdir / n).exists()]
    if differing and not force:  # refuse before writing any of them
        names = ", ".join(str(p) for p in differing)
        raise OverwriteError(
            f"{names} exist{'s' if len(differing) == 1 else ''} with different content; "
            "refusing to overwrite (use --force / force=True to regenerate them)."
        )
    for name in changed:  # generated files, replaced atomically
        write_text(outdir / name, texts[name], force=True)
    return changed


def inline(paper: str | Path) -> str:
    """``paper.md`` with every ``<!-- include: PATH -->`` replaced by the file's text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     d = pathlib.Path(tmp)
    ...     _ = (d / "t.md").write_text("| a |")
    ...     _ = (d / "paper.md").write_text("<!-- include: t.md -->")
    ...     inline(d / "paper.md")
    '| a |'
    """
    paper = Path(paper)
    text = paper.read_text(encoding="utf-8")
    return _INCLUDE.sub(
        lambda m: (paper.parent / m["path"]).read_text(encoding="utf-8").rstrip("\n"), text
    )


def add_cli(subparsers) -> None:
    """Register ``servqual paper``."""
    p = subparsers.add_parser("paper", help="regenerate the paper's generated includes")
    p.add_argument("--root", default=".", help="repository root (default: .)")
    p.add_argument("--check", action="store_true", help="fail if committed includes are stale")
    p.add_argument("--inline", metavar="OUT", help="write paper.md with includes inlined to OUT")
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite generated includes that differ and an existing --inline file",
    )
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    from ._io import check_overwrite, write_text

    if args.check:
        stale = write_includes(args.root, check=True)
        if stale:
            print("stale paper includes (run `servqual paper`):", *stale, sep="\n  ")
            return 1
        print("paper includes are up to date")
        return 0
    if args.inline:  # refuse before regenerating anything
        check_overwrite(args.inline, force=args.force)
    written = write_includes(args.root, force=args.force)
    for name in written:
        print(Path(args.root) / "paper" / "generated" / name)
    if not written:
        print("paper includes are up to date (nothing written)")
    if args.inline:
        write_text(args.inline, inline(Path(args.root) / "paper" / "paper.md"), force=args.force)
        print(args.inline)
    return 0
