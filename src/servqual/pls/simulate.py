"""Composite-generating simulator for the ECSI structure (known true weights and paths).

Population model (the composite model of Dijkstra 2017; Cho & Choi 2020):
each block ``j`` of indicators has within-block correlation matrix
``Sigma_jj`` (equicorrelated, ``rho_j``) and a composite ``eta_j = w_j' x_j``
with ``w_j' Sigma_jj w_j = 1``.  Composites follow the recursive ECSI
structural model with standardised path coefficients ``beta``; their
correlation matrix ``R`` follows from the paths.  Between blocks,
``Sigma_jk = Sigma_jj w_j R_jk w_k' Sigma_kk``, which makes every composite
carry all the covariance between blocks.  Data are multivariate normal with
that covariance, so PLS mode B (which is consistent for composite models)
recovers ``w`` and ``beta`` as n grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import Interval, Options, check_params, check_rng
from ..errors import ParameterError
from .spec import ecsi_model

__all__ = ["EcsiTruth", "simulate_ecsi"]

_DEFAULT_PATHS = (
    ("Image", "Expectation", 0.50),
    ("Expectation", "Quality", 0.55),
    ("Expectation", "Value", 0.15),
    ("Quality", "Value", 0.55),
    ("Image", "Satisfaction", 0.20),
    ("Expectation", "Satisfaction", 0.05),
    ("Quality", "Satisfaction", 0.45),
    ("Value", "Satisfaction", 0.20),
    ("Satisfaction", "Complaints", 0.50),
    ("Image", "Loyalty", 0.20),
    ("Satisfaction", "Loyalty", 0.45),
    ("Complaints", "Loyalty", 0.10),
)

_DEFAULT_RAW_WEIGHTS = {
    "Image": (0.4, 0.3, 0.2, 0.2, 0.1),
    "Expectation": (0.5, 0.3, 0.2),
    "Quality": (0.3, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1),
    "Value": (0.6, 0.4),
    "Satisfaction": (0.5, 0.3, 0.2),
    "Complaints": (1.0,),
    "Loyalty": (0.5, 0.2, 0.3),
}

_DEFAULT_LOADINGS = {
    "Image": (0.8, 0.75, 0.7, 0.7, 0.65),
    "Expectation": (0.8, 0.7, 0.65),
    "Quality": (0.85, 0.8, 0.8, 0.75, 0.75, 0.7, 0.7),
    "Value": (0.9, 0.8),
    "Satisfaction": (0.85, 0.8, 0.75),
    "Complaints": (1.0,),
    "Loyalty": (0.85, 0.7, 0.8),
}

_DEFAULT_RHO = {
    "Image": 0.45,
    "Expectation": 0.35,
    "Quality": 0.5,
    "Value": 0.6,
    "Satisfaction": 0.55,
    "Complaints": 0.0,
    "Loyalty": 0.5,
}


@dataclass(frozen=True)
class EcsiTruth:
    """True parameters of the composite ECSI population model.

    Attributes
    ----------
    paths : tuple of (source, target, beta)
        Standardised path coefficients (must match the ECSI structure).
    raw_weights : dict construct -> tuple of relative weights
        Rescaled so each composite has unit variance (see :meth:`weights`).
    within_corr : dict construct -> equicorrelation of the block's items
    loadings : dict construct -> standardised loadings (common-factor model,
        ``kind="factor"`` in :func:`simulate_ecsi`)
    """

    paths: tuple = _DEFAULT_PATHS
    raw_weights: dict = field(default_factory=lambda: dict(_DEFAULT_RAW_WEIGHTS))
    within_corr: dict = field(default_factory=lambda: dict(_DEFAULT_RHO))
    loadings: dict = field(default_factory=lambda: dict(_DEFAULT_LOADINGS))

    def block_corr(self, construct: str) -> np.ndarray:
        k = len(self.raw_weights[construct])
        rho = self.within_corr[construct]
        return np.full((k, k), rho) + (1 - rho) * np.eye(k)

    def weights(self) -> dict[str, np.ndarray]:
        """True weights scaled to unit composite variance (standardised items)."""
        out = {}
        for c, raw in self.raw_weights.items():
            w = np.asarray(raw, float)
            out[c] = w / np.sqrt(w @ self.block_corr(c) @ w)
        return out

    def construct_corr(self) -> pd.DataFrame:
        """Composite correlation matrix implied by the standardised paths."""
        model = ecsi_model()
        names = list(model.constructs)
        pos = {c: i for i, c in enumerate(names)}
        beta = np.zeros((len(names), len(names)))
        for s, t, b in self.paths:
            if (s, t) not in model.paths:
                raise ParameterError(f"path {s} -> {t} is not in the ECSI structure.")
            beta[pos[s], pos[t]] = b
        R = np.eye(len(names))
        for j, c in enumerate(names):  # ecsi_model lists constructs in causal order
            P = [pos[p] for p in model.predecessors(c)]
            if not P:
                continue
            b = beta[P, j]
            explained = b @ R[np.ix_(P, P)] @ b
            if explained >= 1:
                raise ParameterError(
                    f"paths into {c!r} explain {explained:.3f} >= 1 of its variance."
                )
            for k in range(j):
                R[j, k] = R[k, j] = b @ R[P, k]
        return pd.DataFrame(R, index=names, columns=names)

    def items(self) -> list[str]:
        return list(ecsi_model().items)

    def factor_covariance(self) -> np.ndarray:
        """Indicator correlation matrix of the common-factor model ``L R L' + Theta``.

        The latent variables have the correlations of :meth:`construct_corr`;
        each item loads ``loadings[construct][i]`` on its factor only.
        """
        model = ecsi_model()
        R = self.construct_corr().to_numpy()
        lam = np.concatenate([np.asarray(self.loadings[b.name], float) for b in model.blocks])
        block = np.concatenate(
            [np.full(len(self.loadings[b.name]), j) for j, b in enumerate(model.blocks)]
        )
        if lam.size != len(model.items) or np.any(np.abs(lam) > 1):
            raise ParameterError(
                "loadings must give one standardised loading (|value| <= 1) per ECSI item."
            )
        S = np.outer(lam, lam) * R[np.ix_(block, block)]
        np.fill_diagonal(S, 1.0)
        return S

    def covariance(self) -> np.ndarray:
        """Indicator covariance matrix (standardised items) of the composite model."""
        model = ecsi_model()
        R = self.construct_corr().to_numpy()
        W = self.weights()
        blocks = [b.name for b in model.blocks]
        sizes = [len(model.block(c).items) for c in blocks]
        for c, k in zip(blocks, sizes):
            if len(self.raw_weights[c]) != k:
                raise ParameterError(
                    f"raw_weights[{c!r}] has {len(self.raw_weights[c])} values; "
                    f"the block has {k} items."
                )
        a = [self.block_corr(c) @ W[c] for c in blocks]
        start = np.concatenate([[0], np.cumsum(sizes)])
        S = np.zeros((start[-1], start[-1]))
        for j, cj in enumerate(blocks):
            sj = slice(start[j], start[j + 1])
            S[sj, sj] = self.block_corr(cj)
            for k in range(j + 1, len(blocks)):
                sk = slice(start[k], start[k + 1])
                S[sj, sk] = R[j, k] * np.outer(a[j], a[k])
                S[sk, sj] = S[sj, sk].T
        return S


def simulate_ecsi(n: int, truth: EcsiTruth | None = None, *, kind: str = "composite", seed=None):
    """Simulate ``n`` respondents from the composite (or common-factor) ECSI model.

    ``kind="composite"`` (default) draws from the composite model (true
    weights :meth:`EcsiTruth.weights`); ``kind="factor"`` from the
    common-factor model with :attr:`EcsiTruth.loadings` (for PLSc).

    Returns ``(data, truth)``; ``data`` has the ``mobi`` item names (IMAG1-5,
    CUEX1-3, PERQ1-7, PERV1-2, CUSA1-3, CUSCO, CUSL1-3) as standard-normal
    continuous indicators, so ``fit(ecsi_model(), data)`` works directly.

    Examples
    --------
    >>> df, truth = simulate_ecsi(200, seed=1)
    >>> df.shape
    (200, 24)
    """
    check_params(
        {"n": n, "kind": kind},
        {"n": Interval(3, None, integer=True), "kind": Options(("composite", "factor"))},
    )
    truth = truth if truth is not None else EcsiTruth()
    S = truth.covariance() if kind == "composite" else truth.factor_covariance()
    ev = np.linalg.eigvalsh(S)
    if ev[0] <= 0:
        raise ParameterError(
            f"the truth implies a covariance matrix that is not positive definite "
            f"(smallest eigenvalue {ev[0]:.3g}); weaken paths or within-block correlations."
        )
    rng = check_rng(seed)
    L = np.linalg.cholesky(S)
    X = rng.standard_normal((n, S.shape[0])) @ L.T
    return pd.DataFrame(X, columns=truth.items()), truth
