""":func:`survey_report`: run the standard analysis of a survey and assemble the report."""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from .._checks import Options, check_data, check_params
from .._options import DEFAULT_N_BOOT, check_n_boot, renamed
from .._result import records_provenance
from ..codebook import Codebook
from ..instrument import Instrument
from .fmt import dedupe
from .model import Section, SurveyReport
from .plan import _DEFAULT, ALIASES, POLICIES, Plan, caught, make_plan
from .render import guarded, skip
from .sections import drivers as _drv
from .sections import metrics as _met
from .sections import quality as _q
from .sections import retention as _ret
from .sections.summary import executive_summary

#: Section ids, in report order (the executive summary first, the appendix last).
SECTIONS = (
    "summary",
    "nps-csat",
    "gap-profile",
    "pairs",
    "key-drivers",
    "ipa",
    "penalty-reward",
    "segments",
    "retention",
    "worth",
    "reliability",
    "sem",
    "validation",
)


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file, in hex.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> file_sha256(f.name)[:12]
    'ba7816bf8f01'
    >>> os.unlink(f.name)
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
    weights: str | None = None,
    economics: Mapping | None = None,
    missing: str = "listwise",
    n_boot: int = DEFAULT_N_BOOT,
    seed=0,
    title: str | None = None,
    source: str | Path | None = None,
    date: _dt.date | str | None = None,
) -> SurveyReport:
    """Run the standard analysis and return a :class:`SurveyReport`.

    The report opens with an executive summary (headline metrics with
    intervals and n, the gap profile, the top drivers, the priority actions
    that importance–performance and penalty–reward analysis agree on, and,
    with ``economics``, what a one-point improvement is worth), then one
    section per analysis, then a collapsed technical appendix.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    instrument : Instrument or Codebook
        A :class:`~servqual.codebook.Codebook` gives the roles (satisfaction,
        loyalty, recommend, weight, churn, tenure, segment), each item's scale
        and missing codes, P−E ``pairs`` and the labels used in titles and
        tables.  With a plain ``Instrument`` the outcome columns default to
        ``SAT1..3``, ``LOY1, LOY2, LTR`` and ``LTR``.
    satisfaction, loyalty : item columns of the outcomes (override the roles).
    recommend : 0-10 likelihood-to-recommend column for NPS (``None`` to skip).
    csat_item : satisfaction item for CSAT top-2-box (default: the first
        satisfaction item present; ``""`` to skip).
    weights : str, optional
        Respondent-weight column (overrides the codebook's ``weight`` role):
        weighted headline metrics with Kish's effective n and design effect.
    economics : mapping, optional
        Inputs of :func:`servqual.economics.what_if` (``margin``, ``discount``,
        ``horizon``, ``initial_customers``, ...): the report then says what
        raising the top driver's block by one point is worth.  Needs a churn
        role.
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
    title : str, optional
    source : path, optional
        The data file the frame was read from: its sha256 goes in the footer.
    date : date or ISO string, optional
        The report's date (default today); a fixed date makes the HTML
        reproducible.

    Examples
    --------
    >>> from servqual import Instrument, load_dataset
    >>> rep = survey_report(load_dataset("servqual_sim").head(300), Instrument.servqual22(),
    ...                     n_boot=0, date="2026-01-01")
    >>> [s.id for s in rep.all_sections()][:4]
    ['summary', 'nps-csat', 'gap-profile', 'key-drivers']
    """
    from ..validation import validate

    check_data(data)
    n_boot = check_n_boot(n_boot)
    policy = ALIASES.get(missing, missing)
    check_params({"missing": policy}, {"missing": Options(POLICIES)})
    _ret.check_economics(economics)
    plan = make_plan(data, instrument, satisfaction, loyalty, recommend, csat_item, policy,
                     weights)  # fmt: skip
    inst, cb = plan.instrument, plan.codebook
    kinds = (("P", "E") if plan.paired else ("P",)) if inst.prefixes else None
    extra = plan.sat + [c for c in plan.loy if c != plan.recommend]
    if cb is not None and plan.recommend:
        extra.append(plan.recommend)
    (clean, vrep), vnotes = caught(
        lambda: validate(data, cb or inst, policy, kinds=kinds, extra_columns=extra)
    )
    if title is None:
        title = f"{cb.name}: survey report" if cb is not None else "SERVQUAL survey report"
    ctx: dict = {}
    appendix: list[Section] = []
    seen = set(vnotes)  # a warning already shown in validation is not repeated

    def fresh(sec: Section) -> Section:
        notes = dedupe(map(plan.reword, sec.notes))  # blocks named by their labels
        if sec.body != "<p>Not computed.</p>":  # a skipped section always says why
            notes = tuple(n for n in notes if n not in seen)
            seen.update(notes)
        return Section(sec.id, sec.title, sec.body, notes, sec.tables, sec.method)

    comp = _composites(clean, plan)
    metrics = fresh(_met.metrics_section(clean, plan, ctx))
    gap = fresh(_gap(clean, plan, ctx))
    # only pairs the gap profile does not already cover: None when there are none
    pairs = guarded("pairs", "Gaps of the declared pairs", lambda: _q.pairs_section(clean, plan))
    sat_title = plan.label(plan.sat[0]) if len(plan.sat) == 1 else "satisfaction"
    t = f"Key drivers of {sat_title}"
    drivers = fresh(
        guarded("key-drivers", t, lambda: _drv.drivers_section(comp, plan, t, n_boot, seed, ctx))
    )
    ipa = fresh(guarded("ipa", "Importance–performance analysis",
                        lambda: _drv.ipa_section(comp, plan, ctx)))  # fmt: skip
    prca = fresh(guarded("penalty-reward", "Penalty–reward analysis",
                         lambda: _drv.prca_section(comp, plan, ctx)))  # fmt: skip
    segments = fresh(guarded("segments", "Segments", lambda: _met.segments_section(clean, plan)))
    retention = fresh(
        guarded("retention", "Retention", lambda: _ret.retention_section(clean, plan, comp, ctx))
    )
    worth = guarded(
        "worth",
        "What a one-point improvement is worth",
        lambda: _ret.worth_section(clean, plan, economics, n_boot, seed, ctx),
    )
    rel = fresh(guarded("reliability", "Reliability and validity",
                        lambda: _reliability(clean, plan, appendix)))  # fmt: skip
    t = f"Structural model: {plan.blocks_name} → satisfaction → loyalty"
    sem = fresh(guarded("sem", t, lambda: _drv.sem_section(clean, plan, t, appendix)))
    body, vtables, items, vnotes = _q.validation_section(clean, plan, vrep, vnotes)
    validation = Section("validation", "Data quality", body, dedupe(map(plan.reword, vnotes)),
                         vtables,
                         "Counts after applying the codebook's missing codes." if cb is not None
                         else "Counts in the data as read (no codebook declares missing "
                         "codes).")  # fmt: skip
    if items is not None:
        appendix.insert(0, Section("items", "Answers and missing values per item",
                                   items.to_html(), (), (items,)))  # fmt: skip
    exec_ = executive_summary(plan, comp, ctx, _drv.priorities(plan, ctx))
    sections = [metrics, gap] + ([fresh(pairs)] if pairs is not None else [])
    sections += [drivers, ipa, prca, segments, retention]
    if worth is not None:
        sections.append(fresh(worth))
    sections += [rel, sem, validation]
    images = {}
    if "profile_png" in ctx:
        images["Gap profile"] = ctx["profile_png"]
    footer = _footer(seed, n_boot, policy, source, date)
    return SurveyReport(title, tuple(sections), exec_, tuple(appendix),
                        MappingProxyType(footer), MappingProxyType(images))  # fmt: skip


def _footer(seed, n_boot, policy, source, date) -> dict:
    from .. import __version__

    if date is None:
        date = _dt.date.today()
    if isinstance(date, str):
        date = _dt.date.fromisoformat(date)
    out = {"version": __version__, "seed": seed if isinstance(seed, int) else repr(seed),
           "n_boot": n_boot, "missing": policy, "date": date.isoformat()}  # fmt: skip
    if source is not None:
        out["source"] = Path(source).name
        out["sha256"] = file_sha256(source)
    return out


def _composites(clean, plan: Plan) -> pd.DataFrame:
    from ..scores import composites

    # available-case: a block score averages the answered items of that block
    min_items = 1 if plan.policy == "available" else None
    comp, _ = caught(lambda: composites(clean, plan.instrument, plan.kind, min_items=min_items))
    if plan.sat:
        comp["satisfaction"] = clean[plan.sat].mean(axis=1)
    if isinstance(plan.weight, str):
        comp[plan.weight] = clean[plan.weight].to_numpy()
    return comp


def _gap(clean, plan: Plan, ctx) -> Section:
    title = "Gap profile (P − E)"
    if not plan.paired:
        return skip(
            "gap-profile",
            title,
            "no expectation (E) items: the survey is "
            "perceptions-only (SERVPERF); the executive summary shows block means.",
        )
    body, tables, notes = _q.gap_section(clean, plan, ctx)
    return Section("gap-profile", title, body, notes, tables, _q.CITE_GAP)


def _reliability(clean, plan: Plan, appendix: list) -> Section:
    body, tables, notes, extra = _q.reliability_section(clean, plan)
    if extra:
        appendix.append(Section("measurement", "Measurement model: HTMT and loadings",
                                "".join(t.to_html() for t in extra), (), extra,
                                "HTMT below 0.85 supports that two blocks measure different "
                                "things (Henseler, Ringle &amp; Sarstedt 2015)."))  # fmt: skip
    return Section("reliability", "Reliability and validity", body, notes, tables, _q.CITE_REL)
