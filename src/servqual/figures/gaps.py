"""Gap-model figures: model diagram, unit caterpillar of gap 5, SERVQUAL vs SERVPERF."""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from ._registry import FigureSpec, register

__all__ = ["plot_gap_model", "plot_gap5_caterpillar", "plot_servqual_vs_servperf"]

_GAP_LABELS = {
    "gap1": "Gap 1\nmanagers' view of\nexpectations",
    "gap2": "Gap 2\nservice standards",
    "gap3": "Gap 3\nservice delivery",
    "gap4": "Gap 4\nexternal\ncommunications",
}
_BOX = {"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.2", "lw": 1}


def _arrow(ax, start, end, *, solid: bool, width: float = 1.2):
    return ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "lw": width,
            "color": "0.15",
            "linestyle": "-" if solid else "--",
            "shrinkA": 0,
            "shrinkB": 0,
        },
    )


def plot_gap_model(explanation, multilevel=None, *, ax=None):
    """Diagram of the gap model with estimated effects.

    Antecedents -> gaps 1-4 -> gap 5 (-> satisfaction when ``multilevel`` is
    given).  Arrows carry the unstandardised estimates of
    :func:`servqual.gaps.explain_gap5` (and :func:`servqual.gaps.multilevel`);
    solid arrows have a CI excluding 0, dashed ones do not.  Every effect
    label is a Text artist with gid ``"effect:<from>-><to>"``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from servqual.gaps import simulate_units, unit_scores, explain_gap5
    >>> data = simulate_units(30, 25, 8, seed=1, managers_per_unit=8)[:3]
    >>> ex = explain_gap5(unit_scores(*data))
    >>> ax = plot_gap_model(ex, ax=Figure().add_subplot())
    >>> sum(1 for t in ax.texts if (t.get_gid() or "").startswith("effect:gap"))
    4
    """
    ax = ax if ax is not None else plt.gca()
    coefs = explanation.coefficients.set_index(["model", "term"])
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_axis_off()
    ys = {"gap1": 8.6, "gap2": 6.2, "gap3": 3.8, "gap4": 1.4}
    x_ante, x_gap, x_g5, x_sat = 1.3, 4.0, 6.6, 9.0
    g5_y = 5.0

    def sig(key):
        r = coefs.loc[key]
        return not (r["ci_low"] <= 0 <= r["ci_high"])

    for gap, y in ys.items():
        ax.text(x_gap, y, _GAP_LABELS[gap], ha="center", va="center", fontsize=7, bbox=_BOX,
                gid=f"box:{gap}")  # fmt: skip
        if gap in coefs.index.get_level_values(0):
            terms = [t for t in coefs.loc[gap].index if t != "Intercept"]
            lines = [f"{t} {coefs.loc[(gap, t), 'estimate']:+.2f}" for t in terms]
            ax.text(x_ante, y, "\n".join(lines), ha="center", va="center", fontsize=5.5,
                    bbox={**_BOX, "fc": "0.95"}, gid=f"antecedents:{gap}")  # fmt: skip
            _arrow(ax, (x_ante + 0.75, y), (x_gap - 1.0, y), solid=True, width=0.8)
        key = ("gap5", gap)
        est = coefs.loc[key, "estimate"]
        share = explanation.importance.set_index(["model", "term"]).loc[key, "share"]
        _arrow(ax, (x_gap + 1.0, y), (x_g5 - 0.8, g5_y + (y - g5_y) * 0.12), solid=sig(key),
               width=0.6 + 3 * max(share, 0))  # fmt: skip
        mx, my = (x_gap + 1.0 + x_g5 - 0.8) / 2, (y + g5_y + (y - g5_y) * 0.12) / 2
        ax.text(mx, my + 0.35, f"{est:+.2f}", ha="center", va="bottom", fontsize=7,
                gid=f"effect:{gap}->gap5")  # fmt: skip
    fit = explanation.fit.set_index("model")
    ax.text(x_g5, g5_y, f"Gap 5\nP − E\nR² = {fit.loc['gap5', 'r2']:.2f}", ha="center",
            va="center", fontsize=7, bbox=_BOX, gid="box:gap5")  # fmt: skip
    if multilevel is not None:
        f = multilevel.fixed.set_index("term")
        ax.text(x_sat, g5_y, "Satisfaction", ha="center", va="center", fontsize=7, bbox=_BOX,
                gid="box:SAT")  # fmt: skip
        pe_sig = not (f.loc["PE", "ci_low"] <= 0 <= f.loc["PE", "ci_high"])
        _arrow(ax, (x_g5 + 0.7, g5_y), (x_sat - 0.85, g5_y), solid=pe_sig, width=2)
        ax.text((x_g5 + x_sat) / 2, g5_y + 0.3, f"{f.loc['PE', 'estimate']:+.2f}", ha="center",
                va="bottom", fontsize=7, gid="effect:gap5->SAT")  # fmt: skip
        direct = [t for t in f.index if t.startswith("gap")]
        lines = [f"{t}: {f.loc[t, 'estimate']:+.2f}" for t in direct]
        ax.text(x_sat, g5_y - 1.6, "direct (unit level)\n" + "\n".join(lines), ha="center",
                va="top", fontsize=5.5, gid="direct:SAT")  # fmt: skip
    ax.set_title(
        f"Gap model (n = {int(explanation.fit['n_units'].max()):,} units): unstandardised "
        "effects (scale points per scale point)\n"
        f"solid: {explanation.ci:.0%} CI excludes 0; arrow width: Shapley share of R²",
        fontsize=8,
    )
    return ax


def plot_gap5_caterpillar(scores, *, ci: float = 0.95, ax=None):
    """Units ranked by gap 5 (overall P − E) with t-based CIs over their customers.

    Filled markers: units whose CI excludes the mean over units (the dashed
    line); open markers: units whose CI includes it.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from servqual.gaps import simulate_units, unit_scores
    >>> sc = unit_scores(*simulate_units(12, 8, 3, seed=1)[:3])
    >>> ax = plot_gap5_caterpillar(sc, ax=Figure().add_subplot())
    >>> len(ax.lines[0].get_xdata()) + len(ax.lines[1].get_xdata())
    12
    """
    ax = ax if ax is not None else plt.gca()
    t = scores.table.sort_values("gap5_overall").reset_index(drop=True)
    q = stats.t.ppf(0.5 + ci / 2, t["n_customers"] - 1)
    half = q * t["gap5_overall_se"].to_numpy()
    est = t["gap5_overall"].to_numpy()
    grand = float(np.mean(est))
    out = (est - half > grand) | (est + half < grand)
    x = np.arange(1, len(t) + 1)
    for mask, fill, label in ((out, "full", "CI excludes the mean of units"),
                              (~out, "none", "CI includes it")):  # fmt: skip
        ax.plot(x[mask], est[mask], "o", ms=4, fillstyle=fill, color="C0", label=label,
                zorder=3)  # fmt: skip
    ax.vlines(x, est - half, est + half, color="0.4", lw=0.8, zorder=2)
    ax.axhline(grand, ls="--", color="0.3", lw=1)
    ax.axhline(0, ls=":", color="0.5", lw=0.8)
    ax.set_xlabel("Units, ranked by gap 5 (rank)")
    ax.set_ylabel(f"Gap 5: mean P − E (scale points), {ci:.0%} CI")
    n_cust = int(t["n_customers"].sum())
    ax.set_title(f"Gap 5 by service unit (n = {len(t):,} units, {n_cust:,} customers)")
    ax.legend(loc="upper left")
    return ax


def plot_servqual_vs_servperf(result, *, ax=None):
    """Grouped bars of R², adjusted R² and cross-validated R² for P − E vs P only.

    Bar heights are ``result.table`` values, whiskers their bootstrap CIs.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from servqual.gaps import simulate_units, servqual_vs_servperf
    >>> res = servqual_vs_servperf(simulate_units(10, 10, 2, seed=1)[0], n_boot=40, seed=1,
    ...                            progress=False)
    >>> ax = plot_servqual_vs_servperf(res, ax=Figure().add_subplot())
    >>> len(ax.patches)
    6
    """
    ax = ax if ax is not None else plt.gca()
    metrics = [("r2", "R²"), ("adj_r2", "Adjusted R²"), ("cv_r2", f"{result.folds}-fold CV R²")]
    x = np.arange(len(metrics))
    width = 0.38
    for m, (row, hatch, colour) in enumerate(
        zip(result.table.itertuples(index=False), ("", "//"), ("C0", "C1"))
    ):
        vals = np.array([getattr(row, k) for k, _ in metrics])
        lo = np.array([getattr(row, f"{k}_low") for k, _ in metrics])
        hi = np.array([getattr(row, f"{k}_high") for k, _ in metrics])
        pos = x + (m - 0.5) * width
        ax.bar(pos, vals, width, color=colour, hatch=hatch, edgecolor="0.2", label=row.model)
        ax.errorbar(pos, vals, yerr=[vals - lo, hi - vals], fmt="none", ecolor="0.1", capsize=3)
    top = float(np.nanmax(result.table[[f"{k}_high" for k, _ in metrics]].to_numpy()))
    ax.set_ylim(0, max(top, 0.05) * 1.3)
    ax.set_xticks(x, [lab for _, lab in metrics])
    ax.set_xlabel("Fit statistic")
    ax.set_ylabel(f"Satisfaction variance explained (proportion), {result.ci:.0%} CI")
    ax.set_title(f"SERVQUAL vs SERVPERF (n = {result.n:,} customers)")
    ax.legend(loc="upper right")
    return ax


@functools.lru_cache(maxsize=1)
def _study():
    from ..gaps import explain_gap5, multilevel, servqual_vs_servperf, simulate_units, unit_scores

    cust, man, staff, _ = simulate_units(90, 20, 4, seed=1988)
    scores = unit_scores(cust, man, staff)
    comparison = servqual_vs_servperf(cust, n_boot=200, seed=1992, progress=False)
    return scores, explain_gap5(scores), multilevel(scores), comparison


register(
    FigureSpec(
        name="gap_model_diagram_sim",
        draw=lambda ax, d: plot_gap_model(d[1], d[2], ax=ax),
        data=_study,
        figsize=(7.5, 5.0),
        description="Gap model with estimated effects, simulated 90-unit study.",
        tags=("gaps",),
    )
)
register(
    FigureSpec(
        name="gap5_caterpillar_sim",
        draw=lambda ax, d: plot_gap5_caterpillar(d[0], ax=ax),
        data=_study,
        figsize=(6.4, 4.0),
        description="Gap 5 per unit with 95% CIs, simulated 90-unit study.",
        tags=("gaps",),
    )
)
register(
    FigureSpec(
        name="servqual_vs_servperf_sim",
        draw=lambda ax, d: plot_servqual_vs_servperf(d[3], ax=ax),
        data=_study,
        figsize=(6.4, 4.0),
        description="R², adjusted R² and CV R² of P−E vs P-only predictors of satisfaction.",
        tags=("gaps",),
    )
)
