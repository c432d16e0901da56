"""Vectorised PLS bootstrap: resampled covariance matrices as sufficient statistics.

A resample is represented by its row counts ``c`` (``c_i`` = times row ``i`` was
drawn).  Its indicator covariance matrix follows from ``c @ X`` and
``c @ (x_i x_j)`` (one matrix product for a whole stack of resamples), and the
PLS algorithm then runs on the stack of matrices at once
(:func:`servqual.pls.core.estimate`).  Replicates go through
:func:`servqual._resampling.run_bootstrap` (``batched=True``,
``counts=`` the dtype of the products), which hands the statistic each stack's
row counts, counted as they are drawn; replicate ``b`` depends only on ``seed``
and ``b``, whatever ``n_jobs``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._resampling import (
    BootstrapDraws,
    bca_ci,
    jackknife_moments,
    percentile_ci,
    resample_products,
    run_bootstrap,
)
from .._result import Result, resultclass
from ..measurement import htmt_from_corr
from .consistent import correct
from .core import (
    Structure,
    count_moments_to_cov,
    cross_products,
    estimate,
    moments_to_cov,
    total_effects,
)

__all__ = ["Layout", "statistic_vector", "run", "BootstrapResult", "RELIABILITY"]

#: reliability and convergent-validity statistics bootstrapped per multi-item block
RELIABILITY = ("alpha", "rho_c", "rho_a", "ave")


@dataclass(frozen=True)
class Layout:
    """Which parameter each position of the bootstrap statistic vector holds."""

    kind: tuple[str, ...]  # weight, loading, path, indirect, total, htmt
    first: tuple[str, ...]  # construct (weight/loading) or source
    second: tuple[str, ...]  # item (weight/loading) or target
    p_idx: np.ndarray  # item index (weight/loading)
    pairs_direct: tuple[tuple[int, int], ...]
    pairs_effect: tuple[tuple[int, int], ...]
    pairs_htmt: tuple[tuple[int, int], ...]
    rel_blocks: tuple[int, ...] = ()  # multi-item blocks with reliability statistics

    @classmethod
    def build(cls, st: Structure, constructs, items) -> Layout:
        kind, first, second = [], [], []
        for what in ("weight", "loading"):
            for i in range(st.p):
                kind.append(what)
                first.append(constructs[st.block_of[i]])
                second.append(items[i])
        for s, t in st.paths:
            kind.append("path")
            first.append(constructs[s])
            second.append(constructs[t])
        reach = _reachable(st)
        effect = tuple((k, j) for k in range(st.m) for j in range(st.m) if reach[k, j])
        for what in ("indirect", "total"):
            for k, j in effect:
                kind.append(what)
                first.append(constructs[k])
                second.append(constructs[j])
        hpairs = tuple(
            (a, b)
            for a in range(st.m)
            for b in range(a + 1, st.m)
            if len(st.blocks[a]) > 1 and len(st.blocks[b]) > 1
        )
        for a, b in hpairs:
            kind.append("htmt")
            first.append(constructs[a])
            second.append(constructs[b])
        rel = tuple(j for j in range(st.m) if len(st.blocks[j]) > 1)
        for what in RELIABILITY:
            for j in rel:
                kind.append(what)
                first.append(constructs[j])
                second.append("")
        return cls(
            tuple(kind),
            tuple(first),
            tuple(second),
            np.arange(st.p),
            st.paths,
            effect,
            hpairs,
            rel,
        )

    @property
    def k(self) -> int:
        return len(self.kind)


def _reachable(st: Structure) -> np.ndarray:
    A = np.zeros((st.m, st.m), dtype=bool)
    for s, t in st.paths:
        A[s, t] = True
    reach = A.copy()
    for _ in range(st.m):
        reach = reach | (reach.astype(int) @ A.astype(int) > 0)
    return reach


def statistic_vector(
    S: np.ndarray,
    st: Structure,
    layout: Layout,
    *,
    scheme,
    tol,
    max_iter,
    consistent=False,
    W0=None,
):
    """Estimate on a stack ``S`` (b, p, p); rows (b, k), NaN for non-converged members."""
    est = estimate(S, st, scheme=scheme, tol=tol, max_iter=max_iter, W0=W0)
    if consistent:  # True (all reflective blocks) or a tuple of construct indices
        est = correct(est, S, st, None if consistent is True else consistent)
    b = S.shape[0]
    items = np.arange(st.p)
    w = est.W[:, items, st.block_of]
    tot = total_effects(est.B)
    ind = tot - est.B
    src = [k for k, _ in layout.pairs_direct]
    tgt = [j for _, j in layout.pairs_direct]
    es = [k for k, _ in layout.pairs_effect]
    et = [j for _, j in layout.pairs_effect]
    parts = [w, est.loadings, est.B[:, src, tgt], ind[:, es, et], tot[:, es, et]]
    if layout.pairs_htmt:
        sd = np.sqrt(np.einsum("bii->bi", S))
        H = htmt_from_corr(S / sd[:, :, None] / sd[:, None, :], st.blocks)
        parts.append(H[:, [a for a, _ in layout.pairs_htmt], [c for _, c in layout.pairs_htmt]])
    if layout.rel_blocks:
        parts.append(_reliability(est, S, st, layout.rel_blocks))
    out = np.concatenate(parts, axis=1).reshape(b, layout.k)
    out[~est.converged] = np.nan
    return out


def _reliability(est, S, st: Structure, blocks) -> np.ndarray:
    """(b, 4 * len(blocks)): alpha (standardised), rho_C, rho_A, AVE per block."""
    sd = np.sqrt(np.einsum("bii->bi", S))
    C = S / sd[:, :, None] / sd[:, None, :]
    Wz = est.W * sd[:, :, None]
    out = {k: [] for k in RELIABILITY}
    for j in blocks:
        idx = st.blocks[j]
        k = idx.size
        Cjj = C[:, idx][:, :, idx]
        rbar = (Cjj.sum(axis=(1, 2)) - k) / (k * (k - 1))
        out["alpha"].append(k * rbar / (1 + (k - 1) * rbar))
        lam = np.clip(est.loadings[:, idx], -1, 1)
        s1 = lam.sum(axis=1) ** 2
        out["rho_c"].append(s1 / (s1 + np.sum(1 - lam**2, axis=1)))
        out["ave"].append(np.mean(lam**2, axis=1))
        w = Wz[:, idx, j]
        w = w / np.sqrt(np.einsum("bi,bij,bj->b", w, Cjj, w))[:, None]
        ww = np.sum(w**2, axis=1)
        off = np.einsum("bi,bij,bj->b", w, Cjj, w) - np.sum(
            w**2 * np.einsum("bii->bi", Cjj), axis=1
        )
        out["rho_a"].append(ww**2 * off / (ww**2 - np.sum(w**4, axis=1)))
    return np.column_stack([v for key in RELIABILITY for v in out[key]])


@resultclass
class BootstrapResult(Result):
    """Bootstrap draws and the interval table for every PLS parameter."""

    draws: BootstrapDraws
    table: pd.DataFrame  # kind, first, second, estimate, se, ci_lower, ci_upper, bca_*


def run(
    X: np.ndarray,
    st: Structure,
    layout: Layout,
    estimate_vec: np.ndarray,
    *,
    scaled: bool,
    consistent: bool,
    scheme: str,
    tol: float,
    max_iter: int,
    n_boot: int,
    ci: float,
    seed,
    n_jobs: int,
    progress: bool,
    W0: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    raw: np.ndarray | None = None,
) -> BootstrapResult:
    """Bootstrap the statistic vector; percentile and BCa intervals.

    ``raw`` may pass the unstandardised answers (same rows as ``X``): their
    resample covariances (or correlations) equal those of ``X``, and integer
    codes give them exactly in single precision
    (:func:`servqual._resampling.resample_products`).

    With respondent ``weights`` (summing to n) every drawn row carries its
    weight: a replicate's moments are weighted by count x weight (WPLS).  The
    BCa acceleration comes from the exact (weighted) leave-one-out jackknife
    (:func:`servqual._resampling.jackknife_moments`), each leave-one-out fit
    started at the full-sample weights ``W0``.
    """
    n = X.shape[0]
    rw = np.ones(n) if weights is None else np.asarray(weights, float)
    # integer-coded answers without weights: exact single-precision moments;
    # otherwise the centred items and their products, side by side, built once
    exact = resample_products(raw, n) if weights is None and raw is not None else None
    if exact is None or exact[2].dtype != np.float32:
        exact = None
        center = X.mean(axis=0) if weights is None else rw @ X / rw.sum()
        Xc, P = cross_products(X - center)
        P = np.hstack([Xc, P])

    def batched(counts):  # (b, n) row counts of a stack of resamples, in `dtype`
        if exact is not None:
            S = count_moments_to_cov(counts, exact, scaled)
        else:
            S = moments_to_cov(counts if weights is None else counts * rw, Xc, P, scaled)
        return statistic_vector(
            S, st, layout, scheme=scheme, tol=tol, max_iter=max_iter, consistent=consistent
        )

    dtype = np.float32 if exact is not None else np.float64  # what the products take
    draws = run_bootstrap(
        batched,
        n,
        n_boot,
        k=layout.k,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        batched=True,
        counts=dtype,  # counted as they are drawn: no index stack
        desc="PLS bootstrap",
    )

    def loo(means, covs):
        if scaled:
            sd = np.sqrt(np.einsum("bii->bi", covs))
            covs = covs / sd[:, :, None] / sd[:, None, :]
        return statistic_vector(
            covs,
            st,
            layout,
            scheme=scheme,
            tol=tol,
            max_iter=max_iter,
            consistent=consistent,
            W0=W0,
        )

    jack = jackknife_moments(loo, X, weights=weights)  # exact leave-one-out (BCa acceleration)
    valid = draws.valid
    lo, hi = percentile_ci(valid, ci) if valid.shape[0] else (np.nan, np.nan)
    blo, bhi = bca_ci(estimate_vec, valid, jack, ci) if valid.shape[0] > 1 else (np.nan, np.nan)
    table = pd.DataFrame(
        {
            "kind": layout.kind,
            "first": layout.first,
            "second": layout.second,
            "estimate": estimate_vec,
            "se": valid.std(axis=0, ddof=1) if valid.shape[0] > 1 else np.nan,
            "ci_lower": lo,
            "ci_upper": hi,
            "bca_lower": blo,
            "bca_upper": bhi,
        }
    )
    return BootstrapResult(draws, table)
