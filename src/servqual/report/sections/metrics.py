"""Headline metrics (NPS, CSAT, overall gap), weighted when a weight is declared; by segment."""

from __future__ import annotations

import pandas as pd

from ..fmt import Table
from ..model import Section
from ..plan import Plan, caught, weights_of
from ..render import skip
from .quality import overall_gap, respondent_score

#: the method of each headline metric (the note names only the metrics shown)
_METHODS = {
    "nps": "NPS = percent promoters (9-10) minus percent detractors (0-6) on the 0-10 "
    "likelihood-to-recommend question (Reichheld 2003), normal interval with the trinomial "
    "standard error",
    "csat": "CSAT = percent answering in the top two boxes of the satisfaction scale, Wilson "
    "interval",
    "gap": "the gap is the SERVQUAL score P − E (Parasuraman et al. 1988): each respondent's "
    "mean perception minus mean expectation, with its t interval",
    "mean": "the mean rating averages each respondent's answered quality items, with its t "
    "interval",
}
_WEIGHTED = (
    " With respondent weights the estimates are weighted, with linearised standard errors, "
    "Kish's effective n and the design effect."
)
_TESTS = {
    "NPS": "z test for the NPS (Rocks 2016)",
    "CSAT %": "Newcombe's interval and the two-proportion test for CSAT",
    "Gap (P − E)": "Welch's t test for the gap",
    "Mean rating": "Welch's t test for the mean rating",
}


def metrics_method(shown, weighted: bool) -> str:
    """The method note of the headline metrics ``shown`` (keys of ``_METHODS``).

    Examples
    --------
    >>> metrics_method(["csat", "mean"], False)[:40]
    'CSAT = percent answering in the top two '
    """
    text = "; ".join(_METHODS[k] for k in shown) + "."
    return text + (_WEIGHTED if weighted else "")


def segments_method(metrics) -> str:
    """The method note of the segment comparisons of ``metrics`` (names of the table).

    Examples
    --------
    >>> segments_method(["CSAT %"])
    "Each segment against all other respondents: Newcombe's interval and the two-proportion \
test for CSAT; p-values adjusted for the number of comparisons (Holm 1979)."
    """
    tests = ", ".join(_TESTS[m] for m in metrics)
    return (f"Each segment against all other respondents: {tests}; p-values adjusted for "
            "the number of comparisons (Holm 1979).")  # fmt: skip


_DESCRIBE = {
    "Metric": "what is measured (and on which question)",
    "Value": "the estimate (NPS in points -100..100, CSAT in percent, gap in scale points)",
    "lower": "lower end of the 95% interval", "upper": "upper end of the 95% interval",
    "Respondents": "respondents with an answer",
    "Effective n": "Kish's effective sample size of the weights (= respondents unweighted)",
    "Design effect": "variance inflation due to weighting (1 = unweighted)",
    "Weighted": "whether respondent weights were applied",
}  # fmt: skip


def headline(clean, plan: Plan, ctx: dict) -> tuple[Table | None, list[str]]:
    """NPS, CSAT and the overall gap (or mean rating), weighted when a weight is declared."""
    from ...metrics import csat, nps

    rows, notes = [], []
    w = weights_of(clean, plan)
    weighted = w is not None

    def wt(col):
        if w is None:
            return None
        return w[clean[col].notna().to_numpy()]

    rec, item = plan.recommend, plan.csat_item
    if rec is not None and rec in clean.columns:
        r, ws = caught(lambda: nps(clean[rec].dropna(), scale=(0, 10), weights=wt(rec)))
        notes += ws
        ctx["nps"] = r
        rows.append({"Metric": f"NPS ({plan.label(rec)})", "Value": r.nps, "lower": r.ci_lower,
                     "upper": r.ci_upper, "Respondents": int(r.n),
                     "Effective n": float(r.n_eff), "Design effect": float(r.deff)})  # fmt: skip
    elif not rec:
        notes.append(
            "NPS skipped: "
            + (
                "the codebook declares no 0-10 recommend role (roles: recommend: COLUMN)"
                if plan.codebook is not None
                else "no 0-10 recommend column was named"
            )
            + "."
        )
    else:
        notes.append(f"NPS skipped: the 0-10 recommend column {rec!r} is not in the data.")
    if item and item in clean.columns:
        lo, hi = plan.scale_of(item)
        c, ws = caught(lambda: csat(clean[item].dropna(), scale=(int(lo), int(hi)),
                                    weights=wt(item)))  # fmt: skip
        notes += ws
        ctx["csat"] = c
        rows.append({"Metric": f"CSAT, top-2-box % ({plan.label(item)})", "Value": c.csat,
                     "lower": c.ci_lower, "upper": c.ci_upper, "Respondents": int(c.n),
                     "Effective n": float(c.n_eff), "Design effect": float(c.deff)})  # fmt: skip
    elif not item:
        notes.append(f"CSAT skipped: {plan.role_hint('satisfaction')}.")
    else:
        notes.append(f"CSAT skipped: the satisfaction item {item!r} is not in the data.")
    g = overall_gap(clean, plan)
    if g is not None and g["n"] > 1:
        ctx["gap"] = g
        lo, hi = plan.instrument.scale
        name = ("Service-quality gap, mean P − E" if g["what"] == "gap"
                else f"Mean rating of the quality items ({lo:g}-{hi:g})")  # fmt: skip
        rows.append(
            {
                "Metric": name,
                "Value": g["mean"],
                "lower": g["lower"],
                "upper": g["upper"],
                "Respondents": int(g["n"]),
                "Effective n": float(g["n_eff"]),
                "Design effect": float(g["deff"]),
            }
        )
    if not rows:
        return None, notes
    frame = pd.DataFrame(rows)
    kinds = tuple("num2" if r["Metric"].startswith(("Service", "Mean")) else "num1"
                  for r in rows)  # fmt: skip
    frame["Weighted"] = "yes" if weighted else "no"
    if not weighted:
        frame = frame.drop(columns=["Effective n", "Design effect"])
    t = Table("headline", "Headline metrics", frame, _DESCRIBE,
              {"Value": kinds, "lower": kinds, "upper": kinds, "Effective n": "num1",
               "Design effect": "num2"},
              (("95% CI", "lower", "upper", kinds),))  # fmt: skip
    return t, notes


def metrics_section(clean, plan: Plan, ctx: dict) -> Section:
    t, notes = headline(clean, plan, ctx)
    # the title names the metrics shown (a survey without a 0-10 item has no NPS)
    names = [m for m, k in (("NPS", "nps"), ("CSAT", "csat"), ("service quality", "gap"))
             if k in ctx]  # fmt: skip
    title = "Headline metrics" + (": " + ", ".join(names[:-1]) + " and " * (len(names) > 1)
                                  + names[-1] if names else "")  # fmt: skip
    if t is None:
        return Section("nps-csat", title, "<p>Not computed.</p>", tuple(notes))
    ctx["headline"] = t
    note = ""
    if plan.weight is not None:
        name = plan.weight if isinstance(plan.weight, str) else "the weights given"
        note = (f"<p>Weighted by {name}: the design effect says how much the weighting "
                "widens the intervals.</p>")  # fmt: skip
    shown = ["nps"] if "nps" in ctx else []
    shown += ["csat"] if "csat" in ctx else []
    if "gap" in ctx:
        shown.append("gap" if ctx["gap"]["what"] == "gap" else "mean")
    method = metrics_method(shown, plan.weight is not None)
    return Section("nps-csat", title, note + t.to_html(), tuple(notes), (t,), method)


def segments_section(clean, plan: Plan) -> Section:
    """Headline metrics per segment, each against the rest, with adjusted p-values."""
    from ...compare import compare

    title = "Segments"
    if not plan.segments:
        return skip("segments", title, "skipped: "
                    + ("the codebook declares no segment role (roles: segment: [COLUMN])"
                       if plan.codebook is not None else "no segment column was declared")
                    + ".")  # fmt: skip
    frame = clean.copy()
    metrics = []
    if plan.recommend in frame.columns:
        metrics.append(("NPS", plan.recommend, "nps", None))
    if plan.csat_item in frame.columns:
        hi = plan.scale_of(plan.csat_item)[1]
        metrics.append(("CSAT %", plan.csat_item, "topbox", hi - 1))
    # the score's column is named as the table names it: compare's warnings may name it
    score = "Gap (P − E)" if plan.paired else "Mean rating"
    while score in frame.columns:
        score += " "
    frame[score] = respondent_score(frame, plan)
    metrics.append((score.strip(), score, "mean", None))
    w = plan.weight if isinstance(plan.weight, str) else None
    tables, notes = [], []
    for seg in plan.segments:
        rows = []
        for name, col, metric, top in metrics:
            sub = frame.dropna(subset=[col, seg])
            try:
                res, ws = caught(lambda s=sub, c=col, g=seg, m=metric, t=top: compare(
                    s, c, g, metric=m, weights=w, pairs="rest", top_box=t))  # fmt: skip
            except (ValueError, TypeError) as exc:
                notes.append(f"{name} by {plan.label(seg)}: not compared ({exc}).")
                continue
            notes += ws
            scale = 100 if metric == "topbox" else 1
            for _, r in res.table.iterrows():
                rows.append({"Segment": str(r["group_a"]), "Metric": name,
                             "Respondents": int(r["n_a"]), "Value": scale * r["estimate_a"],
                             "Rest": scale * r["estimate_b"],
                             "Difference": scale * r["difference"],
                             "lower": scale * r["ci_lower"], "upper": scale * r["ci_upper"],
                             "Adjusted p": float(r["p_adjusted"])})  # fmt: skip
        if rows:
            tf = pd.DataFrame(rows)
            key = f"segments_{seg}"
            # NPS points and CSAT percent with one decimal, scale-point means with two
            kinds = tuple("num1" if m in ("NPS", "CSAT %") else "num2" for m in tf["Metric"])
            tables.append(Table(
                key, f"Headline metrics by {plan.label(seg)}", tf,
                {"Segment": f"value of {seg}", "Metric": "metric", "Respondents": "in the segment",
                 "Value": "the segment's estimate", "Rest": "estimate of all other respondents",
                 "Difference": "segment minus rest", "lower": "95% interval of the difference",
                 "upper": "95% interval of the difference",
                 "Adjusted p": "p-value adjusted for all comparisons of the table (Holm)"},
                {"Value": kinds, "Rest": kinds, "Difference": kinds, "lower": kinds,
                 "upper": kinds, "Adjusted p": "p"},
                (("Difference, 95% CI", "lower", "upper", kinds),)))  # fmt: skip
    if not tables:
        return Section("segments", title, "<p>Not computed.</p>", tuple(notes))
    body = "".join(t.to_html() for t in tables)
    compared = dict.fromkeys(m for t in tables for m in t.frame["Metric"])
    return Section("segments", title, body, tuple(notes), tuple(tables),
                   segments_method(compared))  # fmt: skip
