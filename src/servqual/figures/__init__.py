"""Report figures: plot functions (``ax=None`` in, Axes out) and the registry.

Plot functions draw on the Axes they are given (or the current one) and return
it; they never show or save.  :func:`build_all` writes every registered figure
deterministically.
"""

from ._registry import (
    FigureSpec,
    build,
    build_all,
    register,
    registry,
    save_figure,
    sha256_file,
    style_context,
)
from .cx import plot_better_worse, plot_ipa, plot_journey
from .drivers import plot_importance
from .economics import *  # noqa: F403  (plot_reichheld_region, plot_complaint_funnel, ...)
from .gaps import plot_gap5_caterpillar, plot_gap_model, plot_servqual_vs_servperf
from .ordinal import plot_ordinal_bias
from .pls import plot_ipma, plot_pls_path_diagram
from .profile import plot_gap_profile, plot_item_distribution
from .sem import plot_path_diagram, plot_structural_forest

__all__ = [
    "plot_ipa",
    "plot_better_worse",
    "plot_journey",
    "plot_gap5_caterpillar",
    "plot_gap_model",
    "plot_servqual_vs_servperf",
    "plot_ipma",
    "plot_pls_path_diagram",
    "plot_gap_profile",
    "plot_importance",
    "plot_item_distribution",
    "plot_ordinal_bias",
    "plot_path_diagram",
    "plot_structural_forest",
    "FigureSpec",
    "build",
    "build_all",
    "register",
    "registry",
    "save_figure",
    "sha256_file",
    "style_context",
]
