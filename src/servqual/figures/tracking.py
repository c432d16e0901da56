"""Tracking figures: a metric by wave with CIs, and control charts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._registry import FigureSpec, register

__all__ = ["plot_tracking", "plot_control_chart"]


def plot_tracking(result, *, ax=None):
    """A :class:`servqual.tracking.Tracking` result: estimate by wave with its CI band.

    One line per segment when the result has a ``segment`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from servqual.tracking import track
    >>> df = pd.DataFrame({"ltr": [10, 9, 3, 8, 10, 10, 6, 9], "wave": [1] * 4 + [2] * 4})
    >>> ax = plot_tracking(track(df, "ltr", "wave"), ax=Figure().add_subplot())
    >>> len(ax.lines)
    1
    """
    ax = ax if ax is not None else plt.gca()
    t = result.table
    groups = [(None, t)] if "segment" not in t else list(t.groupby("segment", sort=True))
    for name, g in groups:
        x = np.arange(len(g))
        (line,) = ax.plot(x, g["estimate"], marker="o", label=None if name is None else str(name))
        ax.fill_between(x, g["ci_lower"], g["ci_upper"], color=line.get_color(), alpha=0.2,
                        linewidth=0)  # fmt: skip
        ax.set_xticks(x, [str(w) for w in g["wave"]])
    if len(groups) > 1:
        ax.legend(title="segment")
    label = {
        "nps": "NPS (points, -100 to 100",
        "topbox": "Top-box share (proportion",
        "mean": "Mean (scale points",
    }[result.metric]
    ax.set_xlabel("Wave (survey round)")
    ax.set_ylabel(f"{label}; {result.ci:.0%} CI)")
    ax.set_title(f"n = {int(t['n'].sum()):,} responses in {t['wave'].nunique()} waves",
                 fontsize="small")  # fmt: skip
    return ax


def plot_control_chart(chart, *, ax=None):
    """A :class:`servqual.tracking.ControlChart`: values, centre line, control
    limits, and out-of-control waves marked in red.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from servqual.tracking import control_chart
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"ltr": rng.integers(0, 11, 600), "wave": np.repeat(range(6), 100)})
    >>> ax = plot_control_chart(control_chart(df, "ltr", "wave"), ax=Figure().add_subplot())
    >>> ax.get_ylabel()
    'NPS (points, -100 to 100)'
    """
    ax = ax if ax is not None else plt.gca()
    t = chart.table
    x = np.arange(len(t))
    ax.plot(x, t["value"], marker="o", color="0.25", zorder=3)
    ax.axhline(chart.center, color="tab:blue", linewidth=1)
    ax.step(x, t["ucl"], where="mid", color="tab:red", linestyle="--", linewidth=1)
    ax.step(x, t["lcl"], where="mid", color="tab:red", linestyle="--", linewidth=1)
    bad = t["out_of_control"].to_numpy()
    ax.scatter(x[bad], t["value"].to_numpy()[bad], s=80, facecolors="none", edgecolors="tab:red",
               linewidths=1.5, zorder=4, label="out of control")  # fmt: skip
    ax.set_xticks(x, [str(w) for w in t["wave"]])
    ax.set_xlabel("Wave (survey round)")
    ax.set_ylabel(
        {
            "p": "Top-box share (proportion)",
            "nps": "NPS (points, -100 to 100)",
            "imr": "Wave mean (scale points)",
        }[chart.kind]
    )
    ax.set_title(f"n = {int(t['n'].sum()):,} responses in {len(t)} waves", fontsize="small")
    if bad.any():
        ax.legend(loc="best")
    return ax


# ----------------------------------------------------------- registered
def _sim():
    from ..simulate import simulate_survey
    from ..simulate_design import SurveyDesign

    design = SurveyDesign({"retail": 0.8, "business": 0.2},
                          sample={"retail": 0.5, "business": 0.5},
                          segment_shift={"business": -0.8}, waves=10,
                          wave_shift={8: {"reliability": 0.5, "responsiveness": 0.3}})  # fmt: skip
    df, _ = simulate_survey(400, seed=2026, design=design)
    return df


def tracking_data():
    from ..tracking import track

    return track(_sim(), "LTR", "wave", segment="segment", weights="weight")


def control_chart_data():
    from ..tracking import control_chart

    return control_chart(_sim(), "LTR", "wave", weights="weight")


register(
    FigureSpec(
        name="tracking_nps_by_segment_sim",
        draw=lambda ax, d: plot_tracking(d, ax=ax),
        data=tracking_data,
        figsize=(6.4, 4.0),
        description="Weighted NPS by wave and segment with 95% CIs (simulated tracker; "
        "a known shift in reliability and responsiveness from wave 8).",
        tags=("tracking",),
    )
)
register(
    FigureSpec(
        name="tracking_nps_control_chart_sim",
        draw=lambda ax, d: plot_control_chart(d, ax=ax),
        data=control_chart_data,
        figsize=(6.4, 4.0),
        description="NPS control chart with trinomial limits (effective n) and Western Electric "
        "rule violations (simulated tracker, known shift from wave 8).",
        tags=("tracking",),
    )
)
