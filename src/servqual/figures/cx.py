"""Where to act: IPA grid, Kano Better-Worse plot, journey chart (and their registry entries).

The analyses live in :mod:`servqual.ipa`, :mod:`servqual.kano` and
:mod:`servqual.prca`; this module only draws their results.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._annotate import label_quadrants
from ._labels import place_labels, wrap_label
from ._registry import FigureSpec, register

__all__ = [
    "plot_ipa",
    "plot_better_worse",
    "plot_journey",
    "ipa_mobi_data",
    "kano_sim_data",
    "journey_sim_data",
    "KANO_SIM_FEATURES",
]


_IPA_QUADRANTS = ("concentrate here", "keep up the good work", "low priority", "possible overkill")


def plot_ipa(result, *, ax=None, annotate: bool = True):
    """Importance-performance grid: one point per attribute, crosshairs, quadrant names.

    ``result`` is a :class:`servqual.ipa.IPAResult`.  Each quadrant has its own
    colour and marker; labels are placed without overlaps (long labels wrap).

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from servqual.ipa import ipa
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 3, 3], "y": [1, 2, 4, 4]})
    >>> ax = plot_ipa(ipa(df, ["a", "b"], outcome="y", scale=(1, 5)), ax=Figure().add_subplot())
    >>> ax.get_xlabel()
    'Performance (mean rating, 1–5 scale)'
    """
    from ..ipa import IPAResult

    if not isinstance(result, IPAResult):
        raise TypeError(f"result must be an IPAResult, got {type(result).__name__}.")
    ax = ax if ax is not None else plt.gca()
    t = result.table
    markers = dict(zip(_IPA_QUADRANTS, ("o", "s", "^", "D")))
    colors = dict(zip(_IPA_QUADRANTS, ("C5", "C2", "C4", "C1")))
    for q in _IPA_QUADRANTS:
        sub = t[t["quadrant"] == q]
        if len(sub):
            ax.scatter(
                sub["performance"], sub["importance"], s=30, marker=markers[q], color=colors[q],
                edgecolor="0.2", linewidth=0.5, zorder=3, label=f"{q} ({len(sub)})",
            )  # fmt: skip
    ax.axvline(result.performance_line, color="0.4", linestyle="--", linewidth=0.8)
    ax.axhline(result.importance_line, color="0.4", linestyle="--", linewidth=0.8)
    label_quadrants(
        ax,
        {
            "top left": "concentrate here",
            "top right": "keep up the good work",
            "bottom left": "low priority",
            "bottom right": "possible overkill",
        },
    )
    # keep the crosshairs in view, with room for the labels and the corner names
    xs = np.r_[t["performance"].to_numpy(), result.performance_line]
    ys = np.r_[t["importance"].to_numpy(), result.importance_line]
    for lim, v, pad in ((ax.set_xlim, xs, 0.18), (ax.set_ylim, ys, 0.22)):
        span = v.max() - v.min() or 1.0
        lim(v.min() - pad * span, v.max() + pad * span)
    if result.scale is None:
        ax.set_xlabel("Performance (mean rating, scale points)")
    else:
        lo, hi = result.scale
        ax.set_xlabel(f"Performance (mean rating, {lo:g}\u2013{hi:g} scale)")
    unit = {
        "correlation": "correlation with outcome",
        "regression": "standardized coefficient",
    }.get(result.importance_method, "stated importance")
    ax.set_ylabel(f"Importance ({unit})")
    ax.set_title(f"Importance\u2013performance analysis (n = {result.n:,})")
    if annotate:
        place_labels(ax, t["performance"], t["importance"], [str(a) for a in t["attribute"]])
    return ax


_KANO_STYLE = {"A": ("^", "C2"), "O": ("o", "C0"), "M": ("s", "C5"), "I": ("D", "C4"),
               "R": ("v", "C3"), "Q": ("X", "C7")}  # fmt: skip


def plot_better_worse(result, *, ax=None, annotate: bool = True):
    """Better-Worse (customer-satisfaction coefficient) plot of a Kano analysis.

    x: dissatisfaction coefficient ``|Worse|``; y: satisfaction coefficient
    ``Better``.  Reference lines at 0.5 split the plane into the usual
    indifferent (low, low), attractive (top left), one-dimensional (top right)
    and must-be (bottom right) regions.  The marker and colour show each
    feature's modal category.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from servqual.kano import kano
    >>> df = pd.DataFrame({"f": [1, 1, 2, 3], "d": [5, 3, 5, 3]})
    >>> ax = plot_better_worse(kano(df, {"x": ("f", "d")}), ax=Figure().add_subplot())
    >>> sum(len(c.get_offsets()) for c in ax.collections)
    1
    """
    from ..kano import _NAMES, KanoResult

    if not isinstance(result, KanoResult):
        raise TypeError(f"result must be a KanoResult, got {type(result).__name__}.")
    ax = ax if ax is not None else plt.gca()
    t = result.table.dropna(subset=["better", "worse"])
    x, y = -t["worse"].to_numpy(float), t["better"].to_numpy(float)
    for cat, (marker, color) in _KANO_STYLE.items():
        sel = (t["category"] == cat).to_numpy()
        if sel.any():
            ax.scatter(
                x[sel], y[sel], s=40, marker=marker, color=color, edgecolor="0.2",
                linewidth=0.5, zorder=3, label=f"modal: {_NAMES[cat]}",
            )  # fmt: skip
    ax.axvline(0.5, color="0.4", linewidth=0.8, linestyle="--")
    ax.axhline(0.5, color="0.4", linewidth=0.8, linestyle="--")
    label_quadrants(
        ax,
        {
            "top left": "attractive",
            "top right": "one-dimensional",
            "bottom right": "must-be",
            "bottom left": "indifferent",
        },
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Worse coefficient |CS\u2212| (dissatisfaction, 0\u20131)")
    ax.set_ylabel("Better coefficient CS+ (satisfaction, 0\u20131)")
    n = int(t["n"].max()) if "n" in t and len(t) else 0
    ax.set_title(f"Kano Better\u2013Worse plot (n = {n:,} respondents)")
    if len(t):
        ax.legend(loc="center left", fontsize=7)
    if annotate:
        place_labels(ax, x, y, [str(f) for f in t["feature"]])
    return ax


def plot_journey(result, *, ax=None):
    """Journey chart: reward (up) and penalty (down) per touchpoint, with CIs.

    ``result`` is a :class:`servqual.prca.MomentsOfTruthResult`.  Moments of
    truth are marked with a star below their penalty bar.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from servqual.prca import moments_of_truth, simulate_journey
    >>> df, truth = simulate_journey(600, seed=1)
    >>> r = moments_of_truth(df, list(truth["column"]), "SAT", scale=(1, 7))
    >>> len(plot_journey(r, ax=Figure().add_subplot()).patches)
    10
    """
    from ..prca import MomentsOfTruthResult

    if not isinstance(result, MomentsOfTruthResult):
        raise TypeError(f"result must be a MomentsOfTruthResult, got {type(result).__name__}.")
    ax = ax if ax is not None else plt.gca()
    t = result.table
    x = np.arange(t.shape[0])
    rew, pen = t["reward"].to_numpy(), t["penalty"].to_numpy()
    rerr = np.vstack([rew - t["reward_ci_lower"], t["reward_ci_upper"] - rew])
    perr = np.vstack([pen - t["penalty_ci_lower"], t["penalty_ci_upper"] - pen])
    ax.bar(
        x, rew, width=0.6, color="C0", label="reward (high vs middle)", yerr=rerr, capsize=3,
        ecolor="0.2",
    )  # fmt: skip
    ax.bar(
        x, -pen, width=0.6, color="C1", hatch="//", edgecolor="0.2",
        label="penalty (low vs middle)", yerr=perr[::-1], capsize=3, ecolor="0.2",
    )  # fmt: skip
    ax.plot(x, rew - pen, color="0.2", marker="o", linewidth=1, label="reward \u2212 penalty")
    mot = t["moment_of_truth"].to_numpy(bool)
    if mot.any():
        ax.plot(
            x[mot], -t["penalty_ci_upper"].to_numpy()[mot] - 0.08, linestyle="none", marker="*",
            markersize=12, color="C5", label="moment of truth",
        )  # fmt: skip
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xticks(x, [wrap_label(str(s), width=12) for s in t["touchpoint"]], fontsize=8)
    ax.set_xlabel("Journey touchpoint")
    ax.set_ylabel(f"Effect on {result.contrast.outcome} (outcome scale points)")
    ax.set_title(
        f"Moments of truth: penalty vs reward along the journey (n = {result.contrast.n:,})"
    )
    lo = min(-t["penalty_ci_upper"].max() - 0.2, 0.0)
    hi = max(t["reward_ci_upper"].max(), 0.0)
    ax.set_ylim(lo, hi + 0.45 * (hi - lo))  # head room for the legend
    ax.legend(loc="upper left", ncol=2)
    return ax


# Simulated Kano study: true categories per feature (70% of respondents hold it)
KANO_SIM_FEATURES = {
    "online booking": "O",
    "clean rooms": "M",
    "free upgrade": "A",
    "loyalty app": "I",
    "fast check-in": "O",
    "safe parking": "M",
}


def ipa_mobi_data():
    """IPA of the seven ECSI perceived-quality items of ``mobi`` (importance =
    correlation with the mean of CUSA1-3; crosshairs at the means).

    Examples
    --------
    >>> res = ipa_mobi_data()
    >>> len(res.table), res.crosshair
    (7, 'mean')
    """
    from ..datasets import load_dataset
    from ..ipa import ipa

    df = load_dataset("mobi")
    df["CUSA"] = df[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1)
    items = [f"PERQ{i}" for i in range(1, 8)]
    return ipa(df, items, outcome="CUSA", crosshair="mean", scale=(1, 10))


def kano_sim_data():
    """Kano analysis of 400 simulated respondents (seed 2024, noise 0.3).

    Examples
    --------
    >>> res = kano_sim_data()
    >>> res.table["category"].tolist() == list(KANO_SIM_FEATURES.values())
    True
    """
    from ..kano import kano, simulate_kano

    df, _ = simulate_kano(400, KANO_SIM_FEATURES, noise=0.3, seed=2024)
    return kano(df, {k: (f"{k}_f", f"{k}_d") for k in KANO_SIM_FEATURES})


def journey_sim_data():
    """Moments of truth on 2,000 simulated journeys (seed 2024, default effects).

    Examples
    --------
    >>> res = journey_sim_data()
    >>> res.table.loc[res.table["moment_of_truth"], "touchpoint"].tolist()
    ['first contact', 'problem solving']
    """
    from ..prca import moments_of_truth, simulate_journey

    df, truth = simulate_journey(2000, seed=2024)
    return moments_of_truth(
        df, dict(zip(truth["touchpoint"], truth["column"])), "SAT", scale=(1, 7)
    )


def _ipa(ax, data):
    return plot_ipa(data, ax=ax)


def _kano(ax, data):
    return plot_better_worse(data, ax=ax)


def _journey(ax, data):
    return plot_journey(data, ax=ax)


register(
    FigureSpec(
        name="ipa_grid_mobi",
        draw=_ipa,
        data=ipa_mobi_data,
        figsize=(6.4, 4.6),
        description="Importance-performance grid of the mobi perceived-quality items "
        "(importance: correlation with satisfaction).",
        tags=("cx", "ipa"),
    )
)
register(
    FigureSpec(
        name="kano_better_worse_sim",
        draw=_kano,
        data=kano_sim_data,
        figsize=(6.0, 5.0),
        description="Kano Better-Worse plot of six simulated hotel features with known categories.",
        tags=("cx", "kano"),
    )
)
register(
    FigureSpec(
        name="moments_of_truth_journey_sim",
        draw=_journey,
        data=journey_sim_data,
        figsize=(6.8, 4.4),
        description="Penalty and reward per journey touchpoint (simulated, known truth); "
        "stars mark moments of truth.",
        tags=("cx", "journey"),
    )
)
