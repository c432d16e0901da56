"""Retention (churn rate, life table, Cox hazard ratios) and what a one-point gain is worth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..fmt import Table
from ..model import Section
from ..plan import Plan, caught
from ..render import skip

CITE_CHURN = "Churn rate: the share of customers whose churn flag is positive, Wilson interval."
CITE_RETENTION = (
    "Kaplan–Meier life table of customer tenure (churned customers leave in their last "
    "period, the others are censored); Cox proportional-hazards model of time to churn on "
    "satisfaction, hazard ratio per scale point with its 95% interval (Cox 1972). A hazard "
    "ratio below 1: more satisfied customers leave more slowly."
)
CITE_WORTH = (
    "The chain satisfaction → retention and word of mouth → customer base and value, "
    "refitted in every bootstrap sample (Rust, Zahorik &amp; Keiningham 1995; Gupta, Lehmann "
    "&amp; Stuart 2004): the change when the top driver's block score rises by one point."
)
#: economics inputs :func:`servqual.economics.what_if` takes from ``survey_report(economics=)``
ECONOMICS_KEYS = ("margin", "discount", "horizon", "initial_customers", "acquisition",
                  "referral_per_positive", "deterrence_per_negative", "wom_positive",
                  "wom_negative", "wom_model")  # fmt: skip


#: what_if's quantities in plain words
_WORTH = {
    "delta_satisfaction": "Change in satisfaction",
    "delta_retention": "Change in the retention rate",
    "delta_wom_positive": "Change in positive word of mouth",
    "delta_wom_negative": "Change in negative word of mouth",
    "delta_clv": "Change in customer lifetime value",
    "delta_clv_pct": "Change in customer lifetime value, %",
    "delta_customers": "Change in customers at the horizon",
    "delta_value": "Change in value (net present value over the horizon)",
}


def check_economics(economics) -> None:
    """Refuse keys :func:`servqual.economics.what_if` does not take."""
    from ...errors import ParameterError

    unknown = sorted(set(economics or {}) - set(ECONOMICS_KEYS))
    if unknown:
        raise ParameterError(
            f"economics has unknown key(s) {unknown}; expected some of {', '.join(ECONOMICS_KEYS)}."
        )


def retention_section(clean, plan: Plan, comp, ctx: dict) -> Section:
    """Churn rate; with tenure, the life table and the Cox model of churn on satisfaction."""
    from ..._outcome import binary_outcome
    from ...metrics import wilson_interval
    from ...survival import cox, life_table

    title = "Retention"
    if plan.churn is None:
        why = ("the codebook declares no churn role (roles: churn: {column: ..., positive: ...})"
               if plan.codebook is not None else "no churn column was declared")  # fmt: skip
        return skip("retention", title, f"skipped: {why}.")
    col, positive = plan.churn
    frame = clean.copy()
    if plan.sat:
        frame["Satisfaction"] = comp["satisfaction"].to_numpy()
    tenure = plan.tenure if plan.tenure in frame.columns else None
    flags = binary_outcome(frame, col, positive, role="churn")
    if tenure is not None:
        flags = flags[frame[tenure].notna()]
    left = flags.dropna().to_numpy(bool)
    n, k = int(left.size), int(np.sum(left))
    lo, hi = wilson_interval(k, n)
    rate = pd.DataFrame({"Quantity": ["Customers", "Churned", "Churn rate, %"],
                         "Value": [float(n), float(k), 100 * k / n],
                         "lower": [np.nan, np.nan, 100 * lo],
                         "upper": [np.nan, np.nan, 100 * hi]})  # fmt: skip
    t0 = Table("churn_rate", "Churn", rate,
               {"Quantity": "what is counted", "Value": "its value",
                "lower": "95% Wilson interval, lower", "upper": "95% Wilson interval, upper"},
               {"Value": ("int", "int", "num1"), "lower": "num1", "upper": "num1"},
               (("95% CI", "lower", "upper", "num1"),))  # fmt: skip
    tables, notes = [t0], []
    ctx["churn_rate"] = (100 * k / n, 100 * lo, 100 * hi, n)
    if tenure is None:
        why = ("the codebook declares no tenure role (roles: tenure: COLUMN)"
               if plan.codebook is not None else "no tenure column was declared")  # fmt: skip
        notes.append(f"Life table and Cox model skipped: {why}.")
    else:
        lt, ws = caught(lambda: life_table(frame, tenure=tenure, churn=col, positive=positive))
        notes += ws
        lf = lt.table
        life = pd.DataFrame(
            {
                "Period": lf["period"].astype(int).to_numpy(),
                "At risk": lf["at_risk"].astype(int).to_numpy(),
                "Churned": lf["churned"].astype(int).to_numpy(),
                "Censored": lf["censored"].astype(int).to_numpy(),
                "Still customers, %": 100 * lf["survival"].to_numpy(float),
            }
        )
        if len(life) > 40:  # long tenure ranges: every k-th period keeps the table short
            step = int(np.ceil(len(life) / 40))
            life = life.iloc[::step].reset_index(drop=True)
        tables.append(Table("life_table", f"Life table of {plan.label(tenure)}", life,
                            {"Period": "tenure period", "At risk": "customers at its start",
                             "Churned": "left during it", "Censored": "still customers, last "
                             "seen in it", "Still customers, %": "Kaplan–Meier survival"},
                            {"Still customers, %": "num1"}))  # fmt: skip
        if plan.sat:
            res, ws = caught(lambda: cox(frame, ["Satisfaction"], tenure=tenure, churn=col,
                                         positive=positive))  # fmt: skip
            notes += ws
            ct = res.table
            hz = pd.DataFrame(
                {
                    "Predictor": ["Satisfaction (per scale point)"],
                    "Hazard ratio": ct["hazard_ratio"].to_numpy(float),
                    "lower": ct["lower"].to_numpy(float),
                    "upper": ct["upper"].to_numpy(float),
                    "p": ct["p"].to_numpy(float),
                    "Customers": [int(res.n)],
                    "Churned": [int(res.n_events)],
                }
            )
            tables.append(Table("cox", "Churn hazard and satisfaction (Cox model)", hz,
                                {"Predictor": "covariate", "Hazard ratio": "multiplier of the "
                                 "churn hazard per point", "lower": "95% interval, lower",
                                 "upper": "95% interval, upper", "p": "two-sided p-value",
                                 "Customers": "used", "Churned": "events"},
                                {"Hazard ratio": "num3", "lower": "num3", "upper": "num3",
                                 "p": "p"},
                                (("95% CI", "lower", "upper", "num3"),)))  # fmt: skip
            ctx["cox"] = hz
        else:
            notes.append(f"Cox model skipped: {plan.role_hint('satisfaction')}.")
    body = "".join(t.to_html() for t in tables)
    method = CITE_CHURN + (" " + CITE_RETENTION if tenure is not None else "")
    return Section("retention", title, body, tuple(notes), tuple(tables), method)


def worth_section(clean, plan: Plan, economics, n_boot, seed, ctx: dict) -> Section | None:
    """What a one-point rise of the top driver's block is worth (``economics.what_if``)."""
    from ...economics import what_if

    title = "What a one-point improvement is worth"
    if not economics:
        return None
    if plan.churn is None or not plan.sat or "drivers" not in ctx:
        return skip("worth", title, "skipped: needs a churn role, satisfaction items and the "
                    "key drivers.")  # fmt: skip
    top = ctx["top_block"]
    # the blocks named by their labels, so that warnings name them as the report does
    res, notes = caught(lambda: what_if(
        clean, dimension=plan.block_names()[top], delta=1.0,
        instrument=plan.labelled_instrument(), satisfaction=plan.sat,
        churn=plan.churn[0], positive=plan.churn[1], n_boot=max(n_boot, 40), seed=seed,
        progress=False, **economics))  # fmt: skip
    t = res.table
    frame = pd.DataFrame({"Quantity": [_WORTH.get(q, str(q).replace("_", " "))
                                       for q in t["quantity"]],
                          "Estimate": t["estimate"].to_numpy(float),
                          "lower": t["lower"].to_numpy(float),
                          "upper": t["upper"].to_numpy(float),
                          "Unit": [str(u) for u in t["unit"]]})  # fmt: skip
    # money and customer counts as whole numbers, rates with decimals
    kinds = tuple(
        "int"
        if q in ("delta_value", "delta_customers")
        else ("num3" if q == "delta_retention" else "num2")
        for q in t["quantity"]
    )
    table = Table("worth", f"A one-point rise in {plan.label(top)}", frame,
                  {"Quantity": "effect on", "Estimate": "change", "lower": "95% interval, lower",
                   "upper": "95% interval, upper", "Unit": "unit"},
                  {"Estimate": kinds, "lower": kinds, "upper": kinds},
                  (("95% CI", "lower", "upper", kinds),))  # fmt: skip
    ctx["worth"], ctx["worth_block"] = table, top
    return Section(
        "worth", title, table.to_html(), notes + tuple(res.warnings), (table,), CITE_WORTH
    )
