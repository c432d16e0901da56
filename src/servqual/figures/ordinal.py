"""Ordinal items: bias of ML on raw Likert codes versus WLSMV on polychorics (drawing only;
the fits are :func:`servqual.sem.ordinal_bias.ordinal_loading_bias`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .._moved import moved_names
from ._registry import FigureSpec, register

__all__ = ["plot_ordinal_bias"]


def plot_ordinal_bias(table: pd.DataFrame, *, tolerance: float = 0.03, ax=None):
    """Estimated minus true standardized loading per item for ML and WLSMV.

    ``table`` is :func:`servqual.sem.ordinal_bias.ordinal_loading_bias`'s
    output (its ``attrs["n"]``, the sample size, goes into the title).  A
    shaded band marks ``+-tolerance``.  Returns the Axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"item": ["a", "b"], "wlsmv_error": [0.01, -0.02],
    ...                   "ml_error": [-0.05, -0.06]})
    >>> ax = plot_ordinal_bias(t, ax=Figure().add_subplot())
    >>> len(ax.get_lines())
    3
    """
    ax = ax if ax is not None else plt.gca()
    x = np.arange(len(table))
    ax.axhspan(
        -tolerance, tolerance, color="0.9", zorder=0, label=f"±{tolerance:g} (validation tolerance)"
    )
    ax.axhline(0.0, color="0.3", lw=0.8, zorder=1)
    ax.plot(
        x,
        table["ml_error"],
        "v",
        ms=6,
        linestyle="none",
        label=f"ML on raw codes (mean {table['ml_error'].mean():+.3f})",
    )
    ax.plot(
        x,
        table["wlsmv_error"],
        "o",
        ms=6,
        linestyle="none",
        label=f"WLSMV on polychorics (mean {table['wlsmv_error'].mean():+.3f})",
    )
    ax.set_xticks(x, table["item"], rotation=90, fontsize=7)
    ax.set_xlabel("Item")
    ax.set_ylabel("Estimated − true standardized loading")
    n = table.attrs.get("n")
    ax.set_title("Loadings of 5-point items: ML on codes vs WLSMV" + (f" (n = {n:,})" if n else ""))
    ax.legend(loc="lower right", fontsize=7)
    return ax


def _data():
    from ..instrument import Instrument
    from ..sem.ordinal_bias import ordinal_loading_bias
    from ..simulate import Truth, simulate_survey

    df, truth = simulate_survey(5000, truth=Truth(scale_points=5), seed=1)
    factors = Instrument.servqual22().dimension_columns("P")
    table = ordinal_loading_bias(df, factors, truth.loadings)
    # semopy's ML differs across processes in the last bits (~1e-14, string-hash order);
    # rounding to 1e-8 keeps the figure files byte-reproducible without visible change
    num = table.columns.drop("item")
    table[num] = table[num].round(8)
    table.attrs["n"] = int(len(df))
    return table


register(
    FigureSpec(
        name="ordinal_loading_bias",
        draw=lambda ax, table: plot_ordinal_bias(table, ax=ax),
        data=_data,
        figsize=(6.4, 3.8),
        description="RATER CFA on 5-point simulated items (n = 5,000): error of standardized "
        "loadings by ML on raw codes and by WLSMV on polychoric correlations.",
    )
)

# the fitting moved to servqual.sem.ordinal_bias (old name works for one release)
__getattr__ = moved_names(
    __name__, {"ordinal_loading_bias": "servqual.sem.ordinal_bias:ordinal_loading_bias"}
)
