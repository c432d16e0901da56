"""All-subsets R² from a correlation matrix (the engine behind Shapley/LMG).

For a subset ``S`` of predictors, ``R²(S) = r_S' R_SS^{-1} r_S`` where ``R_SS``
is the predictors' correlation matrix restricted to ``S`` and ``r_S`` their
correlations with the target.  All ``2^p`` values come from a breadth-first
sweep (Schur complements): step ``j`` adds predictor ``j`` to every subset of
predictors ``0..j-1`` at once, as one vectorised operation, so the work is
``p`` array operations rather than ``2^p`` regressions.  A leading batch axis
carries bootstrap resamples: one correlation matrix per resample.
"""

from __future__ import annotations

import numpy as np

__all__ = ["subset_masks", "subset_r2", "shapley_from_r2"]


def subset_masks(g: int) -> np.ndarray:
    """Bitmasks ``0 .. 2^g - 1`` (bit ``j`` set = unit ``j`` included)."""
    return np.arange(2**g, dtype=np.int64)


def subset_r2(rxx: np.ndarray, rxy: np.ndarray, units: list[list[int]] | None = None) -> np.ndarray:
    """R² of every subset of units for each correlation matrix in the batch.

    Breadth-first sweep: after step ``j`` the array holds, for each of the
    ``2^(j+1)`` subsets of units ``0..j``, the residual (Schur-complement)
    correlation matrix of the remaining predictors and the target given that
    subset.  Adding unit ``j`` with pivot block ``P`` and cross block ``X``
    gives ``C - X' P^{-1} X`` and raises R² by ``x_y' P^{-1} x_y``.  Each step is
    one vectorised operation over all subsets (and all batch members).

    Parameters
    ----------
    rxx : (B, p, p) predictor correlation matrices
    rxy : (B, p) predictor–target correlations
    units : list of lists of column positions, optional
        Groups of predictors entered together (default: each predictor alone).

    Returns
    -------
    (B, 2^g) array; column ``m`` is the R² of the subset whose bit ``j`` is set
    when unit ``j`` is in it (0 for the empty subset).
    """
    rxx = np.asarray(rxx, float)
    rxy = np.asarray(rxy, float)
    n_batch, p = rxy.shape
    if units is None:
        units = [[j] for j in range(p)]
    order = [c for u in units for c in u]
    full = np.empty((n_batch, p + 1, p + 1))
    full[:, :p, :p] = rxx[:, order][:, :, order]
    full[:, :p, p] = full[:, p, :p] = rxy[:, order]
    full[:, p, p] = 1.0
    c = full[:, None]  # (B, subsets, q, q)
    r2 = np.zeros((n_batch, 1))
    for u in units:
        s = len(u)
        cross = c[..., :s, s:]  # (B, m, s, q - s)
        rest = c[..., s:, s:]
        if s == 1:
            piv = c[..., 0, 0][..., None, None]
            gain_mat = cross[..., 0, :, None] * cross[..., 0, None, :] / piv
            gain_r2 = cross[..., 0, -1] ** 2 / piv[..., 0, 0]
        else:
            sol = np.linalg.solve(c[..., :s, :s], cross)  # P^{-1} X
            gain_mat = np.einsum("...ki,...kj->...ij", cross, sol)
            gain_r2 = gain_mat[..., -1, -1]
        c = np.concatenate([rest, rest - gain_mat], axis=1)
        r2 = np.concatenate([r2, r2 + gain_r2], axis=1)
    return r2


def _weights(g: int) -> np.ndarray:
    """Shapley weights ``s!(g-s-1)!/g!`` for coalition sizes ``s = 0..g-1``."""
    from math import comb

    return np.array([1.0 / (g * comb(g - 1, s)) for s in range(g)])


def shapley_from_r2(r2: np.ndarray, g: int) -> np.ndarray:
    """Shapley values ``(B, g)`` from all-subset R² ``(B, 2^g)`` (bitmask order)."""
    masks = subset_masks(g)
    pc = np.bitwise_count(masks)
    w = _weights(g)
    out = np.empty((r2.shape[0], g))
    for j in range(g):
        without = masks[((masks >> j) & 1) == 0]
        gain = r2[:, without | (1 << j)] - r2[:, without]
        out[:, j] = gain @ w[pc[without]]
    return out


def conditional_dominance(r2: np.ndarray, g: int) -> np.ndarray:
    """Mean gain of each unit over subsets of each size: ``(g, g)`` [unit, size]."""
    masks = subset_masks(g)
    pc = np.bitwise_count(masks)
    out = np.empty((g, g))
    for j in range(g):
        without = masks[((masks >> j) & 1) == 0]
        gain = r2[without | (1 << j)] - r2[without]
        s = pc[without]
        out[j] = np.bincount(s, weights=gain, minlength=g) / np.bincount(s, minlength=g)
    return out


def complete_dominance(r2: np.ndarray, g: int, tol: float = 1e-12) -> np.ndarray:
    """``D[i, j]`` = 1 if ``i`` completely dominates ``j``, 0 if dominated, 0.5 otherwise."""
    masks = subset_masks(g)
    d = np.full((g, g), np.nan)
    for i in range(g):
        for j in range(i + 1, g):
            sel = masks[(((masks >> i) & 1) == 0) & (((masks >> j) & 1) == 0)]
            diff = r2[sel | (1 << i)] - r2[sel | (1 << j)]
            if np.all(diff > tol):
                d[i, j], d[j, i] = 1.0, 0.0
            elif np.all(diff < -tol):
                d[i, j], d[j, i] = 0.0, 1.0
            else:
                d[i, j] = d[j, i] = 0.5
    return d
