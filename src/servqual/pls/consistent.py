"""Consistent PLS (PLSc; Dijkstra & Henseler 2015, *MIS Quarterly* 39(2), 297-316).

For a reflective (mode A) block with outer weights ``w`` scaled to unit
composite variance on standardised items and item correlations ``S``::

    c^2   = w'(S - diag S)w / w'(ww' - diag ww')w
    rho_A = (w'w)^2 c^2               (reliability of the composite)
    lambda = c w                      (consistent loadings)

Construct correlations are disattenuated, ``r_ij / sqrt(rho_A,i rho_A,j)``
(mode B and single-item blocks keep ``rho_A = 1``), and the paths are the OLS
solutions on the corrected matrix.  Everything is batched like
:func:`servqual.pls.core.estimate`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .core import CoreEstimate, Structure

__all__ = ["correct", "block_rho_a"]


def block_rho_a(est: CoreEstimate, S: np.ndarray, st: Structure, which=None):
    """``(rho_a, c)`` per batch member and construct (1 for mode B / single items).

    ``which`` (construct indices) limits the common-factor treatment to those
    blocks; the others keep ``rho_A = 1`` (composites).
    """
    sd = np.sqrt(np.einsum("bii->bi", S))
    C = S / sd[:, :, None] / sd[:, None, :]
    Wz = est.W * sd[:, :, None]  # weights on standardised items
    b = S.shape[0]
    rho = np.ones((b, st.m))
    c = np.ones((b, st.m))
    for j in range(st.m):
        idx = st.blocks[j]
        if idx.size < 2 or j in st.mode_b or j in st.unit:
            continue
        if which is not None and j not in which:
            continue
        w = Wz[:, idx, j]
        Cjj = C[:, idx][:, :, idx]
        num = np.einsum("bi,bij,bj->b", w, Cjj, w) - np.einsum("bi,bii,bi->b", w, Cjj, w)
        den = np.sum(w**2, axis=1) ** 2 - np.sum(w**4, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            c2 = num / den
        c[:, j] = np.sqrt(np.where(c2 > 0, c2, np.nan))
        rho[:, j] = np.sum(w**2, axis=1) ** 2 * c2
    return rho, c


def correct(est: CoreEstimate, S: np.ndarray, st: Structure, which=None) -> CoreEstimate:
    """PLSc version of ``est``: consistent loadings, correlations, paths and R^2.

    ``which`` (construct indices, default all mode-A multi-item blocks) are
    treated as common factors; the other blocks stay composites.
    """
    S = S if S.ndim == 3 else S[None]
    rho, c = block_rho_a(est, S, st, which)
    sd = np.sqrt(np.einsum("bii->bi", S))
    Wz = est.W * sd[:, :, None]
    loadings = est.loadings.copy()
    for j in range(st.m):
        if st.blocks[j].size > 1 and j not in st.mode_b and j not in st.unit:
            if which is not None and j not in which:
                continue
            idx = st.blocks[j]
            loadings[:, idx] = c[:, [j]] * Wz[:, idx, j]
    with np.errstate(invalid="ignore"):
        R = est.R / np.sqrt(rho[:, :, None] * rho[:, None, :])
    m = st.m
    R[:, np.arange(m), np.arange(m)] = 1.0
    Bm = np.zeros_like(est.B)
    r2 = np.full_like(est.r2, np.nan)
    for j in st.endo:
        P = list(st.preds[j])
        coef = np.linalg.solve(R[:, P][:, :, P], R[:, P, j][..., None])[..., 0]
        Bm[:, P, j] = coef
        r2[:, j] = np.einsum("bk,bk->b", coef, R[:, P, j])
    return replace(est, R=R, loadings=loadings, B=Bm, r2=r2)
