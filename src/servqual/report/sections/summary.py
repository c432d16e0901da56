"""The executive summary: headline metrics, the gap profile, top drivers, priorities, worth."""

from __future__ import annotations

import html

import pandas as pd

from ..fmt import Table, interval, num, pct
from ..model import Section
from ..plan import Plan, weights_of
from .quality import mean_ci

TOP = 3


def _kpi(label: str, value: str, detail: str) -> str:
    return (f"<div class='kpi'><div class='label'>{html.escape(label)}</div>"
            f"<div class='value'>{html.escape(value)}</div>"
            f"<div class='detail'>{html.escape(detail)}</div></div>")  # fmt: skip


def kpis(ctx: dict) -> str:
    cards = []
    if "nps" in ctx:
        r = ctx["nps"]
        cards.append(
            _kpi(
                "Net Promoter Score",
                num(r.nps, 1),
                f"95% CI {interval(r.ci_lower, r.ci_upper, 1)}, n = {r.n}",
            )
        )
    if "csat" in ctx:
        c = ctx["csat"]
        cards.append(
            _kpi(
                "Satisfied customers (CSAT)",
                pct(c.csat),
                f"95% CI {interval(c.ci_lower, c.ci_upper, 1, '%')}, n = {c.n}",
            )
        )
    if "gap" in ctx:
        g = ctx["gap"]
        label = "Service-quality gap (P − E)" if g["what"] == "gap" else "Mean rating"
        cards.append(
            _kpi(
                label,
                num(g["mean"], 2),
                f"95% CI {interval(g['lower'], g['upper'], 2)}, n = {g['n']}",
            )
        )
    return f"<div class='kpis'>{''.join(cards)}</div>" if cards else ""


def block_means(comp, plan: Plan) -> Table:
    """Mean score of each block with its interval (a perceptions-only survey's profile)."""
    rows = []
    w = weights_of(comp, plan)
    for d in plan.instrument.dimensions:
        x = comp[d].to_numpy(float)
        keep = ~pd.isna(x)
        m = mean_ci(x[keep], None if w is None else w[keep])
        rows.append(
            {
                "Block": plan.label(d),
                "Respondents": int(keep.sum()),
                "Mean rating": m["mean"],
                "lower": m["lower"],
                "upper": m["upper"],
            }
        )
    lo, hi = plan.instrument.scale
    return Table("block_means", f"Mean rating of each block (scale {lo:g}-{hi:g})",
                 pd.DataFrame(rows),
                 {"Block": "block", "Respondents": "answered at least one of its questions",
                  "Mean rating": "mean of the block's items, averaged over respondents",
                  "lower": "95% interval, lower", "upper": "95% interval, upper"},
                 {"Mean rating": "num2", "lower": "num2", "upper": "num2"},
                 (("95% CI", "lower", "upper", "num2"),))  # fmt: skip


def executive_summary(plan: Plan, comp, ctx: dict, priorities: Table | None) -> Section:
    """The first section of the report, built from what the sections computed."""
    parts, tables = [kpis(ctx)], []
    if "headline" in ctx:
        parts.append(ctx["headline"].to_html())
        tables.append(ctx["headline"])
    if "profile" in ctx:
        t = ctx["profile"]
        gaps = t.frame.sort_values("Gap (P − E)")
        worst = gaps.iloc[0]
        parts.append(f"<h3>Gap profile</h3><p>The largest shortfall against expectations is "
                     f"in {html.escape(str(worst['Block']))} (gap "
                     f"{num(worst['Gap (P − E)'])}).</p>")  # fmt: skip
        parts.append(t.to_html() + ctx.get("profile_img", ""))
        tables.append(t)
    elif plan.instrument.dimensions and all(d in comp for d in plan.instrument.dimensions):
        t = block_means(comp, plan)
        ctx["block_means"] = t
        parts.append(
            "<h3>Block profile</h3><p>A perceptions-only survey: no expectations, "
            "so the profile shows each block's mean rating.</p>" + t.to_html()
        )
        tables.append(t)
    if "drivers" in ctx:
        d = ctx["drivers"]
        top = Table("top_drivers", f"Top {TOP} drivers of satisfaction",
                    d.frame.head(TOP).reset_index(drop=True), d.describe, d.formats,
                    d.intervals)  # fmt: skip
        lead = top.frame.iloc[0]
        parts.append(f"<h3>Top drivers</h3><p>{html.escape(str(lead['Block']))} accounts for "
                     f"{pct(lead['Share of explained variance'])} of the variance of "
                     "satisfaction the blocks explain "
                     f"(R² = {ctx['drivers_r2']:.3f}).</p>" + top.to_html())  # fmt: skip
        tables.append(top)
    if priorities is not None:
        act = priorities.frame.loc[priorities.frame["Priority"] == "act now", "Block"]
        if len(act):
            text = ("Both importance–performance analysis and penalty–reward analysis point "
                    f"to: {html.escape(', '.join(map(str, act)))}.")  # fmt: skip
        else:
            text = (
                "The two methods agree on no block: none is both important-but-weak "
                "(IPA) and clearly penalising when rated low (penalty–reward)."
            )
        parts.append(f"<h3>Priority actions</h3><p>{text}</p>" + priorities.to_html())
        tables.append(priorities)
    if "worth" in ctx:
        w = ctx["worth"]
        shown = w.shown().set_index("Quantity")
        value = "Change in value (net present value over the horizon)"
        text = ""
        if value in shown.index:
            text = (f"<p>Raising {html.escape(plan.label(ctx['worth_block']))} by one point "
                    f"is worth {shown.loc[value, 'Estimate']} (95% CI "
                    f"{shown.loc[value, '95% CI']}) in net present value over the horizon, "
                    "in the currency of the margin given.</p>")  # fmt: skip
        parts.append(f"<h3>What a one-point improvement is worth</h3>{text}{w.to_html()}")
        tables.append(w)
    method = (
        "Details, methods and citations are in the sections below; "
        "the technical appendix holds the measurement model."
    )
    return Section("summary", "Executive summary", "".join(parts), (), tuple(tables), method)
