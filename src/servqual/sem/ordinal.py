"""``estimator="WLSMV"`` for :func:`servqual.sem.fit`: DWLS on polychoric correlations.

The RAM model of the syntax is handed to :func:`servqual.sem.wlsmv.dwls_ram`
(delta parameterization: latent responses have unit variance, thresholds are
saturated), which estimates the free structural parameters from the
polychoric correlations with robust (sandwich) standard errors and the
scaled-and-shifted test statistic (lavaan's ``WLSMV`` default).  Starting
values come from an ML fit to the polychoric correlation matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError
from .indices import FIT_KEYS
from .ml import MLProblem, SampleMoments, start_values

__all__ = ["wlsmv_estimate"]


def wlsmv_estimate(prep, ram, gamma="muthen1984"):
    """Returns ``(theta, vcov, estimated, indices, problem, converged, messages)``."""
    from .polychoric import polychoric_moments
    from .wlsmv import dwls_ram

    if len(prep.arrays) != 1:
        raise ParameterError("estimator='WLSMV' supports single-group models only.")
    if any(grp.meanstructure for grp in ram.groups) or any(grp.exo_s[0].size for grp in ram.groups):
        raise ParameterError(
            "estimator='WLSMV' needs a model of ordinal indicators without intercepts or "
            "exogenous observed covariates."
        )
    names = list(ram.observed)
    frame = pd.DataFrame(prep.arrays[0], columns=names)
    mom = polychoric_moments(frame, names, gamma=gamma)
    R = mom.corr.loc[names, names].to_numpy()
    n = prep.arrays[0].shape[0]
    sm = SampleMoments((R,), (np.zeros(len(names)),), np.array([n]))
    problem = MLProblem(ram, sm)
    problem.polychoric = mom
    problem.gamma = gamma
    theta_ml, _, _, _ = problem.fit(start_values(ram, sm))
    out = dwls_ram(ram, mom, theta_ml, base=problem.bases[0])
    fit = out.fit
    q = ram.q
    vcov = np.zeros((q, q))
    est = out.estimated
    vcov[np.ix_(est, est)] = fit.vcov
    indices = dict.fromkeys(FIT_KEYS, np.nan)
    indices.update(_lavaan_indices(ram, problem.bases[0], out, mom, names))
    Sigma = ram.moments(out.theta, 0, problem.bases[0])[0]
    iu = np.triu_indices(len(names), 1)
    indices["srmr"] = float(np.sqrt(np.mean(np.r_[(R - Sigma)[iu], np.zeros(len(names))] ** 2)))
    messages = list(mom.warnings) + list(fit.warnings)
    indices["n"] = int(n)
    return out.theta, vcov, est, indices, problem, bool(fit.converged), messages


def _lavaan_indices(ram, base, out, mom, names) -> dict:
    """WLSMV fit measures under lavaan 0.6's names and conventions.

    ``chi2`` is the unscaled DWLS statistic ``(N - 1) F``; ``chi2_scaled`` the
    scaled-and-shifted one (``scaling_factor``, ``shift``); ``cfi``/``tli``/
    ``rmsea`` (with its 90% CI) use the unscaled statistics and ``N - 1``,
    ``*_scaled`` the scaled ones; ``*_robust`` follow Savalei (2021) as lavaan
    does: the ML discrepancy of the polychoric matrix at the DWLS estimates,
    ``c = tr(U' V U Gamma) / df`` with the normal-theory weight ``V`` of the
    correlations and ``U = I - Delta (Delta' W Delta)^-1 Delta' W``, and the
    baseline's ``c_b = tr(Gamma) / df_b``.
    """
    from .indices import _rmsea_ci

    fi = out.fit.fit_indices
    n1 = mom.n - 1
    df, dfb = int(fi["df"]), int(fi["baseline_df"])
    T, Tb = fi["chi2"], fi["baseline_chi2"]
    Ts, Tbs = fi["chi2_scaled"], fi["baseline_chi2_scaled"]
    res = {
        "chi2": T,
        "df": df,
        "pvalue": fi["pvalue"],
        "chi2_scaled": Ts,
        "scaling_factor": fi["scaling_factor"],
        "shift": fi["shift"],
        "pvalue_scaled": fi["pvalue_scaled"],
        "baseline_chi2": Tb,
        "baseline_df": dfb,
        "baseline_chi2_scaled": Tbs,
        "npar": int(out.estimated.sum()) + sum(t.size for t in mom.thresholds.values()),
    }
    for suffix, t, tb in (("", T, Tb), ("_scaled", Ts, Tbs)):
        res.update(_cfi_tli_rmsea(t, df, tb, dfb, n1, 1.0, 1.0, suffix))
    lo, hi = _rmsea_ci(T, df, n1, 1)
    res.update(rmsea_ci_lower=float(lo), rmsea_ci_upper=float(hi))
    if df > 0:
        res["rmsea_pvalue"] = float(stats.ncx2.sf(T, df, n1 * df * 0.05**2))
    # robust (Savalei 2021, lavaan's catML route)
    cols = list(mom.corr.columns)
    obs = list(ram.observed)
    perm = np.array([obs.index(c) for c in cols])
    Sig = np.asarray(ram.moments(out.theta, 0, base)[0])[np.ix_(perm, perm)].copy()
    np.fill_diagonal(Sig, 1.0)
    R = mom.corr.to_numpy()
    p = len(cols)
    ld = np.linalg.slogdet
    T3 = mom.n * (ld(Sig)[1] + np.trace(R @ np.linalg.inv(Sig)) - ld(R)[1] - p)
    T3b = -mom.n * ld(R)[1]
    li, lj = np.tril_indices(p, -1)
    Si = np.linalg.inv(Sig)
    # normal-theory weight of the correlations: 1/2 d vec(Sigma)' (Si x Si) d vec(Sigma)
    V = Si[li][:, li] * Si[lj][:, lj] + Si[li][:, lj] * Si[lj][:, li]
    G = mom.gamma.to_numpy()
    w = mom.weights.to_numpy()
    est = out.estimated
    dS = np.asarray(ram.jacobian(out.theta, 0, base)[0])[est][:, perm][:, :, perm]
    D = dS[:, li, lj].T
    WD = w[:, None] * D
    U = np.eye(li.size) - D @ np.linalg.solve(D.T @ WD, WD.T)
    c3 = float(np.trace(U.T @ V @ U @ G)) / df if df > 0 else np.nan
    c3b = float(np.trace(G)) / dfb
    rob = _cfi_tli_rmsea(T3, df, T3b, dfb, n1, c3, c3b, "_robust")
    res.update(rob)
    return res


def _cfi_tli_rmsea(t, df, tb, dfb, n1, c, cb, suffix) -> dict:
    if df <= 0:
        return {f"cfi{suffix}": 1.0, f"tli{suffix}": 1.0, f"rmsea{suffix}": 0.0}
    d0, d1 = t - c * df, tb - cb * dfb
    den = max(d0, d1, 0.0)
    return {
        f"cfi{suffix}": float(1.0 - max(d0, 0.0) / den) if den > 0 else 1.0,
        f"tli{suffix}": float(1.0 - (d0 * dfb) / (d1 * df)),
        f"rmsea{suffix}": float(np.sqrt(max(t / n1 / df - c / n1, 0.0))),
    }


class WLSMVRefit:
    """Picklable bootstrap statistic for WLSMV: resample rows -> polychoric moments ->
    DWLS estimates (warm-started at the full-sample solution), plus defined parameters."""

    def __init__(self, ram, X, names, theta, base, label_fn, n_defined, gamma="muthen1984"):
        self.ram, self.X, self.names = ram, X, names
        self.theta, self.base = theta, base
        self.label_fn, self.n_defined, self.gamma = label_fn, n_defined, gamma
        self.codes = None
        self.n_groups = 1

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        import warnings

        from .polychoric import polychoric_moments
        from .wlsmv import dwls_ram

        frame = pd.DataFrame(self.X[idx], columns=self.names)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mom = polychoric_moments(frame, self.names, gamma=self.gamma)
            out = dwls_ram(self.ram, mom, self.theta, base=self.base)
        if not out.fit.converged:
            raise RuntimeError("DWLS refit did not converge")
        if self.n_defined:
            return np.concatenate([out.theta, self.label_fn(out.theta)])
        return out.theta
