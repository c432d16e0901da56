"""Robust RMSEA/CFI/TLI after FIML: Zhang & Savalei's (2022) FIML-corrected indices.

With missing data the ML test statistic does not estimate the population
discrepancy the complete-data RMSEA and CFI refer to.  Zhang & Savalei (2022,
*Psychological Methods*, "New computations for RMSEA and CFI following FIML
and TS estimation with missing data") evaluate the complete-data ML
discrepancy at the saturated (EM) moments ``(mu~, S~)`` and correct it by a
scaling constant.  lavaan 0.6.13+ reports these as ``rmsea.robust``,
``cfi.robust`` and ``tli.robust`` whenever ``missing = "ml"``: version ``V3``
for scaled tests (``MLR``) and ``V6`` otherwise (plain ``ML``).

Per group, in the coordinates ``t = (mu, vech Sigma)`` of the saturated model:
``Wm`` the observed-data (FIML) observed information per case at ``(mu~, S~)``,
``Jm`` the mean cross-product of the case-wise scores there, ``Wc`` the
complete-data normal-theory information at ``(mu~, S~)``, ``Gamma = Wm^-1 Jm
Wm^-1`` and ``Delta = dt(theta) / dtheta'`` at the FIML estimates.  Groups are
stacked block-diagonally with weights ``f_g = n_g / N`` (``f_g Wm_g``,
``Wm_g^-1 / f_g``, ``f_g Wc_g``, ``Gamma_g / f_g``), and

    U = Wm - Wm Delta (Delta' Wm Delta)^-1 Delta' Wm,
    k_V3 = tr(U Wm^-1 Wc Wm^-1 U Gamma),   k_V6 = tr(Wc Wm^-1 U Wm^-1),
    T3 = sum_g n_g F_ML(mu~_g, S~_g; mu_g(theta), Sigma_g(theta)),  c = k / df.

The same for the (FIML-fitted) independence model gives ``T3_b`` and ``c_b``;
the indices then follow Brosseau-Liard & Savalei (2014):
``RMSEA = sqrt(G max(T3/N/df - c/N, 0))``,
``CFI = 1 - max(T3 - c df, 0) / max(T3 - c df, T3_b - c_b df_b, 0)``,
``TLI = 1 - ((T3 - c df)/df) / ((T3_b - c_b df_b)/df_b)``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import block_diag

from .robust import _case_scores_raw, _h1_observed_fiml, baseline_problem

__all__ = ["fiml_corrected_indices"]


def _h1_design(problem, g: int, p: int):
    """Unit derivatives ``(dSigma, dmu)`` of the H1 coordinates ``(mu, vech Sigma)``
    (the fixed.x covariates' own moments dropped), the mask kept and ``triu`` indices."""
    iu = np.triu_indices(p)
    k = iu[0].size
    dS = np.zeros((p + k, p, p))
    dS[p + np.arange(k), iu[0], iu[1]] = 1.0
    dS[p + np.arange(k), iu[1], iu[0]] = 1.0
    dm = np.vstack([np.eye(p), np.zeros((k, p))])
    exo = set(problem.model.groups[g].exo_s[0].tolist())
    keep = np.array(
        [i not in exo for i in range(p)] + [not (a in exo and b in exo) for a, b in zip(*iu)]
    )
    return dS[keep], dm[keep], keep, iu


def _complete_information(Sigma, dS, dm) -> np.ndarray:
    """Complete-data normal-theory information per case for the H1 coordinates."""
    Si = np.linalg.inv(Sigma)
    A = 0.5 * np.einsum("aij,jk,bkl,li->ab", dS, Si, dS, Si, optimize=True)
    return A + dm @ Si @ dm.T


def _ml_discrepancy(S, m, Sigma, mu) -> float:
    Si = np.linalg.inv(Sigma)
    d = m - mu
    return float(
        np.linalg.slogdet(Sigma)[1]
        + np.trace(S @ Si)
        - np.linalg.slogdet(S)[1]
        - S.shape[0]
        + d @ Si @ d
    )


def _model_delta(model, theta, g, base, iu, keep) -> np.ndarray:
    dS, dm = model.jacobian(theta, g, base)
    return np.vstack([dm.T, dS[:, iu[0], iu[1]].T])[keep]


def fiml_corrected_indices(
    problem, theta, arrays, df: int, bdf: int, *, version: str = "V3"
) -> dict:
    """``cfi_robust``, ``tli_robust``, ``rmsea_robust`` after FIML (Zhang & Savalei 2022).

    ``problem`` is the fitted :class:`~servqual.sem.fiml.FIMLProblem` (its
    ``moments`` are the EM estimates), ``theta`` its estimates, ``arrays`` the
    raw data per group, ``df``/``bdf`` the model's and the baseline's degrees
    of freedom.  ``version="V3"`` for scaled (MLR) tests, ``"V6"``
    for plain ML, as lavaan 0.6.14's ``fitMeasures``.

    Examples
    --------
    >>> import numpy as np, servqual
    >>> from servqual.sem import fit
    >>> hs = servqual.load_dataset("holzinger_swineford").copy()
    >>> hs.loc[hs.index[::10], "x1"] = np.nan
    >>> res = fit("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6", hs,
    ...           missing="fiml", estimator="MLR")
    >>> 0 < res.fit_indices["cfi_robust"] <= 1
    True
    """

    out = dict.fromkeys(("cfi_robust", "tli_robust", "rmsea_robust"), np.nan)
    if df <= 0:
        return {"cfi_robust": 1.0, "tli_robust": 1.0, "rmsea_robust": 0.0}
    model = problem.model
    G = len(model.groups)
    N = problem.N
    f = problem.w
    Wm, Wmi, Wc, Gam, deltas, coords = [], [], [], [], [], []
    T3 = 0.0
    for g, X in enumerate(arrays):
        p = X.shape[1]
        St, mt = problem.moments.cov[g], problem.moments.mean[g]
        dS, dm, keep, iu = _h1_design(problem, g, p)
        n = X.shape[0]
        wm = _h1_observed_fiml(X, St, mt, dS, dm) / n
        s = _case_scores_raw(X, St, mt, dS, dm, True)
        jm = s.T @ s / n
        wmi = np.linalg.inv(wm)
        Wm.append(f[g] * wm)
        Wmi.append(wmi / f[g])
        Wc.append(f[g] * _complete_information(St, dS, dm))
        Gam.append(wmi @ jm @ wmi / f[g])
        coords.append((iu, keep))
        Sigma, mu = model.moments(theta, g, problem.bases[g])[:2]
        T3 += n * _ml_discrepancy(St, mt, Sigma, mu)
        deltas.append(_model_delta(model, theta, g, problem.bases[g], iu, keep))
    Wm, Wmi, Wc, Gam = (block_diag(*m) for m in (Wm, Wmi, Wc, Gam))

    def trace(D):
        WD = Wm @ D
        U = Wm - WD @ np.linalg.solve(D.T @ WD, WD.T)
        if version == "V3":
            return float(np.trace(U @ Wmi @ Wc @ Wmi @ U @ Gam))
        return float(np.trace(Wc @ Wmi @ U @ Wmi))

    c = trace(np.vstack(deltas)) / df
    base, tb = baseline_problem(problem, arrays)
    T3b = 0.0
    db = []
    for g in range(G):
        iu, keep = coords[g]
        Sigma, mu = base.model.moments(tb, g, base.bases[g])[:2]
        T3b += arrays[g].shape[0] * _ml_discrepancy(
            problem.moments.cov[g], problem.moments.mean[g], Sigma, mu
        )
        db.append(_model_delta(base.model, tb, g, base.bases[g], iu, keep))
    cb = trace(np.vstack(db)) / bdf
    d0, d1 = T3 - c * df, T3b - cb * bdf
    den = max(d0, d1, 0.0)
    out["rmsea_robust"] = float(np.sqrt(G * max(T3 / N / df - c / N, 0.0)))
    out["cfi_robust"] = float(1.0 - max(d0, 0.0) / den) if den > 0 else 1.0
    out["tli_robust"] = float(1.0 - (d0 / df) / (d1 / bdf))
    return out
