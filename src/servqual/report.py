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

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._checks import Options, check_data, check_params
from ._options import DEFAULT_N_BOOT, check_n_boot, renamed
from ._result import Result, records_provenance, resultclass
from .codebook import Codebook
from .errors import ParameterError, ServqualError, ServqualWarning
from .figures._registry import style_context
from .instrument import RATER, Instrument

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
        from ._io import atomic_dir, write_text

        outdir = Path(outdir)
        html_text = self.to_html()
        # the folder (or, with force, the file) appears complete or not at all
        with atomic_dir(outdir, force=force) as tmp:
            write_text(tmp / "report.html", html_text)
        return outdir / "report.html"


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


_DEFAULT = object()
#: report ``missing`` policies (``_options`` vocabulary) and old names still accepted
POLICIES = ("listwise", "available", "mean", "raise")
_ALIASES = {"pairwise": "available", "report": "available"}


@dataclass(frozen=True)
class _Plan:
    """What the report analyses, resolved from a codebook or the arguments."""

    instrument: Instrument
    codebook: Codebook | None
    sat: list
    loy: list
    recommend: str | None
    csat_item: str | None
    kind: str | None
    paired: bool
    policy: str

    def label(self, column: str) -> str:
        if self.codebook is not None:
            return self.codebook.label(column)
        return column

    def scale_of(self, column: str):
        if self.codebook is not None:
            return self.codebook.scale_of(column)
        return self.instrument.scale

    def role_hint(self, role: str) -> str:
        if self.codebook is not None:
            return f"the codebook declares no {role} role (roles: {role}: [...])"
        return f"no {role} items found in the data"


@renamed(bootstrap="n_boot")
@records_provenance
def survey_report(
    data: pd.DataFrame,
    instrument: Instrument | Codebook,
    *,
    satisfaction: Sequence[str] | None = None,
    loyalty: Sequence[str] | None = None,
    recommend: str | None = _DEFAULT,
    csat_item: str | None = None,
    missing: str = "listwise",
    n_boot: int = DEFAULT_N_BOOT,
    seed=0,
    title: str | None = None,
) -> SurveyReport:
    """Run the standard analysis and return a :class:`SurveyReport`.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    instrument : Instrument or Codebook
        A :class:`~servqual.codebook.Codebook` gives the roles (satisfaction,
        loyalty, recommend), each item's scale and missing codes, and the
        labels used in titles and tables.  With a plain ``Instrument`` the
        outcome columns default to ``SAT1..3``, ``LOY1, LOY2, LTR`` and ``LTR``
        (a perceptions-only survey is analysed SERVPERF-style).
    satisfaction, loyalty : item columns of the outcomes (override the roles).
    recommend : 0-10 likelihood-to-recommend column for NPS (``None`` to skip).
    csat_item : satisfaction item for CSAT top-2-box (default: the first
        satisfaction item present; ``""`` to skip).
    missing : {"listwise", "available", "mean", "raise"}
        ``"listwise"`` drops respondents with any missing item before every
        section; ``"available"`` keeps them: reliability uses each block's
        complete cases, block scores average the answered items, and each
        model uses the rows complete on its own variables (each section says
        how many); ``"mean"`` imputes item means (reported); ``"raise"``
        refuses missing values.  ``"pairwise"`` and ``"report"`` mean
        ``"available"``.
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
    from .validation import _POLICIES as _VALIDATE_POLICIES
    from .validation import validate

    check_data(data)
    n_boot = check_n_boot(n_boot)
    policy = _ALIASES.get(missing, missing)
    check_params({"missing": policy}, {"missing": Options(POLICIES)})
    plan = _plan(data, instrument, satisfaction, loyalty, recommend, csat_item, policy)
    inst, cb = plan.instrument, plan.codebook
    kinds = (("P", "E") if plan.paired else ("P",)) if inst.prefixes else None
    extra = plan.sat + [c for c in plan.loy if c != plan.recommend]
    if cb is not None and plan.recommend:
        extra.append(plan.recommend)
    vpolicy = policy if policy in _VALIDATE_POLICIES else "report"
    (clean, vrep), notes = _caught(
        lambda: validate(data, cb or inst, vpolicy, kinds=kinds, extra_columns=extra)
    )
    if title is None:
        title = f"{cb.name}: survey report" if cb is not None else "SERVQUAL survey report"
    body = vrep.summary()._repr_html_() + _items_table(clean, plan, vrep)
    sections = [Section("validation", "Validation", body, notes)]
    sections.append(_guarded("reliability", "Reliability and validity",
                             lambda: _reliability(clean, plan)))  # fmt: skip
    sections.append(_guarded("gap-profile", "Gap profile (P − E)",
                             lambda: _gap_profile(clean, plan)))  # fmt: skip
    comp = _composites(clean, plan)
    sat_title = plan.label(plan.sat[0]) if len(plan.sat) == 1 else "satisfaction"
    t = f"Key drivers of {sat_title}"
    sections.append(_guarded("key-drivers", t, lambda: _drivers(comp, plan, t, n_boot, seed)))
    t = f"Structural model: {_blocks_name(inst)} → satisfaction → loyalty"
    sections.append(_guarded("sem", t, lambda: _sem(clean, plan, t)))
    sections.append(_guarded("ipa", "Importance–performance analysis",
                             lambda: _ipa(comp, plan)))  # fmt: skip
    sections.append(_nps_csat(clean, plan))
    return SurveyReport(title, tuple(sections))


def _blocks_name(inst: Instrument) -> str:
    return "RATER" if tuple(inst.dimensions) == RATER else "quality blocks"


def _plan(data, instrument, satisfaction, loyalty, recommend, csat_item, policy) -> _Plan:
    if isinstance(instrument, Codebook):
        cb, inst = instrument, instrument.instrument
        roles = cb.roles
        sat = list(roles.satisfaction) if satisfaction is None else list(satisfaction)
        loy = list(roles.loyalty) if loyalty is None else list(loyalty)
        rec = roles.recommend if recommend is _DEFAULT else recommend
    elif isinstance(instrument, Instrument):
        cb, inst = None, instrument
        sat = ["SAT1", "SAT2", "SAT3"] if satisfaction is None else list(satisfaction)
        loy = ["LOY1", "LOY2", "LTR"] if loyalty is None else list(loyalty)
        rec = "LTR" if recommend is _DEFAULT else recommend
        sat = [c for c in sat if c in data.columns]
        loy = [c for c in loy if c in data.columns]
    else:
        raise TypeError(
            "instrument must be a servqual.Instrument or Codebook, got "
            f"{type(instrument).__name__}."
        )
    paired = inst.is_paired and not _present(data, inst.columns("E"))
    kind = "P" if inst.prefixes else None
    if csat_item is None:
        csat_item = sat[0] if sat else None
    return _Plan(inst, cb, sat, loy, rec or None, csat_item or None, kind, paired, policy)


def _guarded(sid: str, title: str, make) -> Section:
    """A section, or a note naming why its model could not be computed."""
    try:
        return make()
    except (ServqualError, ValueError, np.linalg.LinAlgError) as exc:
        return _skip(sid, title, f"not computed: {exc}")


def _skip(sid: str, title: str, why: str) -> Section:
    return Section(sid, title, "<p>Not computed.</p>", (why,))


def _items_table(clean, plan: _Plan, vrep) -> str:
    """Item, block, wording, answers, N/A codes, blanks and mean: labels in a table."""
    inst = plan.instrument
    rows = []
    kinds = list(inst.prefixes) or [None]
    for kind in kinds:
        for dim, cols in inst.dimension_columns(kind).items():
            for c in cols:
                if c not in clean.columns:
                    continue
                coded = 0 if vrep.coded is None else int(vrep.coded.get(c, 0))
                miss = int(vrep.missing.get(c, 0))
                rows.append({"item": c, "block": plan.label(dim), "wording": plan.label(c),
                             "answers": int(clean[c].notna().sum()), "N/A codes": coded,
                             "blank": miss - coded, "mean": float(clean[c].mean())})  # fmt: skip
    if not rows:
        return ""
    return "<h3>Items</h3>" + _table(pd.DataFrame(rows).set_index("item"), 2)


def _composites(clean, plan: _Plan):
    from .scores import composites

    # available-case: a block score averages the answered items of that block
    min_items = 1 if plan.policy == "available" else None
    comp = composites(clean, plan.instrument, plan.kind, min_items=min_items)
    if plan.sat:
        comp["satisfaction"] = clean[plan.sat].mean(axis=1)
    return comp


def _reliability(clean, plan: _Plan) -> Section:
    from .measurement import reliability

    kind = plan.kind or "P"
    title = "Reliability and validity"
    notes: tuple = ()
    if plan.policy == "available":
        try:
            res, notes = _caught(lambda: reliability(clean, plan.instrument, kind=kind,
                                                     missing="available"))  # fmt: skip
        except ParameterError:  # reliability() without available-case blocks
            return _block_alphas(clean, plan, title)
    else:
        res, notes = _caught(lambda: reliability(clean, plan.instrument, kind=kind))
    table = res.table.copy()
    if "dimension" in table.columns:
        table["dimension"] = [plan.label(d) for d in table["dimension"]]
        table = table.set_index("dimension")
    body = _table(table) + res.summary()._repr_html_()
    return Section("reliability", title, body, notes)


def _block_alphas(clean, plan: _Plan, title: str) -> Section:
    """Cronbach's alpha (Feldt CI) of each block on the respondents complete on that block."""
    from .measurement import _reversed_items, cronbach_alpha, feldt_ci

    items = _reversed_items(clean, plan.instrument, plan.kind)
    rows = []
    for dim, cols in plan.instrument.dimension_columns(plan.kind).items():
        x = items[cols].dropna()
        row = {"dimension": plan.label(dim), "n_items": len(cols), "n": int(x.shape[0])}
        if len(cols) > 1 and x.shape[0] > 2:
            a = cronbach_alpha(x)
            lo, hi = feldt_ci(a, n=x.shape[0], k=len(cols))
            row.update(alpha=a, alpha_ci_lower=lo, alpha_ci_upper=hi)
        rows.append(row)
    cols = [c for v in plan.instrument.dimension_columns(plan.kind).values() for c in v]
    n_all = int(items[cols].notna().all(axis=1).sum())
    note = (f"each block's alpha uses the respondents complete on that block ({n_all} are "
            "complete on every block); omega, AVE and HTMT need rows complete on all blocks "
            "and are not shown under the available-case policy.")  # fmt: skip
    return Section("reliability", title, _table(pd.DataFrame(rows).set_index("dimension")),
                   (note,))  # fmt: skip


def _gap_profile(clean, plan: _Plan) -> Section:
    from .figures.profile import plot_gap_profile
    from .scores import gap_profile

    inst = plan.instrument
    if not plan.paired:
        return _skip("gap-profile", "Gap profile (P − E)",
                     "no expectation (E) items: the survey is perceptions-only "
                     "(SERVPERF).")  # fmt: skip
    prof = gap_profile(clean, inst)
    cols = ["n", "P", "E", "gap", "gap_ci_lower", "gap_ci_upper"]
    table = prof[cols].rename(index=plan.label)
    body = _table(table) + _figure(lambda ax: plot_gap_profile(clean, inst, ax=ax))
    return Section("gap-profile", "Gap profile (P − E)", body)


def _used(frame: pd.DataFrame, cols, what: str) -> tuple[pd.DataFrame, tuple]:
    """Rows complete on ``cols``, and a note when some were left out."""
    sub = frame.dropna(subset=list(cols))
    if sub.shape[0] < frame.shape[0]:
        return sub, (f"{what} used the {sub.shape[0]} of {frame.shape[0]} respondents "
                     "complete on its variables.",)  # fmt: skip
    return sub, ()


def _drivers(comp, plan: _Plan, title, n_boot, seed) -> Section:
    from .drivers import key_drivers

    if not plan.sat:
        return _skip("key-drivers", title, f"skipped: {plan.role_hint('satisfaction')}.")
    dims = list(plan.instrument.dimensions)
    sub, used = _used(comp, dims + ["satisfaction"], "the driver model")
    res, notes = _caught(
        lambda: key_drivers(
            sub, "satisfaction", dims, n_boot=n_boot, seed=seed, progress=False
        )  # fmt: skip
    )
    cols = [c for c in ("method", "driver", "importance", "share", "ci_lower", "ci_upper",
                        "p_first") if c in res.table.columns]  # fmt: skip
    table = res.table[cols].copy()
    table["driver"] = [plan.label(d) for d in table["driver"]]
    body = f"<p>R² = {res.r2:.3f}, n = {res.n}, {n_boot} bootstrap replicates.</p>"
    body += _table(table.set_index(["method", "driver"]))
    return Section("key-drivers", title, body, used + notes + tuple(res.warnings))


def _sem(clean, plan: _Plan, title) -> Section:
    from . import sem

    sat, loy = plan.sat, [c for c in plan.loy if c in clean.columns]
    if len(sat) < 2 or len(loy) < 2:
        why = "needs at least two satisfaction and two loyalty items"
        if plan.codebook is not None:
            why += f" (the codebook declares {len(sat)} and {len(loy)})"
        return _skip("sem", title, f"skipped: {why}.")
    model = sem.rater_model(plan.instrument, items={"satisfaction": sat, "loyalty": loy})
    cols = plan.instrument.columns(plan.kind) + sat + loy
    sub, used = _used(clean, cols, "the structural model")
    res, notes = _caught(lambda: sem.fit(model, sub, progress=False))
    fi = pd.Series(res.fit_indices, dtype=float).rename("value").to_frame()
    p = res.params
    paths = p[p["op"] == "~"][["lhs", "op", "rhs", "est", "se", "pvalue", "std_all"]]
    body = f"<pre>{html.escape(model)}</pre><h3>Fit indices</h3>" + _table(fi)
    body += "<h3>Structural paths</h3>" + _table(paths.set_index(["lhs", "op", "rhs"]))
    return Section("sem", title, body, used + notes + tuple(res.warnings))


def _ipa(comp, plan: _Plan) -> Section:
    from .figures.cx import plot_ipa
    from .ipa import ipa

    title = "Importance–performance analysis"
    if not plan.sat:
        return _skip("ipa", title, f"skipped: {plan.role_hint('satisfaction')}.")
    dims = list(plan.instrument.dimensions)
    sub, used = _used(comp, dims + ["satisfaction"], "the importance–performance analysis")
    names = {d: plan.label(d) for d in dims}
    if len(set(names.values())) < len(names):  # labels must stay distinct to be columns
        names = {d: d for d in dims}
    sub = sub.rename(columns=names)
    attrs = [names[d] for d in dims]
    res, notes = _caught(
        lambda: ipa(sub, attrs, outcome="satisfaction", scale=plan.instrument.scale)
    )  # the block labels name the points of the figure and the rows of the table
    body = _table(res.table) + _figure(lambda ax: plot_ipa(res, ax=ax))
    return Section("ipa", title, body, used + notes)


def _nps_csat(clean, plan: _Plan) -> Section:
    from .metrics import csat, nps

    rows, notes = [], []
    recommend, csat_item = plan.recommend, plan.csat_item
    if recommend is not None and recommend in clean.columns:
        v = clean[recommend].dropna()
        r = nps(v)
        rows.append({"metric": f"NPS ({plan.label(recommend)})", "value": r.nps, "se": r.se,
                     "ci_lower": r.ci_lower, "ci_upper": r.ci_upper, "n": r.n})  # fmt: skip
    elif not recommend:
        notes.append(
            "NPS skipped: "
            + ("the codebook declares no 0-10 recommend role (roles: recommend: COLUMN)"
               if plan.codebook is not None
               else "no 0-10 recommend column was named") + "."
        )  # fmt: skip
    else:
        notes.append(f"NPS skipped: the 0-10 recommend column {recommend!r} is not in the data.")
    if csat_item and csat_item in clean.columns:
        lo, hi = plan.scale_of(csat_item)
        c = csat(clean[csat_item].dropna(), scale=(int(lo), int(hi)))
        # c.csat and its interval are already percentages
        rows.append({"metric": f"CSAT top-2-box % ({plan.label(csat_item)})", "value": c.csat,
                     "se": float("nan"), "ci_lower": c.ci_lower, "ci_upper": c.ci_upper,
                     "n": c.n})  # fmt: skip
    elif not csat_item:
        notes.append(f"CSAT skipped: {plan.role_hint('satisfaction')}.")
    else:
        notes.append(f"CSAT skipped: the satisfaction item {csat_item!r} is not in the data.")
    body = _table(pd.DataFrame(rows).set_index("metric"), 2) if rows else "<p>Not computed.</p>"
    return Section("nps-csat", "NPS and CSAT", body, tuple(notes))


def add_cli(subparsers) -> None:
    """Register ``servqual report``."""
    p = subparsers.add_parser("report", help="write the standard HTML report for a survey file")
    p.add_argument("survey", help="survey file (.csv, Qualtrics .csv, .xlsx, .sav, .dta)")
    p.add_argument("--codebook", default=None, help="YAML codebook (servqual init drafts one)")
    p.add_argument("--instrument", default="servqual22",
                   choices=("servqual22", "gap_customer"),
                   help="built-in instrument, used when no --codebook is given")  # fmt: skip
    p.add_argument("--out", required=True, help="output folder (must be empty unless --force)")
    p.add_argument("--force", action="store_true", help="write into a non-empty folder")
    p.add_argument("--satisfaction", default=None, help="satisfaction item columns (a,b,c)")
    p.add_argument("--loyalty", default=None, help="loyalty item columns (a,b,c)")
    p.add_argument("--recommend", default=None, help="0-10 recommend column for NPS ('' skips)")
    p.add_argument("--csat", default=None, help="satisfaction item for CSAT (default: first)")
    p.add_argument("--missing", default="listwise", choices=POLICIES + tuple(_ALIASES),
                   help="missing-data policy (pairwise/report = available)")  # fmt: skip
    p.add_argument("--n-boot", type=int, default=DEFAULT_N_BOOT, dest="n_boot",
                   help="key-driver bootstrap replicates (0: none, else >= 40)")  # fmt: skip
    p.add_argument("--bootstrap", type=int, default=None, dest="bootstrap",
                   help="deprecated name of --n-boot")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    import sys

    from .codebook import read_codebook
    from .readers import read_frame

    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        print(f"servqual: {out} is not empty; refusing to write there (use --force).",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        if args.codebook:  # the report applies the codebook: N/A codes counted apart
            data, spec = read_frame(args.survey), read_codebook(args.codebook)
        else:
            data, spec = read_frame(args.survey), getattr(Instrument, args.instrument)()
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
    try:
        rep = survey_report(
            data, spec, csat_item=args.csat, missing=args.missing, n_boot=n_boot,
            seed=args.seed, **kw,
        )  # fmt: skip
    except (ValueError, TypeError) as exc:
        print(f"servqual: invalid data in {args.survey}: {exc}", file=sys.stderr)
        return 2
    path = rep.write(out, force=True)
    print(f"wrote {path}")
    return 0
