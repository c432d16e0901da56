"""PLS figures: path diagram with estimates, importance-performance map; registry entries."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Ellipse

from ._registry import FigureSpec, register

__all__ = ["plot_pls_path_diagram", "plot_ipma", "layered_positions", "plot_simple_slopes"]

ECSI_POSITIONS = {
    "Image": (0.0, 2.0),
    "Expectation": (0.0, 0.5),
    "Quality": (0.0, -1.0),
    "Value": (1.7, -1.0),
    "Satisfaction": (1.8, 0.5),
    "Complaints": (3.5, 2.0),
    "Loyalty": (3.5, 0.5),
}


def layered_positions(result) -> dict[str, tuple[float, float]]:
    """x = length of the longest path from an exogenous construct, y spread within a layer.

    Examples
    --------
    >>> from servqual import load_dataset, pls
    >>> res = pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)
    >>> round(layered_positions(res)["Loyalty"][0], 2)
    9.6
    """
    names = list(result.constructs)
    depth = {c: 0 for c in names}
    for _ in names:
        for s, t in result.model.paths:
            depth[t] = max(depth[t], depth[s] + 1)
    pos = {}
    for d in sorted(set(depth.values())):
        layer = [c for c in names if depth[c] == d]
        for i, c in enumerate(layer):
            pos[c] = (1.6 * d, (len(layer) - 1) / 2 - i)
    return pos


def plot_pls_path_diagram(result, *, positions=None, digits: int = 2, ax=None):
    """Draw the inner model: constructs (with R^2) and paths labelled with estimates.

    Paths whose bootstrap percentile interval excludes zero are drawn solid,
    the others dashed (all solid without a bootstrap).  Returns the Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from servqual import load_dataset, pls
    >>> res = pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)
    >>> ax = plot_pls_path_diagram(res, ax=Figure().add_subplot())
    >>> len([t for t in ax.texts if (t.get_gid() or "").startswith("estimate:")])
    12
    """
    ax = ax if ax is not None else plt.gca()
    if positions is None:
        positions = (
            ECSI_POSITIONS
            if set(result.constructs) == set(ECSI_POSITIONS)
            else (layered_positions(result))
        )
    r2 = result.r2.to_dict()
    w, h = 0.95, 0.5
    for c in result.constructs:
        x, y = positions[c]
        ax.add_patch(Ellipse((x, y), w, h, facecolor="#f0f0f0", edgecolor="black", lw=1.0, gid=c))
        label = c if c not in r2 else f"{c}\nR²={r2[c]:.2f}"
        ax.text(x, y, label, ha="center", va="center", fontsize=8, gid=f"node:{c}")
    has_ci = "ci_lower" in result.paths.columns
    for row in result.paths.itertuples(index=False):
        (x0, y0), (x1, y1) = positions[row.source], positions[row.target]
        sig = (not has_ci) or (row.ci_lower > 0 or row.ci_upper < 0)
        ax.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "lw": 0.6 + 2.5 * abs(row.estimate),
                "linestyle": "-" if sig else "--",
                "color": "0.2",
                "shrinkA": 22,
                "shrinkB": 22,
            },
            gid=f"path:{row.source}->{row.target}",
        )
        mx, my = x0 + 0.42 * (x1 - x0), y0 + 0.42 * (y1 - y0)
        ax.text(
            mx,
            my,
            f"{row.estimate:.{digits}f}",
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
            gid=f"estimate:{row.source}->{row.target}",
        )
    xs = np.array([p[0] for p in positions.values()])
    ys = np.array([p[1] for p in positions.values()])
    ax.set_xlim(xs.min() - 0.7, xs.max() + 0.7)
    ax.set_ylim(ys.min() - 0.6, ys.max() + 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(
        f"PLS path model (n = {result.n:,}): standardised path coefficients (R² in constructs)"
    )
    return ax


def plot_ipma(table: pd.DataFrame, *, target: str = "", n: int | None = None, ax=None):
    """Draw an importance-performance map from :func:`servqual.pls.ipma_table`; return the Axes.

    ``n`` (respondents) goes into the title when given.  Labels are placed
    without overlaps.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from servqual import load_dataset, pls
    >>> res = pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)
    >>> ax = plot_ipma(pls.ipma_table(res, "Loyalty"), target="Loyalty", ax=Figure().add_subplot())
    >>> len(ax.collections)
    6
    """
    from ._labels import place_labels

    ax = ax if ax is not None else plt.gca()
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    for i, row in enumerate(table.itertuples(index=False)):
        ax.scatter(
            row.importance,
            row.performance,
            marker=markers[i % len(markers)],
            s=60,
            label=row.construct,
            zorder=3,
        )
    ax.axvline(table["importance"].mean(), color="0.5", linestyle="--", linewidth=0.8)
    ax.axhline(table["performance"].mean(), color="0.5", linestyle=":", linewidth=0.8)
    for lim, v in ((ax.set_xlim, table["importance"]), (ax.set_ylim, table["performance"])):
        span = float(v.max() - v.min()) or 1.0
        lim(float(v.min()) - 0.2 * span, float(v.max()) + 0.2 * span)
    what = f" on {target}" if target else ""
    ax.set_xlabel(f"Importance (unstandardised total effect{what}, points per point)")
    ax.set_ylabel("Performance (mean score, 0-100)")
    title = f"Importance-performance map{': ' + target if target else ''}"
    ax.set_title(title + (f" (n = {n:,})" if n is not None else ""))
    names = list(table["construct"])
    place_labels(ax, table["importance"], table["performance"], names, fontsize=8)
    return ax


def _ecsi_fit():
    from .. import pls
    from ..datasets import load_dataset

    return pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)


def _draw_path(ax, res):
    return plot_pls_path_diagram(res, ax=ax)


def _draw_ipma(ax, res):
    return plot_ipma(res.ipma_table("Loyalty"), target="Loyalty", n=res.n, ax=ax)


register(
    FigureSpec(
        name="pls_ecsi_path_diagram",
        draw=_draw_path,
        data=_ecsi_fit,
        figsize=(7.5, 4.5),
        description="ECSI model on mobi: PLS path coefficients and R².",
        tags=("pls",),
    )
)
register(
    FigureSpec(
        name="pls_ecsi_ipma_loyalty",
        draw=_draw_ipma,
        data=_ecsi_fit,
        figsize=(6.4, 4.5),
        description="Importance-performance map of loyalty (ECSI, mobi).",
        tags=("pls",),
    )
)


# Okabe & Ito (2008): colour-blind safe, distinct in lightness; explicit so the plot
# keeps them outside the package style too (line styles and markers differ as well)
_SLOPE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")


def plot_simple_slopes(result, interaction=None, target=None, *, at=(-1.0, 0.0, 1.0), ax=None):
    """Simple-slope plot of a PLS interaction: the target against the independent
    variable (both in SDs of the construct scores) at moderator levels ``at`` (see
    :func:`servqual.pls.simple_slopes`); with a bootstrap the legend gives each
    slope's percentile interval.  Returns the Axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from servqual import load_dataset, pls
    >>> res = pls.fit('''Image =~ IMAG1 + IMAG2 + IMAG3
    ...     Expectation =~ CUEX1 + CUEX2 + CUEX3
    ...     Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    ...     Satisfaction ~ Image + Expectation + Image*Expectation''', load_dataset("mobi"),
    ...     progress=False)
    >>> ax = plot_simple_slopes(res, ax=Figure().add_subplot())
    >>> len(ax.lines)  # three moderator levels and the zero line
    4
    """
    from ..pls.moderation import simple_slopes

    ax = ax if ax is not None else plt.gca()
    table = simple_slopes(result, interaction, target, at=at)
    info = table.attrs
    xs = np.linspace(-2.0, 2.0, 41)
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D"]
    pct = f"{100 * result.ci:g}%" if getattr(result, "ci", None) else ""
    for i, row in enumerate(table.itertuples(index=False)):
        lvl = row.moderator_level
        where = f"{lvl:+g} SD" if lvl else "its mean"
        label = f"{info['moderator']} at {where}: slope {row.slope:.3f}"
        if "ci_lower" in table.columns:
            label += f" [{pct} CI {row.ci_lower:.3f}, {row.ci_upper:.3f}]"
        ax.plot(
            xs,
            row.intercept + row.slope * xs,
            color=_SLOPE_COLOURS[i % len(_SLOPE_COLOURS)],
            linestyle=styles[i % 4],
            marker=markers[i % 4],
            markevery=10,
            label=label,
        )
    ax.axhline(0.0, color="0.7", linewidth=0.8, zorder=0)
    ax.set_xlabel(f"{info['iv']} (standardised construct score, SD)")
    ax.set_ylabel(f"Predicted {info['target']} (standardised score, SD)")
    ax.set_title(
        f"Simple slopes of {info['iv']} moderated by {info['moderator']} (n = {result.n:,})"
    )
    ax.legend(frameon=False)
    return ax


_SLOPES_MODEL = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Image*Expectation
"""


def _slopes_fit():
    from .. import pls
    from ..datasets import load_dataset

    return pls.fit(_SLOPES_MODEL, load_dataset("mobi"), n_boot=500, seed=2026, progress=False)


register(
    FigureSpec(
        name="pls_simple_slopes_image_expectation",
        draw=lambda ax, res: plot_simple_slopes(res, ax=ax),
        data=_slopes_fit,
        figsize=(6.4, 4.2),
        description="Simple slopes of image on satisfaction at expectation -1, 0, +1 SD "
        "(PLS, two-stage interaction, mobi, 500 bootstrap resamples).",
        tags=("pls",),
    )
)
