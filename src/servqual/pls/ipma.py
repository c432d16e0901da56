"""ACSI-style indices and importance-performance map analysis (IPMA).

Index (Fornell et al. 1996, ACSI): ``sum w_i (mean_i - min) / ((max - min)
sum w_i) * 100`` with unstandardised outer weights ``w_i``.

IPMA (Ringle & Sarstedt 2016, *IMDS* 116(9)): performance is the mean 0-100
rescaled construct score; importance is the unstandardised total effect of a
construct on the target when all constructs are on the 0-100 scale.  Since each
0-100 score is an affine function of the standardised score, the
unstandardised total effect equals the standardised total effect times
``sd(target_100) / sd(source_100)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._warn import warn
from ..errors import ServqualWarning, SpecificationError

__all__ = ["construct_index", "ipma_table", "ipma"]


def _check_construct(result, name: str) -> None:
    if name not in result.constructs:
        raise SpecificationError(
            f"unknown construct {name!r}; the model has {', '.join(result.constructs)}."
        )


def _negative_weight_note(result, construct: str) -> None:
    o = result.outer[result.outer["construct"] == construct]
    neg = o.loc[o["weight_unstd"] < 0, "item"].tolist()
    if neg:
        warn(
            f"construct {construct!r} has negative outer weight(s) for {neg}; its 0-100 "
            "score is not a weighted average of the items (Ringle & Sarstedt 2016 require "
            "positive weights for IPMA/indices).",
            ServqualWarning,
        )


def construct_index(result, construct: str) -> float:
    """ACSI-style 0-100 index of one construct (see module docstring).

    Examples
    --------
    >>> from servqual import load_dataset, pls
    >>> res = pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)
    >>> round(construct_index(res, "Satisfaction"), 1)
    72.5
    """
    _check_construct(result, construct)
    _negative_weight_note(result, construct)
    o = result.outer[result.outer["construct"] == construct]
    w = o["weight_unstd"].to_numpy()
    xbar = result.data[o["item"].tolist()].mean().to_numpy()
    lo, hi = result.item_scale
    return float(np.sum(w * (xbar - lo)) / ((hi - lo) * np.sum(w)) * 100.0)


def ipma_table(result, target: str) -> pd.DataFrame:
    """Importance (unstandardised total effect) and performance (0-100) per antecedent.

    Examples
    --------
    >>> from servqual import load_dataset, pls
    >>> res = pls.fit(pls.ecsi_model(), load_dataset("mobi"), progress=False)
    >>> ipma_table(res, "Loyalty")["construct"].tolist()
    ['Image', 'Expectation', 'Quality', 'Value', 'Satisfaction', 'Complaints']
    """
    _check_construct(result, target)
    eff = result.effects[result.effects["target"] == target]
    if eff.empty:
        raise SpecificationError(
            f"construct {target!r} has no antecedents; IPMA needs an endogenous target."
        )
    sd = result.scores_100.std(ddof=1)
    rows = []
    for src, tot in eff[["source", "total"]].itertuples(index=False):
        _negative_weight_note(result, src)
        rows.append(
            {
                "construct": src,
                "importance": float(tot * sd[target] / sd[src]),
                "importance_std": float(tot),
                "performance": float(result.scores_100[src].mean()),
            }
        )
    return pd.DataFrame(rows)


def ipma(result, target: str, *, ax=None):
    """Deprecated: ``(table, ax)``; use :func:`ipma_table`, :func:`servqual.figures.plot_ipma`."""
    import importlib

    from .._moved import moved_warning

    moved_warning("servqual.pls.ipma (the drawing)", "servqual.figures.plot_ipma")
    plot_ipma = importlib.import_module("servqual.figures.pls").plot_ipma
    table = ipma_table(result, target)
    return table, plot_ipma(table, target=target, ax=ax)
