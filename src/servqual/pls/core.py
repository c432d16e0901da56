"""The PLS path-modelling algorithm on (stacks of) indicator covariance matrices.

Lohmöller's (1989) iterative algorithm needs only the indicator covariance (or
correlation) matrix ``S``: with outer weights ``W`` (p x m, block structured)
normalised to unit construct variance, the construct correlations are
``R = W' S W`` and the covariances of the indicators with the inner proxies are
``S W E``, where ``E`` holds the inner weights (centroid, factorial or path
scheme).  Mode A takes those covariances as new weights, mode B regresses the
inner proxy on the block (``S_jj^{-1}``).  Everything here works on a leading
batch axis, so a stack of bootstrap resamples is estimated in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .spec import PLSModel

__all__ = [
    "Structure",
    "CoreEstimate",
    "estimate",
    "standardise",
    "count_moments_to_cov",
    "cross_products",
    "moments_to_cov",
]


@dataclass(frozen=True)
class Structure:
    """Index arrays describing a model for the numerical core."""

    p: int
    m: int
    block_of: np.ndarray  # (p,) construct index of each item
    mask: np.ndarray  # (p, m) float 0/1
    blocks: tuple[np.ndarray, ...]  # item indices per construct
    mode_b: tuple[int, ...]
    unit: tuple[int, ...]
    preds: tuple[tuple[int, ...], ...]
    succs: tuple[tuple[int, ...], ...]
    paths: tuple[tuple[int, int], ...]  # (source, target)
    endo: tuple[int, ...]

    @classmethod
    def from_model(cls, model: PLSModel) -> Structure:
        names = model.constructs
        pos = {c: j for j, c in enumerate(names)}
        p, m = len(model.items), len(names)
        block_of = np.concatenate([np.full(len(b.items), j) for j, b in enumerate(model.blocks)])
        mask = np.zeros((p, m))
        mask[np.arange(p), block_of] = 1.0
        blocks = tuple(np.flatnonzero(block_of == j) for j in range(m))
        paths = tuple((pos[s], pos[t]) for s, t in model.paths)
        preds = tuple(tuple(sorted(s for s, t in paths if t == j)) for j in range(m))
        succs = tuple(tuple(sorted(t for s, t in paths if s == j)) for j in range(m))
        return cls(
            p=p,
            m=m,
            block_of=block_of,
            mask=mask,
            blocks=blocks,
            mode_b=tuple(j for j, b in enumerate(model.blocks) if b.mode == "B"),
            unit=tuple(j for j, b in enumerate(model.blocks) if b.mode == "U"),
            preds=preds,
            succs=succs,
            paths=paths,
            endo=tuple(j for j in range(m) if preds[j]),
        )


@dataclass(frozen=True)
class CoreEstimate:
    """Arrays of one (batched) PLS estimation; leading axis = batch."""

    W: np.ndarray  # (b, p, m) outer weights (standardised construct scale)
    R: np.ndarray  # (b, m, m) construct correlations
    loadings: np.ndarray  # (b, p) item-construct correlation (own block)
    cross: np.ndarray  # (b, p, m) all item-construct correlations
    B: np.ndarray  # (b, m, m) path coefficients, B[k, j] = effect k -> j
    r2: np.ndarray  # (b, m), NaN for exogenous constructs
    iterations: np.ndarray  # (b,)
    converged: np.ndarray  # (b,) bool


def _quad(W, S):
    """``W' S W`` over the batch."""
    return np.swapaxes(W, 1, 2) @ S @ W


def _normalise(W, S):
    var = np.sum(W * (S @ W), axis=1)
    return W / np.sqrt(var)[:, None, :]


def _inner_weights(R, st: Structure, scheme: str) -> np.ndarray:
    b, m = R.shape[0], st.m
    E = np.zeros((b, m, m))
    adj = np.zeros((m, m), dtype=bool)
    for s, t in st.paths:
        adj[s, t] = adj[t, s] = True
    if scheme == "centroid":
        return np.where(adj, np.sign(R), 0.0)
    if scheme == "factorial":
        return np.where(adj, R, 0.0)
    for j in range(m):  # path weighting scheme (Lohmöller 1989)
        if st.succs[j]:
            s = list(st.succs[j])
            E[:, s, j] = R[:, s, j]
        if st.preds[j]:
            P = list(st.preds[j])
            E[:, P, j] = np.linalg.solve(R[:, P][:, :, P], R[:, P, j][..., None])[..., 0]
    return E


def _outer_update(S, W, E, st: Structure) -> np.ndarray:
    G = (S @ W) @ E * st.mask
    for j in st.mode_b:
        idx = st.blocks[j]
        Sjj = S[:, idx][:, :, idx]
        G[:, idx, j] = np.linalg.solve(Sjj, G[:, idx, j][..., None])[..., 0]
    for j in st.unit:  # unit weights: equal weights, only rescaled
        G[:, st.blocks[j], j] = 1.0
    return G


def estimate(
    S: np.ndarray,
    st: Structure,
    *,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    W0: np.ndarray | None = None,
) -> CoreEstimate:
    """Run PLS-PM on a stack of covariance matrices ``S`` (b, p, p).

    Convergence: the largest absolute change of any outer weight falls below
    ``tol``.  Converged batch members are frozen, so a member's result does not
    depend on which other members share its batch.  ``W0`` (p, m) are starting
    weights (default: unit weights), e.g. the full-sample solution for the
    leave-one-out samples of a jackknife.
    """
    S = np.asarray(S, dtype=float)
    if S.ndim == 2:
        S = S[None]
    b = S.shape[0]
    start = st.mask if W0 is None else np.asarray(W0, dtype=float) * st.mask
    W = _normalise(np.broadcast_to(start, (b, st.p, st.m)).copy(), S)
    for j in st.unit:  # unit blocks start (and stay) at equal weights
        W[:, st.blocks[j], j] = 1.0
    if st.unit:
        W = _normalise(W, S)
    iterations = np.full(b, max_iter)
    converged = np.zeros(b, dtype=bool)
    active = np.arange(b)
    for it in range(1, max_iter + 1):
        Sa, Wa = S[active], W[active]
        E = _inner_weights(_quad(Wa, Sa), st, scheme)
        Wn = _normalise(_outer_update(Sa, Wa, E, st), Sa)
        change = np.max(np.abs(Wn - Wa), axis=(1, 2))
        W[active] = Wn
        done = change < tol
        iterations[active[done]] = it
        converged[active[done]] = True
        active = active[~done]
        if active.size == 0:
            break
    R = _quad(W, S)
    sd = np.sqrt(np.einsum("bii->bi", S))
    cross = (S @ W) / sd[:, :, None]
    loadings = cross[:, np.arange(st.p), st.block_of]
    Bm = np.zeros((b, st.m, st.m))
    r2 = np.full((b, st.m), np.nan)
    for j in st.endo:
        P = list(st.preds[j])
        coef = np.linalg.solve(R[:, P][:, :, P], R[:, P, j][..., None])[..., 0]
        Bm[:, P, j] = coef
        r2[:, j] = np.einsum("bk,bk->b", coef, R[:, P, j])
    return CoreEstimate(W, R, loadings, cross, Bm, r2, iterations, converged)


def standardise(raw: np.ndarray, w: np.ndarray | None, scaled: bool):
    """``(mean, sd, X, S)``: the centred (and, if ``scaled``, standardised) working copy
    ``X`` of the items ``raw`` (n, p) and its covariance ``S``; ``w`` are respondent
    weights (mean 1) or None."""
    from ..weighting import weighted_cov

    if w is None:
        mean, sd = raw.mean(axis=0), raw.std(axis=0, ddof=1)
    else:
        mean, sd = w @ raw / w.sum(), np.sqrt(np.diag(weighted_cov(raw, w, ddof=1)))
    X = raw - mean  # one working copy, scaled in place
    if scaled:
        X /= sd
    S = (X.T @ X) / (X.shape[0] - 1) if w is None else weighted_cov(X, w, ddof=1)
    return mean, sd, X, S


def total_effects(Bm: np.ndarray) -> np.ndarray:
    """Total effects ``(I - B)^{-1} - I`` of a recursive path matrix (batched)."""
    m = Bm.shape[-1]
    eye = np.eye(m)
    return np.linalg.inv(eye - Bm) - eye


def cross_products(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row items and upper-triangle products of ``X`` (n, p) for fast resampled moments.

    Returns ``(X, P)`` with ``P`` of shape (n, p(p+1)/2); ``counts @ X`` and
    ``counts @ P`` give the sums needed for the covariance of any resample.
    """
    iu = np.triu_indices(X.shape[1])
    return X, X[:, iu[0]] * X[:, iu[1]]


def moments_to_cov(
    counts: np.ndarray, X: np.ndarray, P: np.ndarray, scaled: bool, *, fixed: bool = True
) -> np.ndarray:
    """Covariance (or correlation if ``scaled``) matrices of resamples given as row counts.

    ``counts`` is (b, n) with row sums n (bootstrap) or any positive weights.
    ``P`` may already hold ``[X, P]`` side by side (saves a copy per call).
    ``fixed=True`` makes each row's result independent of the batch it is in.
    """
    p = X.shape[1]
    w = counts.sum(axis=1)
    XP = P if P.shape[1] == p + p * (p + 1) // 2 else np.hstack([X, P])
    sums = _fixed_shape_matmul(counts, XP) if fixed else counts @ XP
    mean = sums[:, :p] / w[:, None]
    sp = sums[:, p:]
    iu = np.triu_indices(p)
    C = np.empty((counts.shape[0], p, p))
    C[:, iu[0], iu[1]] = sp
    C[:, iu[1], iu[0]] = sp
    return _centred(C, mean, w, scaled)


def _centred(C, mean, w, scaled: bool) -> np.ndarray:
    """Sums of cross-products ``C`` (b, p, p) of resamples with total weight ``w``
    and means ``mean`` -> covariances (divisor ``w - 1``) or correlations."""
    C -= w[:, None, None] * mean[:, :, None] * mean[:, None, :]
    C /= (w - 1)[:, None, None]
    if scaled:
        sd = np.sqrt(np.einsum("bii->bi", C))
        C = C / sd[:, :, None] / sd[:, None, :]
    return C


def count_moments_to_cov(counts: np.ndarray, products, scaled: bool) -> np.ndarray:
    """:func:`moments_to_cov` from :func:`servqual._resampling.resample_products`.

    ``counts`` (b, n) are resample counts in the products' dtype.  With
    single-precision products of integer codes the sums are exact integers, so
    every row is the same whichever rows share the product (no fixed-shape
    chunks needed) and the covariance is at least as accurate as the
    double-precision one.
    """
    shift, sym, Z = products
    p = shift.size
    w = counts.sum(axis=1, dtype=float)
    sums = (counts @ Z).astype(float, copy=False)
    mean = sums[:, sums.shape[1] - p :] / w[:, None]
    return _centred(sums[:, sym].reshape(counts.shape[0], p, p), mean, w, scaled)


_CHUNK = 64


def _fixed_shape_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` computed in zero-padded row chunks of a fixed size.

    BLAS picks kernels (and so rounding) by matrix shape; with one fixed shape
    every row of the result is bitwise the same whichever rows share its
    chunk, so bootstrap replicates do not depend on the batch size or
    ``n_jobs``.
    """
    out = np.empty((A.shape[0], B.shape[1]))
    block = np.zeros((_CHUNK, A.shape[1]))
    for start in range(0, A.shape[0], _CHUNK):
        m = min(_CHUNK, A.shape[0] - start)
        block[:m] = A[start : start + m]
        block[m:] = 0.0
        out[start : start + m] = (block @ B)[:m]
    return out
