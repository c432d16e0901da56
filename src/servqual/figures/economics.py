"""Loyalty-economics figures: Reichheld-Sasser region, complaint funnel, Bass with
negative word of mouth, sBG retention curves, what-if money chart, claim sensitivity."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Polygon, Rectangle
from scipy.special import logit

from ..claims import repurchase_ratio
from ..complaints import complaint_funnel
from ..customer_base import steady_state_referral_share
from ..diffusion import bass_negative_wom
from ..retention import fit_sbg, reichheld_sasser_grid, retention_uplift
from ._registry import FigureSpec, register

__all__ = [
    "plot_reichheld_region",
    "plot_complaint_funnel",
    "plot_bass_wom",
    "plot_sbg",
    "plot_what_if",
    "plot_claim_sensitivity",
]

_BRANCH_LABELS = {
    "silent": "Did not complain",
    "unresolved": "Complained, not satisfied",
    "resolved": "Complained, satisfied",
    "resolved_quickly": "Satisfied quickly",
}
_HATCHES = ("", "//", "..", "xx")


def plot_reichheld_region(grid, *, ax=None):
    """Uplift of 5 points less defection over (defection, discount), with the
    [25%, 85%] region outlined.

    ``grid`` is a :func:`servqual.retention.reichheld_sasser_grid` frame with a
    single growth and acquisition value.  Returns the Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> g = reichheld_sasser_grid(defection=[0.1, 0.2], discount=[0.0, 0.1],
    ...                           growth=[0.1], acquisition=[1.0])
    >>> ax = plot_reichheld_region(g, ax=Figure().add_subplot())
    >>> ax.get_xlabel()
    'Annual defection rate before (%)'
    """
    ax = ax if ax is not None else plt.gca()
    for col in ("growth", "acquisition"):
        if grid[col].nunique() != 1:
            raise ValueError(f"grid must hold a single {col} value; got {grid[col].nunique()}.")
    dfx = np.sort(grid["defection"].unique())
    dsc = np.sort(grid["discount"].unique())
    z = (
        grid.pivot(index="discount", columns="defection", values="uplift_pct")
        .loc[dsc, dfx]
        .to_numpy()
    )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ax.contourf(
        100 * dfx,
        100 * dsc,
        np.where(np.isnan(z), -1.0, z),
        levels=[-1.5, 0, 25, 85, np.inf],
        hatches=["xx", "", "//", ".."],
        colors=["0.9", colors[4], colors[1], colors[0]],
        alpha=0.8,
    )
    cs = ax.contour(
        100 * dfx, 100 * dsc, z, levels=[25, 85], colors=["k", "k"], linestyles=["--", "-"]
    )
    ax.clabel(cs, fmt={25: "+25%", 85: "+85%"}, fontsize=7)
    names = ["NPV before <= 0", "uplift < 25%", "25% to 85% (the claim)", "uplift > 85%"]
    handles = [
        Patch(facecolor=c, hatch=h, label=n, alpha=0.8)
        for c, h, n in zip(["0.9", colors[4], colors[1], colors[0]], ["xx", "", "//", ".."], names)
    ]
    ax.legend(
        handles=handles,
        loc="upper right",
        title="Profit (NPV) uplift per customer",
        frameon=True,
        facecolor="white",
        framealpha=0.95,
    )
    g, a = grid["growth"].iloc[0], grid["acquisition"].iloc[0]
    ax.set_xlabel("Annual defection rate before (%)")
    ax.set_ylabel("Discount rate (% per year)")
    ax.set_title(f"5 points less defection (model): profit growth {g:.0%}/yr, acquisition {a:g}x")
    return ax


def plot_complaint_funnel(funnel, *, ax=None):
    """Sankey-like funnel: problems -> complaint branches -> stay / leave.

    Bar heights are the branch sizes and retained/lost counts of ``funnel``
    (:func:`servqual.wom.complaint_funnel`); each column stacks to the number
    of customers with a problem, so no bar leaves the count axis.  Returns the
    Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = plot_complaint_funnel(complaint_funnel(1000), ax=Figure().add_subplot())
    >>> round(ax.patches[0].get_height())   # customers with a problem
    1000
    """
    ax = ax if ax is not None else plt.gca()
    tab = funnel.table
    total = float(tab["customers"].sum())
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ax.add_patch(Rectangle((0, 0), 0.3, total, color="0.5", label="_problems"))
    y = 0.0
    ystay, yleave = 0.0, float(tab["retained"].sum())
    for i, row in tab.reset_index(drop=True).iterrows():
        h = float(row["customers"])
        c = colors[i % len(colors)]
        # band from the problems bar to the branch bar (the same stacking order)
        ax.add_patch(Polygon([(0.3, y), (1.0, y), (1.0, y + h), (0.3, y + h)], closed=True,
                             color=c, alpha=0.3, lw=0))  # fmt: skip
        ax.add_patch(
            Rectangle(
                (1.0, y), 0.3, h, facecolor=c, hatch=_HATCHES[i % len(_HATCHES)], edgecolor="k",
                lw=0.3, label=f"{_BRANCH_LABELS.get(row['branch'], row['branch'])} ({h:,.0f})",
            )
        )  # fmt: skip
        ret, lost = float(row["retained"]), float(row["lost"])
        ax.add_patch(Polygon([(1.3, y), (2.0, ystay), (2.0, ystay + ret), (1.3, y + ret)],
                             closed=True, color=c, alpha=0.3, lw=0))  # fmt: skip
        ax.add_patch(Polygon([(1.3, y + ret), (2.0, yleave), (2.0, yleave + lost), (1.3, y + h)],
                             closed=True, color=c, alpha=0.3, lw=0))  # fmt: skip
        ystay += ret
        yleave += lost
        y += h
    ax.add_patch(
        Rectangle((2.0, 0), 0.3, ystay, facecolor=colors[2], edgecolor="k", lw=0.3, label="_stay")
    )
    y0 = float(tab["retained"].sum())
    ax.add_patch(
        Rectangle((2.0, y0), 0.3, yleave - y0, facecolor=colors[5], hatch="\\\\",
                  edgecolor="k", lw=0.3, label="_leave")
    )  # fmt: skip
    box = dict(boxstyle="round,pad=0.25", fc="white", ec="0.3", lw=0.5)
    ax.text(0.15, total * 1.015, f"{total:,.0f} with a problem", ha="center", va="bottom",
            fontsize=7)  # fmt: skip
    for lo, hi, what in ((0.0, ystay, "buy again"), (y0, yleave, "leave")):
        ax.text(2.15, (lo + hi) / 2, f"{what}\n{hi - lo:,.0f} ({(hi - lo) / total:.0%})",
                ha="center", va="center", fontsize=7, bbox=box)  # fmt: skip
    ax.set_xlim(-0.25, 2.5)
    ax.set_ylim(0, total * 1.1)
    ax.set_xticks([0.15, 1.15, 2.15], ["Problem", "Complaint branch", "Outcome"])
    ax.set_xlabel("Funnel stage")
    ax.set_ylabel("Customers (count)")
    p = funnel.settings
    ax.set_title(
        f"TARP funnel (model, {total:,.0f} customers with a problem): "
        f"{p['channel'].replace('_', ' ')},\ncomplaint rate {p['complaint_rate']:.1%}, "
        f"{p['ticket']} ticket"
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="Complaint branch (customers)")
    return ax


def plot_bass_wom(curves, *, ax=None):
    """Current adopters over time for several Bass/negative-WOM scenarios.

    ``curves`` maps a label to a :func:`servqual.wom.bass_negative_wom` frame.
    Returns the Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> c = {"plain": bass_negative_wom([0, 5, 10], 0.03, 0.38, m=100)}
    >>> ax = plot_bass_wom(c, ax=Figure().add_subplot())
    >>> [round(float(v), 1) for v in ax.lines[0].get_ydata()]
    [0.0, 33.1, 81.3]
    """
    ax = ax if ax is not None else plt.gca()
    for (label, df), ls, mk in zip(curves.items(), ("-", "--", ":", "-."), "osd^"):
        ax.plot(
            df["t"],
            df["adopters"],
            ls=ls,
            marker=mk,
            markevery=max(len(df) // 10, 1),
            ms=4,
            label=label,
        )
    ax.set_xlabel("Time (years)")
    ax.set_ylabel("Current adopters (customers)")
    ax.set_title("Bass diffusion with negative word of mouth and churn (model)")
    ax.legend()
    return ax


def plot_sbg(results, *, periods: int = 12, ax=None):
    """Observed and sBG-fitted survival curves; ``results`` maps label -> SBGResult.

    Returns the Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> res = {"Regular": fit_sbg(_FH_REGULAR)}
    >>> ax = plot_sbg(res, periods=4, ax=Figure().add_subplot())
    >>> [round(float(v), 1) for v in ax.lines[0].get_ydata()]
    [100.0, 62.7, 47.4, 38.8, 33.2]
    """
    ax = ax if ax is not None else plt.gca()
    sizes = [getattr(r, "n", None) for r in results.values()]
    cohorts = ", ".join(f"n = {s:,}" for s in sizes) if all(sizes) else "cohort data, % of start"
    for (label, res), mk in zip(results.items(), "os^d"):
        fc = res.forecast(periods)
        (line,) = ax.plot(
            fc["period"],
            100 * fc["survival"],
            label=f"{label}: sBG (α={res.alpha:.3f}, β={res.beta:.3f})",
        )
        ax.plot(
            fc["period"],
            100 * fc["observed"],
            ls="none",
            marker=mk,
            color=line.get_color(),
            label=f"{label}: observed",
        )
    ax.axvline(max(r.n_periods for r in results.values()), color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("Time since acquisition (years)")
    ax.set_ylabel("Customers still active (%)")
    ax.set_title(f"Shifted-beta-geometric retention (model fits; {cohorts})")
    ax.legend()
    return ax


_QUANTITY_LABELS = {
    "delta_value": "Gain in customer-base value (NPV over {horizon} periods)",
    "delta_clv": "Gain in customer lifetime value per customer",
    "delta_customers": "Extra customers at the horizon",
    "delta_satisfaction": "Gain in satisfaction",
    "delta_retention": "Gain in retention probability",
    "delta_clv_pct": "Gain in customer lifetime value",
    "delta_wom_positive": "Extra positive mentions per customer",
    "delta_wom_negative": "Change in negative mentions per customer",
}
_SCALES = ((1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def plot_what_if(results, *, quantity: str = "delta_value", currency: str | None = None, ax=None):
    """Estimate and bootstrap interval of a what-if money quantity per scenario.

    ``results`` maps a label (e.g. the dimension raised) to a
    :class:`servqual.economics.WhatIfResult` (all with the same ``delta`` and
    ``ci``).  Money is in the unit of the ``margin`` given to ``what_if``:
    name it with ``currency`` (e.g. ``"EUR"``; default "currency units").
    Large amounts are shown in thousands, millions or billions, said in the
    axis label (no offset text).  Returns the Axes.

    Examples
    --------
    >>> import servqual
    >>> from matplotlib.figure import Figure
    >>> from servqual.economics import what_if
    >>> df, _ = servqual.simulate_survey(400, seed=1)
    >>> res = {"reliability": what_if(df, n_boot=40, seed=1, progress=False)}
    >>> ax = plot_what_if(res, currency="EUR", ax=Figure().add_subplot())
    >>> ax.get_xlabel()
    'Gain in customer-base value (NPV over 10 periods)\\n(million EUR; 95% bootstrap CI)'
    """
    ax = ax if ax is not None else plt.gca()
    labels = list(results)
    rows = [r.table.set_index("quantity").loc[quantity] for r in results.values()]
    est = np.array([float(r["estimate"]) for r in rows])
    lo = np.array([float(r["lower"]) for r in rows])
    hi = np.array([float(r["upper"]) for r in rows])
    first = next(iter(results.values())).settings
    ci, delta = first["ci"], first["delta"]
    unit = str(rows[0]["unit"])
    money = unit.startswith("money")
    if money:
        big = np.nanmax(np.abs(np.r_[est, lo, hi])) if len(est) else 0.0
        factor, word = next(((f, w) for f, w in _SCALES if big >= f), (1.0, ""))
        unit = " ".join(x for x in (word, currency or "currency units") if x)
        if "customer" in rows[0]["unit"]:
            unit += " per customer"
    else:
        factor = 1.0
    est, lo, hi = est / factor, lo / factor, hi / factor
    y = np.arange(len(labels))[::-1]
    ax.barh(y, est, color="C0", alpha=0.35, edgecolor="k", lw=0.5, hatch="//")
    ax.errorbar(est, y, xerr=np.vstack([est - lo, hi - est]), fmt="o", color="k", capsize=3)
    ax.set_yticks(y, [str(lab).capitalize() for lab in labels])
    ax.axvline(0, color="k", lw=0.8)
    what = _QUANTITY_LABELS.get(quantity, quantity.replace("_", " ")).format(
        horizon=first.get("horizon", "")
    )
    ax.set_xlabel(f"{what}\n({unit}; {ci:.0%} bootstrap CI)")
    pts = f"{delta:g} point" + ("" if delta == 1 else "s")
    ax.set_ylabel(f"Dimension raised by {pts}")
    n = first.get("n")
    ax.set_title(
        f"What if? Money effect of +{pts} on each dimension" + (f" (n = {n:,})" if n else "")
    )
    return ax


def plot_claim_sensitivity(fig, data=None):
    """Four panels: how each reproducible claim moves with its assumptions.

    Draws on ``fig`` (``data`` is unused; the registry passes ``None``) and
    returns it.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = plot_claim_sensitivity(Figure(figsize=(11, 3.6)))
    >>> [ax.get_title() for ax in fig.axes]  # doctest: +NORMALIZE_WHITESPACE
    ['TARP: silent exits', 'Reichheld & Sasser', 'Referral share (steady state)',
     'Jones & Sasser: "6x"']
    """
    axs = fig.subplots(1, 4)
    c = np.linspace(0.02, 0.9, 45)
    for ticket, ls in (("small", "-"), ("large", "--")):
        share = [
            complaint_funnel(1000, complaint_rate=float(x), ticket=ticket).silent_exit_share
            for x in c
        ]
        axs[0].plot(100 * c, 100 * np.array(share), ls=ls, label=f"{ticket} ticket")
    axs[0].axhline(96, color="k", lw=0.8, ls=":", label="claimed 96%")
    axs[0].set_xlabel("Complaint rate (%)")
    axs[0].set_ylabel("Leave without complaining (% of problems)")
    axs[0].set_title("TARP: silent exits")
    fig.suptitle("Sensitivity of the reproducible claims (model calculations, no sample)")
    axs[0].legend()
    x = np.linspace(0.16, 0.40, 25)  # d + (1 - r); r1 = r0 + 0.05 < 1
    up = [
        retention_uplift(1.10 - v, 1.15 - v, 0.10, forms=["start"])["uplift_pct"].iloc[0] for v in x
    ]
    axs[1].plot(100 * x, up, marker="o", ms=3, label="+5 points (start form)")
    axs[1].axhspan(25, 85, color="0.85", label="claimed 25-85%")
    axs[1].set_xlabel("Discount + churn, d + (1 − r) (%)")
    axs[1].set_ylabel("Customer value uplift (%)")
    axs[1].set_title("Reichheld & Sasser")
    axs[1].legend()
    rho = np.linspace(0.0, 0.18, 37)
    for r, ls in ((0.7, "-"), (0.8, "--"), (0.9, ":")):
        share = [steady_state_referral_share(r, float(v)) for v in rho if r + v < 1]
        axs[2].plot(rho[: len(share)], 100 * np.array(share), ls=ls, label=f"r = {r}")
    axs[2].axhline(60, color="k", lw=0.8, ls="-.", label="claimed 60%")
    axs[2].set_xlabel("Referrals per customer per period (ρ)")
    axs[2].set_ylabel("New customers from referrals (%)")
    axs[2].set_title("Referral share (steady state)")
    axs[2].legend()
    for p5, ls in ((0.7, "-"), (0.9, "--"), (0.99, ":")):
        p4 = np.linspace(0.05, p5, 40)
        ratio = [repurchase_ratio(float(v), float(logit(p5) - logit(v))) for v in p4]
        axs[3].plot(100 * p4, ratio, ls=ls, label=f"P(buy again | 5) = {p5:.0%}")
    axs[3].axhline(6, color="k", lw=0.8, ls="-.", label="claimed 6x")
    axs[3].set_xlabel("P(buy again | merely satisfied, 4/5) (%)")
    axs[3].set_ylabel("Repurchase ratio, totally / merely (x)")
    axs[3].set_title('Jones & Sasser: "6x"')
    axs[3].legend()
    return fig


# --------------------------------------------------------------------------- registry

# Fader & Hardie (2007), J. Interactive Marketing 21(1), Table 1 (% alive, years 0-7)
_FH_REGULAR = [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1]
_FH_HIGH_END = [100, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1]


def _region_data():
    return reichheld_sasser_grid(
        defection=np.round(np.arange(0.08, 0.505, 0.01), 3),
        discount=np.round(np.arange(0.0, 0.2505, 0.01), 3),
        growth=[0.10],
        acquisition=[1.0],
    )


def _bass_data():
    t = np.linspace(0, 30, 121)
    return {
        "Bass (no negative WOM, no churn)": bass_negative_wom(t, 0.03, 0.38, m=1000),
        "churn 10%/yr": bass_negative_wom(t, 0.03, 0.38, churn=0.1, m=1000),
        "churn 10%/yr + negative WOM": bass_negative_wom(
            t, 0.03, 0.38, q_negative=1.0, churn=0.1, m=1000
        ),
    }


def _what_if_data():
    from ..economics import what_if
    from ..instrument import Instrument
    from ..simulate import simulate_survey

    df, _ = simulate_survey(1500, seed=2026)
    return {
        d: what_if(df, dimension=d, n_boot=100, seed=1, progress=False)
        for d in Instrument.servqual22().dimensions
    }


register(
    FigureSpec(
        name="reichheld_sasser_region",
        draw=lambda ax, g: plot_reichheld_region(g, ax=ax),
        data=_region_data,
        figsize=(6.4, 4.2),
        description="Where 5 points less defection gives +25% to +85% per-customer NPV.",
    )
)
register(
    FigureSpec(
        name="tarp_complaint_funnel",
        draw=lambda ax, f: plot_complaint_funnel(f, ax=ax),
        data=lambda: complaint_funnel(1000, channel="headquarters"),
        figsize=(7.2, 4.0),
        description="TARP complaint funnel, headquarters channel, small-ticket goods.",
    )
)
register(
    FigureSpec(
        name="bass_negative_wom",
        draw=lambda ax, c: plot_bass_wom(c, ax=ax),
        data=_bass_data,
        description="Bass adoption with and without churn and negative word of mouth.",
    )
)
register(
    FigureSpec(
        name="sbg_retention_curves",
        draw=lambda ax, r: plot_sbg(r, ax=ax),
        data=lambda: {"Regular": fit_sbg(_FH_REGULAR), "High end": fit_sbg(_FH_HIGH_END)},
        description="sBG fits to the Fader & Hardie (2007) cohorts, extrapolated.",
    )
)
register(
    FigureSpec(
        name="what_if_money",
        draw=lambda ax, r: plot_what_if(r, currency="currency units", ax=ax),
        data=_what_if_data,
        description="NPV effect of +1 point on each SERVQUAL dimension, bootstrap CIs.",
    )
)
register(
    FigureSpec(
        name="claims_sensitivity",
        draw=plot_claim_sensitivity,
        data=lambda: None,
        kind="fig",
        figsize=(14.5, 3.6),
        description="Sensitivity of the reproducible seed claims.",
    )
)
