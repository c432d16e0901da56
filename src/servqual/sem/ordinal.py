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

from ..errors import ParameterError
from .indices import FIT_KEYS, cfi_tli_rmsea, scaled_shifted_measures
from .ml import MLProblem, SampleMoments, start_values

__all__ = ["wlsmv_estimate"]


def wlsmv_estimate(prep, ram, gamma="muthen1984", group_equal=()):
    """Returns ``(theta, vcov, estimated, indices, problem, converged, messages)``.

    Several groups are fitted as lavaan's configural model (every parameter
    group-specific): group by group, with the statistics pooled -- ``chi2 =
    sum_g (n_g - 1) F_g`` and the scaled-and-shifted test from the summed
    traces of ``U_g Gamma_g``.  Parameters shared across groups (labels,
    ``group_equal``: lavaan's threshold/loading invariance) go to
    :func:`~servqual.sem.wlsmv_invariance.wlsmv_shared_estimate`.
    """
    from .polychoric import polychoric_moments
    from .wlsmv import dwls_ram

    if any(grp.exo_s[0].size for grp in ram.groups):
        raise ParameterError(
            "estimator='WLSMV' needs a model of ordinal indicators without exogenous "
            "observed covariates."
        )
    pt = ram.partable
    free = pt[pt["par"] >= 0]
    shared = free.groupby("par")["group"].nunique().max() > 1 if len(free) else False
    if len(prep.arrays) > 1 and (shared or "thresholds" in tuple(group_equal)):
        from .wlsmv_invariance import wlsmv_shared_estimate

        return wlsmv_shared_estimate(prep, ram, group_equal, gamma)
    user_means = pt[(pt["op"] == "~1") & (pt["par"] >= 0)]
    if len(user_means):
        raise ParameterError(
            "estimator='WLSMV' estimates no intercepts or means (delta parameterization, "
            "thresholds saturated): remove the '~ 1' statements."
        )
    names = list(ram.observed)
    moms, Rs = [], []
    for X in prep.arrays:
        mom = polychoric_moments(pd.DataFrame(X, columns=names), names, gamma=gamma)
        moms.append(mom)
        Rs.append(mom.corr.loc[names, names].to_numpy())
    ns = np.array([X.shape[0] for X in prep.arrays])
    sm = SampleMoments(tuple(Rs), tuple(np.zeros(len(names)) for _ in Rs), ns)
    problem = MLProblem(ram, sm)
    problem.polychoric = moms[0]
    problem.polychorics = moms
    problem.gamma = gamma
    theta_ml, _, _, _ = problem.fit(start_values(ram, sm))
    q = ram.q
    theta = theta_ml.copy()
    vcov = np.zeros((q, q))
    est = np.zeros(q, dtype=bool)
    outs, messages, converged = [], [], True
    for g, mom in enumerate(moms):
        out = dwls_ram(ram, mom, theta_ml, group=g, base=problem.bases[g])
        mine = np.zeros(q, dtype=bool)
        mine[pt.loc[(pt["group"] == g) & (pt["par"] >= 0), "par"].to_numpy()] = True
        theta[mine] = out.theta[mine]
        e = out.estimated
        vcov[np.ix_(e, e)] = out.fit.vcov
        est |= e
        outs.append(out)
        messages += list(mom.warnings) + list(out.fit.warnings)
        converged &= bool(out.fit.converged)
    indices = dict.fromkeys(FIT_KEYS, np.nan)
    indices.update(_pooled_indices(ram, problem.bases, theta, outs, moms, names))
    srmr = 0.0
    for g, R in enumerate(Rs):
        Sigma = ram.moments(theta, g, problem.bases[g])[0]
        iu = np.triu_indices(len(names), 1)
        srmr += (
            ns[g] / ns.sum() * np.sqrt(np.mean(np.r_[(R - Sigma)[iu], np.zeros(len(names))] ** 2))
        )
    indices["srmr"] = float(srmr)
    indices["n"] = int(ns.sum())
    return theta, vcov, est, indices, problem, converged, messages


def _pooled_indices(ram, bases, theta, outs, moms, names) -> dict:
    """WLSMV fit measures under lavaan 0.6's names and conventions, pooled over groups.

    ``chi2`` is the unscaled DWLS statistic ``sum_g (n_g - 1) F_g``;
    ``chi2_scaled`` the scaled-and-shifted one (``scaling_factor``, ``shift``)
    from ``tr(U Gamma)`` and ``tr((U Gamma)^2)`` summed over groups;
    ``cfi``/``tli``/``rmsea`` (with its 90% CI) use the unscaled statistics and
    ``N - G``, ``*_scaled`` the scaled ones; ``*_robust`` follow Savalei (2021)
    as lavaan does: the ML discrepancy of the polychoric matrix
    at the DWLS estimates, ``c = tr(U' V U Gamma) / df`` with the normal-theory
    weight ``V`` of the correlations and ``U = I - Delta (Delta' W Delta)^-1
    Delta' W``, and the baseline's ``c_b = tr(Gamma) / df_b``.
    """
    G = len(outs)
    fis = [o.fit.fit_indices for o in outs]
    n1 = sum(m.n - 1 for m in moms)
    df = int(sum(f["df"] for f in fis))
    dfb = int(sum(f["baseline_df"] for f in fis))
    res = scaled_shifted_measures(
        float(sum(f["chi2"] for f in fis)),
        df,
        sum(f["trace_ug"] for f in fis),
        sum(f["trace_ug2"] for f in fis),
        float(sum(f["baseline_chi2"] for f in fis)),
        dfb,
        sum(f["baseline_trace_ug"] for f in fis),
        sum(f["baseline_trace_ug2"] for f in fis),
        n1,
        G,
    )
    res["npar"] = int(sum(o.estimated.sum() for o in outs)) + sum(
        t.size for m in moms for t in m.thresholds.values()
    )
    res.update(_robust_catml(ram, bases, outs, moms, df, dfb, n1))
    return res


def _robust_catml(ram, bases, outs, moms, df, dfb, n1) -> dict:
    """Savalei's (2021) robust indices, summed over groups.

    The groups of a configural model share no parameter, so lavaan's stacked
    trace ``tr(U' V U Gamma)`` (with the weights ``f_g = n_g / N`` that cancel
    within each block) is the sum of the groups' traces; ``T3`` sums
    ``n_g F_ML,g``.  The baseline's ``c_b df_b`` is lavaan 0.6.14's
    ``tr(Gamma_all)`` of the stacked ``Gamma_g / f_g``, i.e.
    ``sum_g tr(Gamma_g) / f_g`` (the weights do not cancel there; with one
    group ``f = 1``): mirrored so that CFI/TLI agree with lavaan (checked on
    bfi by gender, ``tests/test_sem_peers.py``).
    """
    T3 = T3b = k3 = k3b = 0.0
    ld = np.linalg.slogdet
    for g, (out, mom) in enumerate(zip(outs, moms)):
        cols = list(mom.corr.columns)
        obs = list(ram.observed)
        perm = np.array([obs.index(c) for c in cols])
        Sig = np.asarray(ram.moments(out.theta, g, bases[g])[0])[np.ix_(perm, perm)].copy()
        np.fill_diagonal(Sig, 1.0)
        R = mom.corr.to_numpy()
        p = len(cols)
        T3 += mom.n * (ld(Sig)[1] + np.trace(R @ np.linalg.inv(Sig)) - ld(R)[1] - p)
        T3b += -mom.n * ld(R)[1]
        li, lj = np.tril_indices(p, -1)
        Si = np.linalg.inv(Sig)
        # normal-theory weight of the correlations: 1/2 d vec(Sigma)' (Si x Si) d vec(Sigma)
        V = Si[li][:, li] * Si[lj][:, lj] + Si[li][:, lj] * Si[lj][:, li]
        Gm = mom.gamma.to_numpy()
        w = mom.weights.to_numpy()
        est = out.estimated
        dS = np.asarray(ram.jacobian(out.theta, g, bases[g])[0])[est][:, perm][:, :, perm]
        D = dS[:, li, lj].T
        WD = w[:, None] * D
        U = np.eye(li.size) - D @ np.linalg.solve(D.T @ WD, WD.T)
        k3 += float(np.trace(U.T @ V @ U @ Gm))
        k3b += float(np.trace(Gm)) * sum(m.n for m in moms) / mom.n
    c3 = k3 / df if df > 0 else np.nan
    return cfi_tli_rmsea(T3, df, T3b, dfb, n1, c3, k3b / dfb, "_robust", len(outs))


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


class WLSMVGroupsRefit:
    """Picklable bootstrap statistic for multigroup WLSMV: resample rows within each
    group (the bootstrap is stratified by ``codes``) -> per-group polychorics -> the
    same multigroup WLSMV estimation as the full sample (configural, or shared
    parameters under ``group_equal``), plus defined parameters."""

    def __init__(self, prep, label_fn, n_defined, group_equal, gamma="muthen1984"):
        self.prep = prep
        self.X = np.vstack(prep.arrays)
        self.codes = np.repeat(np.arange(len(prep.arrays)), [a.shape[0] for a in prep.arrays])
        self.n_groups = len(prep.arrays)
        self.label_fn, self.n_defined = label_fn, n_defined
        self.group_equal, self.gamma = tuple(group_equal), gamma

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        import dataclasses
        import warnings

        X, codes = self.X[idx], self.codes[idx]
        arrays = tuple(X[codes == g] for g in range(self.n_groups))
        prep = dataclasses.replace(self.prep, arrays=arrays)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theta, *_, converged, _ = wlsmv_estimate(
                prep, prep.model, gamma=self.gamma, group_equal=self.group_equal
            )
        if not converged:
            raise RuntimeError("multigroup WLSMV refit did not converge")
        if self.n_defined:
            return np.concatenate([theta, self.label_fn(theta)])
        return np.asarray(theta)
