"""Satorra-Bentler scaled test statistic (lavaan's ``estimator = "MLM"`` test).

With ``s = vech(S)``, ``Gamma`` the asymptotic covariance of ``sqrt(n) s``
(from the case-wise cross products), ``Delta = d vech(Sigma) / d theta'`` and
the normal-theory weight ``V = 1/2 D' (Sigma^-1 (x) Sigma^-1) D``:

    U = V - V Delta (Delta' V Delta)^-1 Delta' V,   c = tr(U Gamma) / df,
    T_SB = T_ML / c

(Satorra & Bentler 1994).  Groups are stacked block-diagonally with weights
``n_g / N``; with a mean structure the means enter ``s``, ``Gamma`` and ``V``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .ml import observed_information

__all__ = ["satorra_bentler"]


def _blocks(problem, theta, g, X):
    model = problem.model
    grp = model.groups[g]
    p = grp.p
    Sigma, mu, *_ = model.moments(theta, g, problem.bases[g])
    dS, dm = model.jacobian(theta, g, problem.bases[g])
    iu = np.triu_indices(p)
    Si = np.linalg.inv(Sigma)
    # V for vech (upper triangle incl. diagonal): 1/2 tr(Si A Si B) with
    # off-diagonal elements counted twice
    E = np.zeros((iu[0].size, p, p))
    k = np.arange(iu[0].size)
    E[k, iu[0], iu[1]] = 1.0
    E[k, iu[1], iu[0]] = 1.0
    EW = Si[None] @ E @ Si[None]
    V = 0.5 * np.einsum("aij,bji->ab", EW, E)
    Delta = dS[:, iu[0], iu[1]].T  # (p*, q)
    Xc = X - X.mean(axis=0)
    Z = Xc[:, iu[0]] * Xc[:, iu[1]]
    if grp.meanstructure:
        V = np.block([[Si, np.zeros((p, V.shape[0]))], [np.zeros((V.shape[0], p)), V]])
        Delta = np.vstack([dm.T, Delta])
        Z = np.hstack([Xc, Z])
    Gamma = np.cov(Z, rowvar=False, bias=True)
    return V, Delta, Gamma


def satorra_bentler(problem, theta, arrays, chi2: float, df: int) -> dict:
    """Scaled statistic, scaling factor and p-value (empty values when df <= 0)."""
    if df <= 0 or not np.isfinite(chi2):
        return {"chi2_scaled": np.nan, "scaling_factor": np.nan, "df": df, "pvalue_scaled": np.nan}
    Vs, Ds, Gs = [], [], []
    for g, X in enumerate(arrays):
        V, D, G = _blocks(problem, theta, g, X)
        w = problem.w[g]
        Vs.append(w * V)
        Ds.append(D)
        Gs.append(G / w)
    from scipy.linalg import block_diag

    V = block_diag(*Vs)
    D = np.vstack(Ds)
    G = block_diag(*Gs)
    VD = V @ D
    U = V - VD @ np.linalg.solve(D.T @ VD, VD.T)
    c = float(np.trace(U @ G) / df)
    return {
        "chi2_scaled": chi2 / c,
        "scaling_factor": c,
        "df": df,
        "pvalue_scaled": float(stats.chi2.sf(chi2 / c, df)),
    }


def _robust_vcov(problem, theta, arrays, *, weights=None, bread="expected") -> np.ndarray:
    """Huber-White sandwich ``A^-1 B A^-1``.

    ``bread="expected"``: N times the expected information (lavaan's MLM SEs);
    ``"observed"``: the Hessian of the log-likelihood, by central differences
    of the analytic gradient.  With sampling ``weights`` (per group, summing
    to N) each case's score is multiplied by its weight (lavaan's
    ``sampling.weights`` with ``se = "robust.huber.white"``).
    """
    model = problem.model
    q = model.q
    Bm = np.zeros((q, q))
    for g, X in enumerate(arrays):
        w = np.ones(X.shape[0]) if weights is None else weights[g]
        Sigma, mu, *_ = model.moments(theta, g, problem.bases[g])
        dS, dm = model.jacobian(theta, g, problem.bases[g])
        Si = np.linalg.inv(Sigma)
        center = mu if model.groups[g].meanstructure else w @ X / w.sum()
        Z = (X - center) @ Si
        p = Z.shape[1]
        outer = (Z[:, :, None] * Z[:, None, :]).reshape(len(Z), p * p)
        s = 0.5 * (outer - Si.reshape(1, -1)) @ dS.reshape(q, -1).T
        if model.groups[g].meanstructure:
            s += Z @ dm.T
        s *= w[:, None]
        Bm += s.T @ s
    info = (
        problem.information(theta) if bread == "expected" else observed_information(problem, theta)
    )
    A = problem.N * info
    Ai = np.linalg.inv(A)
    return Ai @ Bm @ Ai
