"""Key-driver figures: importance with bootstrap intervals by method."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..errors import ParameterError
from ._registry import FigureSpec, register

__all__ = ["plot_importance"]

_LABELS = {
    "shapley": "Shapley / LMG",
    "relative_weights": "Relative weights",
    "beta": "Standardized β",
    "correlation": "Correlation r",
    "random_forest": "Random forest (permutation)",
}
_MARKERS = ("o", "s", "D", "^", "v")
_R2_UNITS = ("shapley", "relative_weights")  # both split the model R²


def plot_importance(result, *, methods=None, scale: str = "auto", ax=None):
    """Importance of each driver by method, with bootstrap percentile intervals.

    ``result`` is a :class:`servqual.drivers.KeyDriversResult`.  Drivers are
    rows (ordered by the first method's importance); each method has its own
    marker, colour and vertical offset.

    Methods measure importance in different units (Shapley values and
    relative weights split R²; a forest's permutation importance is a drop in
    held-out R²; β and r are coefficients), so one axis only carries them
    together on a common scale: ``scale="share"`` plots each method's
    importance as a percentage of that method's total (intervals rescaled by
    the same factor); ``scale="raw"`` plots the estimates as they are, allowed
    only when every method is in R² units (Shapley, relative weights).
    ``"auto"`` (default) picks ``"raw"`` when allowed, else ``"share"``.
    Returns the Axes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from servqual.drivers import key_drivers
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> df["y"] = df.a + rng.normal(size=200)
    >>> res = key_drivers(df, "y", ["a", "b", "c"], n_boot=50, seed=1, progress=False)
    >>> ax = plot_importance(res, ax=Figure().add_subplot())
    >>> len(ax.get_yticks()), ax.get_xlabel()[:27]
    (3, 'Share of each method’s tota')
    """
    ax = ax if ax is not None else plt.gca()
    tab = result.table
    available = list(dict.fromkeys(tab["method"]))
    methods = available if methods is None else list(methods)
    unknown = [m for m in methods if m not in available]
    if unknown or not methods:
        raise ParameterError(f"methods={methods!r} is invalid: expected some of {available}.")
    same_units = all(m in _R2_UNITS for m in methods)
    if scale == "auto":
        scale = "raw" if same_units else "share"
    if scale not in ("raw", "share"):
        raise ParameterError(f"scale={scale!r} is invalid: expected 'auto', 'raw' or 'share'.")
    if scale == "raw" and not same_units:
        mixed = [m for m in methods if m not in _R2_UNITS]
        raise ParameterError(
            f"scale='raw' puts {mixed} on an R² axis with Shapley/relative weights; their units "
            "differ. Use scale='share' or plot them separately."
        )
    first = tab[tab.method == methods[0]].set_index("driver")["importance"]
    drivers = list(first.abs().sort_values().index)  # most important at the top
    y = np.arange(len(drivers))
    step = 0.6 / max(1, len(methods))
    for k, m in enumerate(methods):
        sub = tab[tab.method == m].set_index("driver").loc[drivers]
        if scale == "share":
            total = float(sub["importance"].abs().sum())
            factor = 100.0 * float(sub["share"].abs().sum()) / total if total else np.nan
        else:
            factor = 1.0
        est = sub["importance"].to_numpy(float) * factor
        err = np.vstack([sub["importance"] - sub["ci_lower"], sub["ci_upper"] - sub["importance"]])
        err = err * factor
        off = (k - (len(methods) - 1) / 2) * step
        has_ci = np.isfinite(err).all()
        ax.errorbar(
            est, y - off, xerr=err if has_ci else None, fmt=_MARKERS[k % 5], color=f"C{k}",
            capsize=3, ms=5, label=_LABELS.get(m, m) + ("" if has_ci else " (no interval)"),
        )  # fmt: skip
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_yticks(y, drivers)
    ax.set_ylabel("Driver")
    interval = f"{result.ci:.0%} bootstrap interval"
    if scale == "share":
        ax.set_xlabel(f"Share of each method\u2019s total importance (%), {interval}")
    else:
        ax.set_xlabel(f"Contribution to R\u00b2 (together R\u00b2 = {result.r2:.2f}), {interval}")
    ax.set_title(f"Key drivers of {result.target} (n = {result.n:,})")
    ax.legend(loc="lower right", fontsize=7)
    return ax


def _mobi_drivers():
    from ..datasets import load_dataset
    from ..drivers import key_drivers
    from ..instrument import Instrument
    from ..scores import composites

    comp = composites(load_dataset("mobi"), Instrument.ecsi_mobi(), kind=None)
    return key_drivers(
        comp, "satisfaction", ["image", "expectation", "quality", "value"],
        ["shapley", "relative_weights", "random_forest"], n_boot=500, seed=2024,
        progress=False, forest_options={"n_estimators": 200, "n_splits": 5},
    )  # fmt: skip


register(
    FigureSpec(
        name="key_drivers_mobi",
        draw=lambda ax, res: plot_importance(res, ax=ax),
        data=_mobi_drivers,
        figsize=(6.4, 3.8),
        description="Satisfaction drivers on mobi (composites): Shapley, relative weights "
        "(500 bootstrap replicates, 95% intervals) and random-forest permutation importance.",
    )
)
