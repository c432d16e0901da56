"""Data quality, reliability, the gap profile and custom P−E pairs."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from scipy import stats

from ..fmt import Table
from ..plan import Plan, caught, weights_of
from ..render import figure, skip

CITE_GAP = (
    "Gap = perception minus expectation, averaged over the items of each block and then "
    "over respondents; the interval is the t interval of that mean "
    "(Parasuraman, Zeithaml &amp; Berry 1988)."
)
CITE_REL = (
    "Cronbach's alpha with Feldt's interval (Cronbach 1951); omega from a one-factor model "
    "(McDonald 1999). Values of 0.7 or more are usually read as reliable. Each block uses "
    "the respondents who answered all its items."
)


def items_table(clean, plan: Plan, vrep) -> Table | None:
    """Per item: block, wording, answers, N/A codes, blanks and mean (appendix)."""
    inst = plan.instrument
    rows = []
    for kind in list(inst.prefixes) or [None]:
        for dim, cols in inst.dimension_columns(kind).items():
            for c in cols:
                if c not in clean.columns:
                    continue
                coded = 0 if vrep.coded is None else int(vrep.coded.get(c, 0))
                miss = int(vrep.missing.get(c, 0))
                rows.append({"Item": c, "Block": plan.label(dim), "Question": plan.label(c),
                             "Answers": int(clean[c].notna().sum()), "N/A codes": coded,
                             "Blank": miss - coded, "Mean": float(clean[c].mean())})  # fmt: skip
    if not rows:
        return None
    describe = {
        "Item": "column in the data file", "Block": "the block (dimension) the item belongs to",
        "Question": "the question text from the codebook",
        "Answers": "respondents with a valid answer after the missing-data policy",
        "N/A codes": "answers carrying a declared missing code (e.g. 0 = not applicable)",
        "Blank": "empty answers", "Mean": "mean of the valid answers",
    }  # fmt: skip
    return Table("items", "Answers and missing values per item", _worded(pd.DataFrame(rows)),
                 describe)  # fmt: skip


def _worded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its Question column when no item has a wording (it would only
    repeat the Item column)."""
    if (frame["Question"].astype(str) == frame["Item"].astype(str)).all():
        return frame.drop(columns="Question")
    return frame


def validation_section(clean, plan: Plan, vrep, notes) -> tuple:
    """A short data-quality section and, for the appendix, the per-item table."""
    n_in, n_used = vrep.n_input, vrep.n_used
    frame = pd.DataFrame({
        "Quantity": ["Respondents in the file", "Respondents analysed", "Missing answers",
                     "of which missing codes (N/A)"],
        "Count": [int(n_in), int(n_used), int(vrep.n_missing),
                  int(0 if vrep.coded is None else vrep.coded.sum())],
    })  # fmt: skip
    t = Table("data_quality", "Respondents and missing answers", frame,
              {"Quantity": "what is counted", "Count": "how many"})  # fmt: skip
    policy = {"listwise": "respondents with any missing answer are left out",
              "available": "each analysis uses the respondents who answered its questions",
              "mean": "missing answers are replaced by the item mean (counted above)",
              "raise": "missing answers are refused"}[plan.policy]  # fmt: skip
    body = t.to_html() + f"<p>Missing answers: {html.escape(policy)}.</p>"
    items = items_table(clean, plan, vrep)
    return body, (t,), items, notes


def reliability_section(clean, plan: Plan) -> tuple:
    """(body, tables, notes, appendix tables): alpha, omega per block; HTMT and loadings."""
    from ...measurement import reliability

    w = weights_of(clean, plan)
    inst = plan.labelled_instrument()  # its warnings name the blocks by their labels
    res, notes = caught(lambda: reliability(clean, inst, kind=plan.kind or "P",
                                            missing="available", weights=w))  # fmt: skip
    # the data checks reliability ran itself (missing shares, unused points) cover a
    # subset of the report's own, which the data-quality section shows: said once there
    checked = set(res.validation.warnings)
    notes = _reliability_notes(clean, plan, [n for n in notes if n not in checked])
    tab = res.table
    frame = pd.DataFrame({
        "Block": [plan.label(plan.block_of(d)) for d in tab.index],
        "Items": tab["n_items"].astype(int).to_numpy(),
        "Respondents": tab["n"].astype(int).to_numpy(),
        "Cronbach's alpha": tab["alpha"].to_numpy(float),
        "alpha, lower": tab["alpha_ci_lower"].to_numpy(float),
        "alpha, upper": tab["alpha_ci_upper"].to_numpy(float),
        "McDonald's omega": tab["omega"].to_numpy(float),
        "Average variance extracted": tab["ave"].to_numpy(float),
    })  # fmt: skip
    describe = {
        "Block": "block of questions", "Items": "questions in the block",
        "Respondents": "respondents who answered every question of the block",
        "Cronbach's alpha": "internal consistency (0-1; 0.7 or more is usually read as reliable)",
        "alpha, lower": "lower end of the 95% interval of alpha (Feldt)",
        "alpha, upper": "upper end of the 95% interval of alpha (Feldt)",
        "McDonald's omega": "reliability of the block score from a one-factor model",
        "Average variance extracted": "share of item variance the block's factor explains",
    }  # fmt: skip
    fmts = {c: "num3" for c in frame.columns[3:]}
    main = Table("reliability", "Reliability of each block", frame, describe, fmts,
                 (("alpha, 95% CI", "alpha, lower", "alpha, upper", "num3"),))  # fmt: skip
    appendix = []
    if not res.htmt.empty:
        h = res.htmt.copy()
        labels = [plan.label(plan.block_of(d)) for d in h.index]
        hf = pd.DataFrame(h.to_numpy(float), columns=labels)
        hf.insert(0, "Block", labels)
        appendix.append(Table(
            "htmt", "Heterotrait-monotrait ratios (HTMT) between blocks", hf,
            {"Block": "block", **{c: f"HTMT with {c} (below 0.85: distinct blocks)"
                                  for c in labels}},
            {c: "num3" for c in labels}))  # fmt: skip
    if not res.loadings.empty:
        ld = res.loadings
        lf = _worded(pd.DataFrame(
            {
                "Block": [plan.label(plan.block_of(d)) for d in ld["dimension"]],
                "Item": ld["item"].astype(str).to_numpy(),
                "Question": [plan.label(i) for i in ld["item"]],
                "Loading": ld["loading"].to_numpy(float),
                "Standardised loading": ld["std_loading"].to_numpy(float),
            }
        ))  # fmt: skip
        appendix.append(Table("loadings", "Item loadings (one-factor model per block)", lf,
                              {"Block": "block", "Item": "column", "Question": "question text",
                               "Loading": "unstandardised loading",
                               "Standardised loading": "loading in correlation units"},
                              {"Loading": "num3", "Standardised loading": "num3"}))  # fmt: skip
    return (
        main.to_html(),
        (main,),
        notes + _reliability_notes(clean, plan, [n for n in res.warnings if n not in checked]),
        tuple(appendix),
    )


def _reliability_notes(clean, plan: Plan, notes) -> tuple[str, ...]:
    """The reliability warnings as the report's reader needs them: the available-case
    counts are the table's Respondents column (the library's note names its own column
    'n'), and HTMT2, which the report does not show, is not discussed."""
    out = []
    for n in notes:
        if n.startswith("HTMT2 "):
            continue
        if n.startswith("available-case reliability:"):
            items = [c for c in plan.instrument.columns(plan.kind) if c in clean.columns]
            n_all = int(clean[items].notna().all(axis=1).sum())
            n = (f"Each block uses the respondents who answered all its questions (column "
                 f"Respondents); {n_all} of {len(clean)} answered every question.")  # fmt: skip
        out.append(n)
    return tuple(out)


def gap_section(clean, plan: Plan, ctx: dict) -> tuple:
    """Per-block P, E and gap with intervals, the figure and the warnings (body, tables,
    notes); fills ``ctx['profile']``."""
    from ...figures.profile import plot_gap_profile
    from ...scores import gap_profile

    inst = plan.labelled_instrument()  # the figure names the blocks by their labels
    w = weights_of(clean, plan)
    prof, notes = caught(lambda: gap_profile(clean, inst, weights=w))
    frame = pd.DataFrame({
        "Block": [plan.label(plan.block_of(d)) for d in prof.index],
        "Respondents": prof["n"].astype(int).to_numpy(),
        "Perception": prof["P"].to_numpy(float), "Expectation": prof["E"].to_numpy(float),
        "Gap (P − E)": prof["gap"].to_numpy(float),
        "gap, lower": prof["gap_ci_lower"].to_numpy(float),
        "gap, upper": prof["gap_ci_upper"].to_numpy(float),
    })  # fmt: skip
    describe = {"Block": "block of questions",
                "Respondents": "respondents who answered all P and E items of the block",
                "Perception": "mean perception (P) score", "Expectation": "mean expectation (E)",
                "Gap (P − E)": "mean of P minus E; negative: service below expectations",
                "gap, lower": "lower end of the 95% interval of the gap",
                "gap, upper": "upper end of the 95% interval of the gap"}  # fmt: skip
    t = Table("gap_profile", "Gap between perceptions and expectations per block", frame,
              describe, {c: "num2" for c in frame.columns[2:]},
              (("Gap, 95% CI", "gap, lower", "gap, upper", "num2"),))  # fmt: skip
    (img, png), _ = caught(  # the figure's warnings are the table's, already in notes
        lambda: figure(lambda ax: plot_gap_profile(clean, inst, weights=w, ax=ax))
    )
    ctx["profile"], ctx["profile_png"], ctx["profile_img"] = t, png, img
    return t.to_html(), (t,), notes


def mean_ci(x: np.ndarray, w=None, ci: float = 0.95) -> dict:
    """Mean with its t interval (n - 1 df); weighted: linearised SE, Kish n_eff and deff."""
    from ...weighting import mean_estimate

    e = mean_estimate(x, w)
    t = stats.t.ppf(0.5 + ci / 2, e.n - 1)
    return {"mean": e.estimate, "lower": e.estimate - t * e.se, "upper": e.estimate + t * e.se,
            "n": e.n, "n_eff": e.n_eff, "deff": e.deff}  # fmt: skip


def respondent_score(clean, plan: Plan) -> pd.Series:
    """Each respondent's mean of all P items minus mean of all E items (or mean rating)."""
    inst = plan.instrument
    if plan.paired:
        return clean[inst.columns("P")].mean(axis=1) - clean[inst.columns("E")].mean(axis=1)
    cols = [c for c in inst.columns(plan.kind) if c in clean.columns]
    return clean[cols].mean(axis=1)


def overall_gap(clean, plan: Plan) -> dict:
    """The mean of :func:`respondent_score` with its interval."""
    score = respondent_score(clean, plan)
    keep = score.notna().to_numpy()
    w = weights_of(clean, plan)
    out = mean_ci(score.to_numpy(float)[keep], None if w is None else w[keep])
    out["what"] = "gap" if plan.paired else "mean rating of all quality items"
    return out


def declared_pairs(plan: Plan) -> dict:
    """The codebook's perception/expectation pairs that the gap profile does not cover.

    With a paired instrument the gap profile already compares each item's P and E
    columns, so declaring those pairs again adds nothing to show.
    """
    covered = set()
    if plan.paired:
        inst = plan.instrument
        covered = {(inst.column(i, "P"), inst.column(i, "E")) for i in inst.items}
    return {p: e for p, e in plan.pairs.items() if (p, e) not in covered}


def pairs_section(clean, plan: Plan):
    """P − E gap of each perception/expectation pair the codebook declares (``pairs:``)
    and the gap profile does not already show; None when there is none (the gap-profile
    section says why a survey has no gaps)."""
    pairs = declared_pairs(plan)
    if not pairs:
        return None
    rows, notes = [], []
    w = weights_of(clean, plan)
    for p, e in pairs.items():
        d = (clean[p] - clean[e]).to_numpy(float)
        keep = ~np.isnan(d)
        if keep.sum() < 2:
            notes.append(f"{plan.label(p)} ({p} − {e}): not computed, {int(keep.sum())} "
                         "respondent(s) answered both.")  # fmt: skip
            continue
        m = mean_ci(d[keep], None if w is None else w[keep])
        rows.append({"Question": plan.label(p), "Respondents": int(keep.sum()),
                     "Perception": float(np.nanmean(clean[p].to_numpy(float)[keep])),
                     "Expectation": float(np.nanmean(clean[e].to_numpy(float)[keep])),
                     "Gap (P − E)": m["mean"], "gap, lower": m["lower"],
                     "gap, upper": m["upper"]})  # fmt: skip
    if not rows:
        return skip("pairs", "Gaps of the declared pairs", " ".join(notes))
    frame = pd.DataFrame(rows)
    t = Table("pair_gaps", "Gap of each declared perception/expectation pair", frame,
              {"Question": "the perception question", "Respondents": "answered both",
               "Perception": "mean perception", "Expectation": "mean expectation",
               "Gap (P − E)": "mean difference", "gap, lower": "95% interval, lower",
               "gap, upper": "95% interval, upper"},
              {c: "num2" for c in frame.columns[2:]},
              (("Gap, 95% CI", "gap, lower", "gap, upper", "num2"),))  # fmt: skip
    from ..model import Section

    return Section("pairs", "Gaps of the declared pairs", t.to_html(), tuple(notes), (t,), CITE_GAP)
