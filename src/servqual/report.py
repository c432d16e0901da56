"""The standard analysis of a SERVQUAL survey as one self-contained HTML report.

:func:`survey_report` runs, on a user's own survey: validation, reliability,
the gap profile, key drivers of satisfaction with bootstrap CIs, the RATER
structural model with fit indices, importance–performance analysis, and
NPS/CSAT.  Each section is computed by the package's public functions; a
section whose inputs are absent (e.g. no likelihood-to-recommend column) says
so instead of disappearing.  ``servqual report SURVEY.csv --out DIR`` writes
``DIR/report.html`` with the figures embedded, refusing a non-empty ``DIR``
unless ``--force``.
"""

from __future__ import annotations

import base64
import html
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ._options import DEFAULT_N_BOOT, check_n_boot, renamed
from ._result import Result, records_provenance, resultclass
from .errors import ServqualWarning
from .figures._registry import style_context
from .instrument import Instrument

__all__ = ["Section", "SurveyReport", "survey_report", "SECTIONS"]

#: Section ids, in report order.
SECTIONS = (
    "validation",
    "reliability",
    "gap-profile",
    "key-drivers",
    "sem",
    "ipa",
    "nps-csat",
)


@dataclass(frozen=True)
class Section:
    """One report section: id, title, HTML body and notes (warnings, skips)."""

    id: str
    title: str
    body: str
    notes: tuple[str, ...] = ()


@resultclass
class SurveyReport(Result):
    """The computed report; :meth:`to_html` renders it, :meth:`write` saves it."""

    title: str
    sections: tuple[Section, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per section: ``id``, ``title``, ``notes`` (count)."""
        return pd.DataFrame(
            [{"id": s.id, "title": s.title, "notes": len(s.notes)} for s in self.sections]
        )

    def to_html(self) -> str:
        """A self-contained HTML document (figures embedded as PNG data URIs)."""
        toc = "".join(
            f"<li><a href='#{s.id}'>{html.escape(s.title)}</a></li>" for s in self.sections
        )
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1><nav><ol>{toc}</ol></nav>",
        ]
        for s in self.sections:
            notes = "".join(f"<li>{html.escape(n)}</li>" for n in s.notes)
            parts.append(
                f"<section id='{s.id}'><h2>{html.escape(s.title)}</h2>{s.body}"
                + (f"<ul class='notes'>{notes}</ul>" if notes else "")
                + "</section>"
            )
        parts.append("</body></html>")
        return "\n".join(parts)

    def write(self, outdir: str | Path, *, force: bool = False) -> Path:
        """Write ``outdir/report.html``; a non-empty ``outdir`` needs ``force=True``."""
        outdir = Path(outdir)
        if outdir.exists() and any(outdir.iterdir()) and not force:
            raise FileExistsError(
                f"{outdir} is not empty; refusing to write the report there (use force=True / "
                "--force)."
            )
        outdir.mkdir(parents=True, exist_ok=True)
        path = outdir / "report.html"
        path.write_text(self.to_html(), encoding="utf-8")
        return path


_CSS = (
    "body{font-family:DejaVu Sans,Arial,sans-serif;max-width:60rem;margin:2rem auto;"
    "line-height:1.4;color:#222}table{border-collapse:collapse;font-size:.85rem}"
    "td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}"
    "th{background:#f3f3f3}.notes{color:#8a4b00}img{max-width:100%}"
)


def _table(df: pd.DataFrame, digits: int = 3) -> str:
    return df.to_html(float_format=lambda v: f"{v:.{digits}f}", border=0, na_rep="")


def _figure(draw, figsize=(6.4, 4.0)) -> str:
    with style_context():
        fig = Figure(figsize=figsize)
        draw(fig.add_subplot())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f"<img alt='figure' src='data:image/png;base64,{data}'>"


def _caught(fn):
    """Run ``fn`` and return (value, warning messages)."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        value = fn()
    return value, tuple(
        str(w.message) for w in rec if issubclass(w.category, (ServqualWarning, UserWarning))
    )


def _present(data: pd.DataFrame, cols: Sequence[str]) -> list[str]:
    return [c for c in cols if c not in data.columns]


@renamed(bootstrap="n_boot")
@records_provenance
def survey_report(
    data: pd.DataFrame,
    instrument: Instrument,
    *,
    satisfaction: Sequence[str] = ("SAT1", "SAT2", "SAT3"),
    loyalty: Sequence[str] = ("LOY1", "LOY2", "LTR"),
    recommend: str | None = "LTR",
    csat_item: str | None = None,
    missing: str = "listwise",
    n_boot: int = DEFAULT_N_BOOT,
    seed=0,
    title: str = "SERVQUAL survey report",
) -> SurveyReport:
    """Run the standard analysis and return a :class:`SurveyReport`.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the instrument's P (and E) items.
    instrument : Instrument
        A paired P/E instrument (e.g. ``Instrument.servqual22()``); a
        perceptions-only survey is analysed SERVPERF-style (no gap profile).
    satisfaction, loyalty : item columns of the outcomes (on the instrument's
        scale, except a 0-10 recommend item among the loyalty items).
    recommend : 0-10 likelihood-to-recommend column for NPS (``None`` to skip).
    csat_item : satisfaction item for CSAT top-2-box (default: the first
        satisfaction item present; ``""`` to skip).
    missing : validation policy (see :func:`servqual.validate`).
    n_boot : replicates for the key-driver intervals (0: none; otherwise at
        least 40; ``bootstrap=`` is its old name).
    seed : seed of the bootstrap.

    Examples
    --------
    >>> from servqual import Instrument, load_dataset
    >>> rep = survey_report(load_dataset("servqual_sim").head(400), Instrument.servqual22(),
    ...                     n_boot=40)  # doctest: +SKIP
    >>> [s.id for s in rep.sections]  # doctest: +SKIP
    ['validation', 'reliability', 'gap-profile', 'key-drivers', 'sem', 'ipa', 'nps-csat']
    """
    from .validation import validate

    n_boot = check_n_boot(n_boot)
    if not isinstance(instrument, Instrument):
        raise TypeError(
            f"instrument must be a servqual.Instrument, got {type(instrument).__name__}."
        )
    paired = instrument.is_paired and not _present(data, instrument.columns("E"))
    kind = "P" if instrument.prefixes else None
    kinds = (("P", "E") if paired else ("P",)) if instrument.prefixes else None
    sat = [c for c in satisfaction if c in data.columns]
    if csat_item is None:
        csat_item = sat[0] if sat else None
    extra = sat + [c for c in loyalty if c in data.columns and c != recommend]
    (clean, vrep), notes = _caught(
        lambda: validate(data, instrument, missing, kinds=kinds, extra_columns=extra)
    )
    sections = [Section("validation", "Validation", vrep.summary()._repr_html_(), notes)]
    sections.append(_reliability(clean, instrument, kind))
    sections.append(_gap_profile(clean, instrument, paired))
    comp = _composites(clean, instrument, kind, sat)
    sections.append(_drivers(comp, list(instrument.dimensions), sat, n_boot, seed))
    sections.append(_sem(clean, instrument, sat, [c for c in loyalty if c in clean.columns], kind))
    sections.append(_ipa(comp, list(instrument.dimensions), sat, instrument))
    sections.append(_nps_csat(clean, recommend, csat_item, instrument))
    return SurveyReport(title, tuple(sections))


def _composites(clean, instrument, kind, sat):
    from .scores import composites

    comp = composites(clean, instrument, kind)
    if sat:
        comp["satisfaction"] = clean[sat].mean(axis=1)
    return comp


def _reliability(clean, instrument, kind) -> Section:
    from .measurement import reliability

    res, notes = _caught(lambda: reliability(clean, instrument, kind=kind or "P"))
    body = res.summary()._repr_html_()
    return Section("reliability", "Reliability and validity", body, notes)


def _gap_profile(clean, instrument, paired) -> Section:
    from .figures.profile import plot_gap_profile
    from .scores import gap_profile

    if not paired:
        return Section(
            "gap-profile", "Gap profile (P − E)", "<p>Not computed.</p>",
            ("no expectation (E) items: the survey is perceptions-only (SERVPERF).",),
        )  # fmt: skip
    prof = gap_profile(clean, instrument)
    cols = ["n", "P", "E", "gap", "gap_ci_lower", "gap_ci_upper"]
    body = _table(prof[cols]) + _figure(lambda ax: plot_gap_profile(clean, instrument, ax=ax))
    return Section("gap-profile", "Gap profile (P − E)", body)


def _skip(sid: str, title: str, why: str) -> Section:
    return Section(sid, title, "<p>Not computed.</p>", (why,))


def _drivers(comp, dims, sat, n_boot, seed) -> Section:
    from .drivers import key_drivers

    title = "Key drivers of satisfaction"
    if not sat:
        return _skip("key-drivers", title, "no satisfaction items found in the data.")
    res, notes = _caught(
        lambda: key_drivers(
            comp, "satisfaction", dims, n_boot=n_boot, seed=seed, progress=False
        )  # fmt: skip
    )
    cols = [c for c in ("method", "driver", "importance", "share", "ci_lower", "ci_upper",
                        "p_first") if c in res.table.columns]  # fmt: skip
    body = f"<p>R² = {res.r2:.3f}, n = {res.n}, {n_boot} bootstrap replicates.</p>"
    body += _table(res.table[cols].set_index(["method", "driver"]))
    return Section("key-drivers", title, body, notes + tuple(res.warnings))


def _sem(clean, instrument, sat, loy, kind) -> Section:
    from . import sem

    title = "Structural model: RATER → satisfaction → loyalty"
    if len(sat) < 2 or len(loy) < 2:
        return _skip("sem", title, "needs at least two satisfaction and two loyalty items.")
    model = sem.rater_model(instrument, items={"satisfaction": sat, "loyalty": loy})
    res, notes = _caught(lambda: sem.fit(model, clean, progress=False))
    fi = pd.Series(res.fit_indices, dtype=float).rename("value").to_frame()
    p = res.params
    paths = p[p["op"] == "~"][["lhs", "op", "rhs", "est", "se", "pvalue", "std_all"]]
    body = f"<pre>{html.escape(model)}</pre><h3>Fit indices</h3>" + _table(fi)
    body += "<h3>Structural paths</h3>" + _table(paths.set_index(["lhs", "op", "rhs"]))
    return Section("sem", title, body, notes + tuple(res.warnings))


def _ipa(comp, dims, sat, instrument) -> Section:
    from .ipa import ipa, ipa_plot

    title = "Importance–performance analysis"
    if not sat:
        return _skip("ipa", title, "no satisfaction items found in the data.")
    res, notes = _caught(lambda: ipa(comp, dims, outcome="satisfaction", scale=instrument.scale))
    body = _table(res.table) + _figure(lambda ax: ipa_plot(res, ax=ax))
    return Section("ipa", title, body, notes)


def _nps_csat(clean, recommend, csat_item, instrument) -> Section:
    from .metrics import csat, nps

    rows, notes = [], []
    if recommend is not None and recommend in clean.columns:
        r = nps(clean[recommend])
        rows.append({"metric": f"NPS ({recommend})", "value": r.nps, "se": r.se,
                     "ci_lower": r.ci_lower, "ci_upper": r.ci_upper})  # fmt: skip
    elif not recommend:
        notes.append("NPS skipped: no 0-10 recommend column was named.")
    else:
        notes.append(f"NPS skipped: the 0-10 recommend column {recommend!r} is not in the data.")
    if csat_item and csat_item in clean.columns:
        lo, hi = instrument.scale
        c = csat(clean[csat_item], scale=(int(lo), int(hi)))
        rows.append({"metric": f"CSAT top-2-box % ({csat_item})", "value": 100 * c.csat,
                     "se": float("nan"), "ci_lower": 100 * c.ci_lower,
                     "ci_upper": 100 * c.ci_upper})  # fmt: skip
    elif not csat_item:
        notes.append("CSAT skipped: no satisfaction item found or named.")
    else:
        notes.append(f"CSAT skipped: the satisfaction item {csat_item!r} is not in the data.")
    body = _table(pd.DataFrame(rows).set_index("metric"), 2) if rows else "<p>Not computed.</p>"
    return Section("nps-csat", "NPS and CSAT", body, tuple(notes))


def add_cli(subparsers) -> None:
    """Register ``servqual report``."""
    p = subparsers.add_parser("report", help="write the standard HTML report for a survey CSV")
    p.add_argument("survey", help="CSV file, one row per respondent")
    p.add_argument("--instrument", default="servqual22",
                   choices=("servqual22", "gap_customer"))  # fmt: skip
    p.add_argument("--out", required=True, help="output folder (must be empty unless --force)")
    p.add_argument("--force", action="store_true", help="write into a non-empty folder")
    p.add_argument("--satisfaction", default="SAT1,SAT2,SAT3", help="satisfaction item columns")
    p.add_argument("--loyalty", default="LOY1,LOY2,LTR", help="loyalty item columns")
    p.add_argument("--recommend", default="LTR", help="0-10 recommend column for NPS ('' skips)")
    p.add_argument("--csat", default=None, help="satisfaction item for CSAT (default: first)")
    p.add_argument("--missing", default="listwise",
                   choices=("report", "listwise", "available", "pairwise", "mean",
                            "raise"))  # fmt: skip
    p.add_argument("--n-boot", type=int, default=DEFAULT_N_BOOT, dest="n_boot",
                   help="key-driver bootstrap replicates (0: none, else >= 40)")  # fmt: skip
    p.add_argument("--bootstrap", type=int, default=None, dest="bootstrap",
                   help="deprecated name of --n-boot")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    import sys

    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        print(f"servqual: {out} is not empty; refusing to write there (use --force).",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        data = pd.read_csv(args.survey)
    except FileNotFoundError:
        print(f"servqual: no such file: {args.survey}", file=sys.stderr)
        return 2
    inst = getattr(Instrument, args.instrument)()
    n_boot = args.n_boot
    if args.bootstrap is not None:
        print("servqual: --bootstrap is renamed --n-boot; --bootstrap will be removed in the "
              "next release.", file=sys.stderr)  # fmt: skip
        n_boot = args.bootstrap
    try:
        rep = survey_report(
            data, inst, satisfaction=args.satisfaction.split(","),
            loyalty=args.loyalty.split(","), recommend=args.recommend or None,
            csat_item=args.csat,
            missing=args.missing, n_boot=n_boot, seed=args.seed,
        )  # fmt: skip
    except (ValueError, TypeError) as exc:
        print(f"servqual: invalid data in {args.survey}: {exc}", file=sys.stderr)
        return 2
    path = rep.write(out, force=True)
    print(f"wrote {path}")
    return 0
