"""Survey-description figures: RATER gap profile and item response distributions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .._checks import check_frame
from ..instrument import RATER_NAMES, Instrument
from ..scores import gap_profile
from ._registry import FigureSpec, register

__all__ = ["plot_gap_profile", "plot_item_distribution"]


def plot_gap_profile(
    data: pd.DataFrame, instrument: Instrument, *, ci: float = 0.95, weights=None, ax=None
):
    """Mean perception (P) and expectation (E) per dimension with CIs; the P−E
    gap is printed beside each dimension.

    Returns the Axes.  The plotted values are :func:`servqual.scores.gap_profile`
    (weighted with ``weights``, as there).  Dimensions are named as the instrument
    names them, the first letter capitalised.

    Examples
    --------
    >>> from servqual import Instrument, simulate_survey
    >>> from matplotlib.figure import Figure
    >>> df, _ = simulate_survey(200, seed=1)
    >>> ax = plot_gap_profile(df, Instrument.servqual22(), ax=Figure().add_subplot())
    >>> len(ax.get_yticks())
    5
    """
    ax = ax if ax is not None else plt.gca()
    prof = gap_profile(data, instrument, ci=ci, weights=weights)
    y = np.arange(len(prof))[::-1]
    for yy, (_, row) in zip(y, prof.iterrows()):
        ax.plot([row["E"], row["P"]], [yy, yy], color="0.6", lw=2, zorder=1)
    for name, marker, off in (("P", "o", 0.08), ("E", "s", -0.08)):
        err = np.vstack(
            [prof[name] - prof[f"{name}_ci_lower"], prof[f"{name}_ci_upper"] - prof[name]]
        )
        ax.errorbar(
            prof[name], y + off, xerr=err, fmt=marker, capsize=3, ms=6,
            label={"P": "Perception (P)", "E": "Expectation (E)"}[name],
        )  # fmt: skip
    lo, hi = instrument.scale
    for yy, (_, row) in zip(y, prof.iterrows()):
        ax.annotate(
            f"P−E {row['gap']:+.2f} [{row['gap_ci_lower']:+.2f}, {row['gap_ci_upper']:+.2f}]",
            (hi + 0.1, yy), va="center", fontsize=7,
        )  # fmt: skip
    ax.set_yticks(y, [d[:1].upper() + d[1:] for d in prof.index])
    ax.set_xlim(lo, hi + 0.35 * (hi - lo))
    ax.set_xticks(np.arange(lo, hi + 1))
    ax.set_xlabel(f"Mean score (scale points {lo:g}–{hi:g}), {ci:.0%} CI")
    rater = tuple(d.lower() for d in instrument.dimensions) in RATER_NAMES.values()
    ax.set_ylabel("RATER dimension" if rater else "Dimension")
    n = int(prof["n"].max()) if len(prof) else 0
    ax.set_title(f"SERVQUAL gap profile (n = {n:,})")
    ax.legend(loc="lower left")
    return ax


def plot_item_distribution(
    data: pd.DataFrame, columns: list[str], *, scale: tuple[int, int], ax=None
):
    """Stacked horizontal bars of the share of each response category per item.

    Returns the Axes; bar widths are the observed shares (missing excluded).

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> df = pd.DataFrame({"q1": [1, 2, 2, 3], "q2": [3, 3, 2, 1]})
    >>> ax = plot_item_distribution(df, ["q1", "q2"], scale=(1, 3), ax=Figure().add_subplot())
    >>> len(ax.patches)
    6
    """
    ax = ax if ax is not None else plt.gca()
    lo, hi = int(scale[0]), int(scale[1])
    frame = check_frame(data, columns, missing="allow", scale=(lo, hi), allow_constant=True)
    cats = np.arange(lo, hi + 1)
    shares = np.stack(
        [[(frame[c] == k).sum() / frame[c].notna().sum() for k in cats] for c in columns]
    )
    cmap = plt.get_cmap("cividis")
    y = np.arange(len(columns))[::-1]
    left = np.zeros(len(columns))
    for j, k in enumerate(cats):
        ax.barh(y, shares[:, j], left=left, color=cmap(j / max(1, len(cats) - 1)),
                edgecolor="white", linewidth=0.3, label=str(k))  # fmt: skip
        left += shares[:, j]
    ax.set_yticks(y, columns)
    ax.set_xlim(0, 1)
    n = int(frame[columns].notna().any(axis=1).sum())
    ax.set_xlabel("Share of respondents (proportion)")
    ax.set_title(f"Response distribution per item (n = {n:,})")
    ax.set_ylabel("Item")
    ax.legend(title="Response", ncols=min(len(cats), 10), loc="upper center",
              bbox_to_anchor=(0.5, -0.12), fontsize=6, title_fontsize=7)  # fmt: skip
    ax.grid(False)
    return ax


def _sim():
    from ..datasets import load_dataset

    return load_dataset("servqual_sim")


def _mobi():
    from ..datasets import load_dataset

    return load_dataset("mobi")


register(
    FigureSpec(
        name="rater_gap_profile_sim",
        draw=lambda ax, df: plot_gap_profile(df, Instrument.servqual22(), ax=ax),
        data=_sim,
        figsize=(6.4, 3.6),
        description="Mean P, E and P−E per RATER dimension on servqual_sim (95% CIs).",
    )
)
register(
    FigureSpec(
        name="item_distribution_sim",
        draw=lambda ax, df: plot_item_distribution(
            df, Instrument.servqual22().columns("P"), scale=(1, 7), ax=ax
        ),
        data=_sim,
        figsize=(6.4, 6.0),
        description="Response distribution of the 22 perception items of servqual_sim.",
    )
)
register(
    FigureSpec(
        name="item_distribution_mobi",
        draw=lambda ax, df: plot_item_distribution(
            df, list(Instrument.ecsi_mobi().items), scale=(1, 10), ax=ax
        ),
        data=_mobi,
        figsize=(6.4, 6.4),
        description="Response distribution of the 24 items of the ECSI mobi survey.",
    )
)
