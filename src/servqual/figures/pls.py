"""Registry figures for PLS path modelling on the ECSI ``mobi`` data."""

from __future__ import annotations

from ._registry import FigureSpec, register


def _ecsi_fit():
    from .. import pls
    from ..datasets import load_dataset

    return pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)


def _draw_path(ax, res):
    from ..pls.plots import plot_path_diagram

    return plot_path_diagram(res, ax=ax)


def _draw_ipma(ax, res):
    from ..pls.ipma import plot_ipma

    return plot_ipma(res.ipma_table("Loyalty"), target="Loyalty", ax=ax)


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
