"""Fit indices, standardized solutions and modification indices (lavaan 0.6 formulas)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .ml import MLProblem

__all__ = [
    "fit_indices",
    "standardized",
    "residual_sd",
    "score_tests",
    "FIT_KEYS",
    "cfi_tli_rmsea",
    "scaled_shifted_measures",
]

FIT_KEYS = (
    "chi2",
    "df",
    "pvalue",
    "baseline_chi2",
    "baseline_df",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "rmsea_pvalue",
    "srmr",
    "loglik",
    "loglik_h1",
    "aic",
    "bic",
    "sabic",
    "n",
    "npar",
)


def n_exo(problem: MLProblem) -> int:
    """Number of sample statistics fixed by ``fixed.x`` (per model, all groups)."""
    total = 0
    for grp in problem.model.groups:
        total += len(grp.exo_s[0]) + (len(grp.exo_m) if grp.meanstructure else 0)
    return total


def degrees_of_freedom(problem: MLProblem) -> int:
    total = 0
    for grp in problem.model.groups:
        p = grp.p
        total += p * (p + 1) // 2 + (p if grp.meanstructure else 0)
    return int(total - problem.model.q - n_exo(problem))


def covariate_indices(model, g: int) -> list[int]:
    """Observed exogenous covariates of group ``g`` (lavaan's ``ov.x``): predictors in a
    regression that are neither regressed on anything nor indicators -- whether their
    moments are fixed (``fixed.x``) or estimated."""
    t = model.rows
    in_g = t.group == g
    reg = in_g & (t.op == "~")
    ind = set(t.rhs[in_g & (t.op == "=~")].tolist())
    x = set(t.rhs[reg].tolist()) - set(t.lhs[reg].tolist()) - ind
    grp = model.groups[g]
    exo = set(grp.exo_s[0].tolist()) | set(grp.exo_s[1].tolist())
    return sorted(exo | {grp.names.index(v) for v in x if v in model.observed})


def _baseline(problem: MLProblem) -> tuple[float, int]:
    """Independence model: variances free, exogenous-covariate block saturated."""
    if hasattr(problem, "baseline"):  # e.g. FIML
        return problem.baseline()
    chi2, df = 0.0, 0
    for g, grp in enumerate(problem.model.groups):
        S = problem.moments.cov[g]
        p = grp.p
        exo = covariate_indices(problem.model, g)
        nx = len(exo)
        rest = [i for i in range(p) if i not in exo]
        ld0 = np.sum(np.log(np.diag(S)[rest]))
        if nx:
            ld0 += np.linalg.slogdet(S[np.ix_(exo, exo)])[1]
        chi2 += problem.moments.n[g] * (ld0 - problem.logdetS[g])
        df += p * (p + 1) // 2 - nx * (nx + 1) // 2 - len(rest)
    return float(chi2), int(df)


def _rmsea_ci(chi2, df, N, G, level=0.90):
    """Steiger's noncentral-chi2 interval, as in lavaan."""
    if df <= 0 or not np.isfinite(chi2):
        return np.nan, np.nan

    def ncp_at(prob):
        def f(lam):  # scipy.special's distribution functions: no per-call overhead
            if lam > 0:
                return special.chndtr(chi2, df, lam) - prob
            return special.chdtr(df, chi2) - prob

        if f(0.0) < 0:
            return 0.0
        hi = max(chi2, 1.0)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0.0, hi, xtol=1e-10)

    lo = ncp_at((1 + level) / 2)
    hi = ncp_at((1 - level) / 2)
    return np.sqrt(lo / (N * df)) * np.sqrt(G), np.sqrt(hi / (N * df)) * np.sqrt(G)


def _srmr(problem: MLProblem, theta) -> float:
    """Bentler's SRMR (lavaan ``srmr``), means included with a mean structure,
    averaged over groups with weights ``n_g / N``."""
    out = 0.0
    for g, grp in enumerate(problem.model.groups):
        Sigma, mu, *_ = problem.model.moments(theta, g, problem.bases[g])
        S = problem.moments.cov[g]
        sd = np.sqrt(np.diag(S))
        R = (S - Sigma) / np.outer(sd, sd)
        iu = np.triu_indices(grp.p)
        sq = list(R[iu] ** 2)
        if grp.meanstructure:
            sq += list(((problem.moments.mean[g] - mu) / sd) ** 2)
        out += problem.w[g] * np.sqrt(np.mean(sq))
    return float(out)


def fit_indices(problem: MLProblem, theta) -> dict:
    """The 18 fit indices of :data:`FIT_KEYS` for an ML solution."""
    N = problem.N
    G = len(problem.model.groups)
    q = problem.model.q
    F = problem.objective(theta)
    # a singular sample covariance leaves chi2 (and the H1 likelihood) undefined, and
    # so does an implied covariance that is not positive definite (objective inf)
    ok = np.all(np.isfinite(problem.logdetS)) and np.isfinite(F)
    chi2 = N * F if ok else np.nan
    df = degrees_of_freedom(problem)
    pval = float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan
    bchi2, bdf = _baseline(problem)
    d0, d1 = max(chi2 - df, 0.0), max(bchi2 - bdf, 0.0)
    denom = max(d0, d1)
    cfi = 1.0 - d0 / denom if denom > 0 else 1.0
    if not (np.isfinite(chi2) and np.isfinite(bchi2)):
        cfi = np.nan
    tli = ((bchi2 / bdf) - (chi2 / df)) / ((bchi2 / bdf) - 1.0) if df > 0 and bdf > 0 else np.nan
    if df == 0 and np.isfinite(chi2):
        tli = 1.0  # lavaan: a saturated model fits perfectly (RMSEA 0, TLI 1)
    if df > 0:
        rmsea = np.sqrt(max(chi2 / N / df - 1.0 / N, 0.0)) * np.sqrt(G)
        lo, hi = _rmsea_ci(chi2, df, N, G)
        ncp = N * df * 0.05**2 / G
        rp = float(1.0 - special.chndtr(chi2, df, ncp))
    elif df == 0 and np.isfinite(chi2):
        rmsea, lo, hi, rp = 0.0, 0.0, 0.0, np.nan
    else:
        rmsea, lo, hi, rp = np.nan, np.nan, np.nan, np.nan
    ll = problem.loglik(theta)
    ll1 = problem.loglik_h1()
    return {
        "chi2": float(chi2),
        "df": int(df),
        "pvalue": pval,
        "baseline_chi2": bchi2,
        "baseline_df": bdf,
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": float(rmsea),
        "rmsea_ci_lower": float(lo),
        "rmsea_ci_upper": float(hi),
        "rmsea_pvalue": rp,
        "srmr": _srmr(problem, theta),
        "loglik": ll,
        "loglik_h1": ll1,
        "aic": -2 * ll + 2 * q,
        "bic": float(-2 * ll + q * np.log(N)),
        "sabic": float(-2 * ll + q * np.log((N + 2) / 24.0)),
        "n": int(N),
        "npar": int(q),
    }


def total_sd(problem: MLProblem, theta, g: int) -> np.ndarray:
    """Model-implied standard deviations of all variables (observed then latent)."""
    _, _, B, S, _ = problem.model.moments(theta, g, problem.bases[g])
    omega = B @ S @ B.T
    return np.sqrt(np.clip(np.diag(omega), 0, None)), omega


def residual_sd(problem: MLProblem, theta, g: int) -> np.ndarray:
    """Square roots of the (residual) variances ``diag(S)`` (NaN when negative)."""
    S = problem.model.moments(theta, g, problem.bases[g])[3]
    d = np.diag(S)
    return np.sqrt(np.where(d >= 0, d, np.nan))


def standardized(problem: MLProblem, theta, pt: pd.DataFrame, est: np.ndarray):
    """``(std_lv, std_all)`` columns for the rows of ``pt`` (with values ``est``).

    As lavaan: a covariance between two (residual) terms is divided by their
    residual standard deviations -- a residual correlation -- not by the
    variables' total standard deviations.
    """
    model = problem.model
    t = model.rows if pt is model.partable else None
    if t is None:  # another table over the same variables
        names = {n: i for i, n in enumerate(model.groups[0].names)}
        op, lhs, rhs = (pt[c].to_numpy(object) for c in ("op", "lhs", "rhs"))
        grp = pt["group"].to_numpy(int)
        il = np.array([names.get(x, -1) for x in lhs], dtype=int)
        ir = np.array([names.get(x, -1) for x in rhs], dtype=int)
    else:
        op, lhs, rhs, grp, il, ir = t.op, t.lhs, t.rhs, t.group, t.i_lhs, t.i_rhs
    p = model.groups[0].p
    G = len(model.groups)
    sd = np.stack([total_sd(problem, theta, g)[0] for g in range(G)])
    rsd = np.stack([residual_sd(problem, theta, g) for g in range(G)])
    is_lv = np.arange(sd.shape[1]) >= p
    est = np.asarray(est, float)
    loading, reg, intercept = op == "=~", op == "~", op == "~1"
    var = (op == "~~") & (lhs == rhs)
    cov = (op == "~~") & (lhs != rhs)
    il_, ir_ = np.clip(il, 0, None), np.clip(ir, 0, None)
    out = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for s_all, r_all in ((np.where(is_lv, sd, 1.0), np.where(is_lv, rsd, 1.0)), (sd, rsd)):
            sl, sr = s_all[grp, il_], s_all[grp, ir_]
            col = np.full(len(op), np.nan)
            col[loading] = (est * sl / sr)[loading]
            col[reg] = (est * sr / sl)[reg]
            col[cov] = (est / (r_all[grp, il_] * r_all[grp, ir_]))[cov]
            col[var] = (est / (sl * sr))[var]
            col[intercept] = (est / sl)[intercept]
            out.append(col)
    return out[0], out[1]


def score_tests(problem_ext: MLProblem, theta_ext: np.ndarray, free: np.ndarray):
    """Score (Lagrange multiplier) tests for the parameters not in ``free``.

    ``problem_ext`` is the model with the candidate parameters added as free
    ones and ``theta_ext`` the fitted values with candidates at 0.  Returns
    ``(mi, epc)`` for the candidate indices (lavaan's expected-information MI).
    """
    N = problem_ext.N
    _, grad = problem_ext.value_grad(theta_ext)
    score = -0.5 * N * grad  # d loglik / d theta
    info = N * problem_ext.information(theta_ext)
    cand = ~free
    I_ff = info[np.ix_(free, free)]
    I_cf = info[np.ix_(cand, free)]
    V = np.diag(info)[cand] - np.einsum("ij,ji->i", I_cf, np.linalg.solve(I_ff, I_cf.T))
    sc = score[cand]
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.where(V > 1e-10, sc**2 / V, np.nan)
        epc = np.where(V > 1e-10, sc / V, np.nan)
    return mi, epc


def cfi_tli_rmsea(t, df, tb, dfb, n1, c, cb, suffix, G=1) -> dict:
    """CFI, TLI and RMSEA (keys with ``suffix``) from the statistics ``t`` (model,
    ``df``) and ``tb`` (baseline, ``dfb``) with the constants ``c``/``cb`` that
    the statistics are expected to exceed their df by (1 for the standard and
    scaled versions, Savalei's ``c`` for the robust ones), ``n1`` observations
    and ``G`` groups (lavaan 0.6's formulas; df = 0 gives CFI = TLI = 1, RMSEA 0).

    Examples
    --------
    >>> out = cfi_tli_rmsea(120.0, 24, 900.0, 36, 300, 1.0, 1.0, "")
    >>> round(out["cfi"], 4), round(out["rmsea"], 4)
    (0.8889, 0.1155)
    """
    if df <= 0:
        return {f"cfi{suffix}": 1.0, f"tli{suffix}": 1.0, f"rmsea{suffix}": 0.0}
    d0, d1 = t - c * df, tb - cb * dfb
    den = max(d0, d1, 0.0)
    return {
        f"cfi{suffix}": float(1.0 - max(d0, 0.0) / den) if den > 0 else 1.0,
        f"tli{suffix}": float(1.0 - (d0 * dfb) / (d1 * df)),
        f"rmsea{suffix}": float(np.sqrt(G * max(t / n1 / df - c / n1, 0.0))),
    }


def scaled_shifted_measures(t, df, tr1, tr2, tb, dfb, tb1, tb2, n1, G=1) -> dict:
    """WLSMV test and fit measures (lavaan 0.6 names) from the unscaled statistics of
    the model (``t`` on ``df``) and the baseline (``tb`` on ``dfb``) and the traces
    ``tr(U Gamma)``, ``tr((U Gamma)^2)`` of each: the scaled-and-shifted statistics
    (``a T + b``, ``a = sqrt(df / tr2)``, ``b = df - a tr1``; Asparouhov & Muthen
    2010), CFI/TLI/RMSEA unscaled and ``_scaled`` with ``n1`` observations (N - G)
    and ``G`` groups, the RMSEA 90% CI and close-fit p-value.

    Examples
    --------
    >>> out = scaled_shifted_measures(100.0, 10, 20.0, 60.0, 900.0, 20, 30.0, 80.0, 499)
    >>> round(float(out["chi2_scaled"]), 3), round(float(out["shift"]), 3)
    (42.66, 1.835)
    """
    a = np.sqrt(df / tr2) if df > 0 and tr2 > 0 else np.nan
    ab = np.sqrt(dfb / tb2)
    ts, tbs = a * t + (df - a * tr1), ab * tb + (dfb - ab * tb1)
    out = {
        "chi2": t,
        "df": df,
        "pvalue": float(stats.chi2.sf(t, df)) if df > 0 else np.nan,
        "chi2_scaled": ts,
        "scaling_factor": 1.0 / a,
        "shift": df - a * tr1,
        "pvalue_scaled": float(stats.chi2.sf(ts, df)) if df > 0 else np.nan,
        "baseline_chi2": tb,
        "baseline_df": dfb,
        "baseline_chi2_scaled": tbs,
    }
    for suffix, x, xb in (("", t, tb), ("_scaled", ts, tbs)):
        out.update(cfi_tli_rmsea(x, df, xb, dfb, n1, 1.0, 1.0, suffix, G))
    lo, hi = _rmsea_ci(t, df, n1, G)
    out.update(rmsea_ci_lower=float(lo), rmsea_ci_upper=float(hi))
    if df > 0:
        out["rmsea_pvalue"] = float(stats.ncx2.sf(t, df, n1 * df * 0.05**2 / G))
    return out
