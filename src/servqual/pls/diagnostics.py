"""PLS diagnostics beside the estimates: item VIF, seminr's AIC/BIC, f^2 by re-estimation.

* **Item VIF** of an indicator: ``1 / (1 - R^2)`` of the indicator regressed on
  the other indicators of its block (seminr's ``vif_items``; Hair et al.
  2022 flag values above 5 for formative blocks).
* **AIC/BIC** per endogenous construct (Sharma et al. 2019, as seminr's
  ``it_criteria``): with standardised scores the residual sum of squares is
  ``SSE = (1 - R^2)(n - 1)`` and, with ``k`` predictors,
  ``AIC = n log(SSE / n) + 2 (k + 1)``, ``BIC = n log(SSE / n) + (k + 1) log n``.
* **f^2 by re-estimation** (seminr's ``fSquare``; Hair et al. 2022): the whole
  model is estimated again without the path, so weights and scores may
  change, and ``f^2 = (R^2_incl - R^2_excl) / (1 - R^2_incl)``.  The
  R^2-based shortcut keeps the scores fixed and only drops the predictor from
  the target's regression; the two agree when the weights do not depend on the
  path (e.g. all blocks mode B with one path into the target's block).
"""

from __future__ import annotations

import numpy as np

from .consistent import correct
from .core import Structure, estimate
from .spec import Block, PLSModel

__all__ = ["item_vif", "info_criteria", "f2_reestimated"]


def item_vif(st: Structure, C: np.ndarray) -> np.ndarray:
    """VIF of each item among the items of its block (``C``: item correlations).

    Items of a block whose correlation matrix is singular (identical or exactly
    collinear items) get NaN: their VIF is infinite, and the caller warns.
    """
    out = np.ones(st.p)
    for idx in st.blocks:
        if idx.size > 1:
            R = C[np.ix_(idx, idx)]
            ev, vec = np.linalg.eigh(R)
            if ev[0] <= 1e-10 * ev[-1]:  # singular: the items in the null space
                sub = np.diag(np.linalg.pinv(R)).copy()
                sub[np.abs(vec[:, 0]) > 1e-6] = np.nan
                out[idx] = sub
            else:
                out[idx] = np.diag(np.linalg.inv(R))
    return out


def info_criteria(r2: float, k: int, n: int) -> tuple[float, float]:
    """seminr's (AIC, BIC) of one structural equation with ``k`` predictors."""
    sse = (1.0 - r2) * (n - 1)
    ll = n * np.log(sse / n)
    return float(ll + 2 * (k + 1)), float(ll + (k + 1) * np.log(n))


def _without_path(model: PLSModel, source: str, target: str) -> PLSModel:
    paths = tuple(p for p in model.paths if p != (source, target))
    linked = {c for p in paths for c in p}
    blocks = tuple(Block(b.name, b.items, b.mode) for b in model.blocks if b.name in linked)
    return PLSModel(blocks, paths)


def f2_reestimated(
    model: PLSModel, S: np.ndarray, *, scheme: str, tol: float, max_iter: int, consistent
) -> dict[tuple[str, str], float]:
    """f^2 of every path from re-estimating the model without it.

    ``S`` is the item covariance/correlation matrix (items in ``model.items``
    order); ``consistent`` as in :func:`servqual.pls.fit` (False, True or a
    tuple of construct names).
    """
    st = Structure.from_model(model)
    full = estimate(S, st, scheme=scheme, tol=tol, max_iter=max_iter)
    if consistent:
        full = correct(full, S[None], st, _which(model, consistent))
    names = model.constructs
    pos_item = {it: i for i, it in enumerate(model.items)}
    out = {}
    for s, t in model.paths:
        r2_in = float(full.r2[0, names.index(t)])
        reduced = _without_path(model, s, t)
        r2_ex = 0.0
        if t in reduced.constructs and reduced.predecessors(t):
            sub = [pos_item[it] for it in reduced.items]
            Sr = S[np.ix_(sub, sub)]
            str_ = Structure.from_model(reduced)
            est = estimate(Sr, str_, scheme=scheme, tol=tol, max_iter=max_iter)
            if consistent:
                est = correct(est, Sr[None], str_, _which(reduced, consistent))
            r2_ex = float(est.r2[0, reduced.constructs.index(t)])
        out[(s, t)] = (r2_in - r2_ex) / (1.0 - r2_in)
    return out


def _which(model: PLSModel, consistent):
    """Construct indices treated as common factors (None = every reflective block)."""
    if consistent is True:
        return None
    return tuple(j for j, c in enumerate(model.constructs) if c in consistent)
