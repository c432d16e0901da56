"""Robust ML: Satorra-Bentler (``MLM``) and Yuan-Bentler T2* (``MLR``) scaled tests,
Huber-White standard errors and the scaled and robust fit indices.

With ``s = vech(S)``, ``Gamma`` the asymptotic covariance of ``sqrt(n) s``
(from the case-wise cross products), ``Delta = d vech(Sigma) / d theta'`` and
the normal-theory weight ``V = 1/2 D' (Sigma^-1 (x) Sigma^-1) D``:

    U = V - V Delta (Delta' V Delta)^-1 Delta' V,   c = tr(U Gamma) / df,
    T_SB = T_ML / c

(Satorra & Bentler 1994).  Groups are stacked block-diagonally with weights
``n_g / N``; with a mean structure the means enter ``s``, ``Gamma`` and ``V``.

``MLR`` (lavaan's ``yuan.bentler.mplus`` test, also with FIML): with ``A0`` the
observed information of the model, ``B0`` the cross-product of the case-wise
scores, and ``A1``/``B1`` the same for the unrestricted (H1) model,
``c = (tr(A1^-1 B1) - tr(A0^-1 B0)) / df`` -- for complete data and the
expected information this is exactly the Satorra-Bentler ``tr(U Gamma) / df``.
Standard errors are ``A0^-1 B0 A0^-1``.

Fit indices (lavaan 0.6 names): ``*_scaled`` plug the scaled statistics of
the model and of the baseline (independence) model into the usual formulas;
``*_robust`` are Brosseau-Liard, Savalei & Li (2012) and Brosseau-Liard &
Savalei (2014): ``RMSEA = sqrt(G max(T - c df, 0) / (N df))``,
``CFI = 1 - max(T - c df, 0) / max(T - c df, T_b - c_b df_b, 0)``,
``TLI = 1 - ((T - c df) / df) / ((T_b - c_b df_b) / df_b)``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

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


def observed_information(problem, theta) -> np.ndarray:
    """Observed information of the log-likelihood (all cases): ``N`` times
    :func:`servqual.sem.ml.observed_information` (FIML: its observed information)."""
    from .ml import observed_information as per_case

    if hasattr(problem, "patterns"):  # FIML: already observed, per case
        return problem.N * problem.information(theta)
    return problem.N * per_case(problem, theta)


def _case_scores_raw(X, Sigma, mu, dS, dm, meanstructure, w=None):
    """Case-wise scores of the normal log-likelihood, rows with missing values by pattern;
    with sampling weights ``w`` each case's score is multiplied by its weight."""
    n, p = X.shape
    q = dS.shape[0]
    out = np.zeros((n, q))
    if meanstructure:
        center = mu
    else:
        center = np.nanmean(X, axis=0) if w is None else w @ X / w.sum()
    obs = ~np.isnan(X)
    keys, inv = np.unique(obs, axis=0, return_inverse=True)
    inv = inv.ravel()
    for k, key in enumerate(keys):
        o = np.flatnonzero(key)
        rows = np.flatnonzero(inv == k)
        if o.size == 0:
            continue
        So = Sigma[np.ix_(o, o)]
        Si = np.linalg.inv(So)
        Z = (X[np.ix_(rows, o)] - center[o]) @ Si
        outer = (Z[:, :, None] * Z[:, None, :]).reshape(len(rows), o.size**2)
        dSo = dS[:, o][:, :, o].reshape(q, -1)
        s = 0.5 * (outer - Si.reshape(1, -1)) @ dSo.T
        if meanstructure:
            s += Z @ dm[:, o].T
        out[rows] = s
    return out if w is None else out * w[:, None]


def case_scores(problem, theta, arrays, weights=None) -> list[np.ndarray]:
    """Per group, the ``(n_g, q)`` case-wise scores of the model's log-likelihood."""
    model = problem.model
    out = []
    for g, X in enumerate(arrays):
        Sigma, mu, *_ = model.moments(theta, g, problem.bases[g])
        dS, dm = model.jacobian(theta, g, problem.bases[g])
        w = None if weights is None else weights[g]
        out.append(_case_scores_raw(X, Sigma, mu, dS, dm, model.groups[g].meanstructure, w))
    return out


def _robust_vcov(problem, theta, arrays, *, weights=None, bread="expected") -> np.ndarray:
    """Huber-White sandwich ``A^-1 B A^-1``.

    ``bread="expected"``: N times the expected information (lavaan's MLM SEs);
    ``"observed"``: the Hessian of the log-likelihood, by central differences
    of the analytic gradient (MLR).  With sampling ``weights`` (per group,
    summing to N) each case's score is multiplied by its weight (lavaan's
    ``sampling.weights`` with ``se = "robust.huber.white"``).
    """
    B = sum(s.T @ s for s in case_scores(problem, theta, arrays, weights))
    if bread == "expected":
        A = problem.N * problem.information(theta)
    else:
        A = observed_information(problem, theta)
    Ai = np.linalg.inv(A)
    return Ai @ B @ Ai


def _h1_trace(problem, arrays, weights=None) -> float:
    """``sum_g tr(A1^-1 B1)`` of the unrestricted model (means and covariances); with
    sampling ``weights`` (per group, summing to N) weighted case-wise scores."""
    total = 0.0
    for g, X in enumerate(arrays):
        p = X.shape[1]
        Sg, mg = problem.moments.cov[g], problem.moments.mean[g]
        iu = np.triu_indices(p)
        k = iu[0].size
        dS = np.zeros((k, p, p))
        dS[np.arange(k), iu[0], iu[1]] = 1.0
        dS[np.arange(k), iu[1], iu[0]] = 1.0
        ms = problem.model.groups[g].meanstructure or hasattr(problem, "patterns")
        if ms:
            dS = np.concatenate([np.zeros((p, p, p)), dS])
            dm = np.vstack([np.eye(p), np.zeros((k, p))])
        else:
            dm = np.zeros((k, p))
        # fixed.x: the covariates' own moments are not parameters of H1 either
        exo = set(problem.model.groups[g].exo_s[0].tolist())
        keep = np.array(
            [True] * (p if ms else 0) + [not (a in exo and b in exo) for a, b in zip(*iu)]
        )
        if ms:
            keep[[i for i in exo]] = False
        dS, dm = dS[keep], dm[keep]
        w = None if weights is None else weights[g]
        s = _case_scores_raw(X, Sg, mg, dS, dm, ms, w)
        B1 = s.T @ s
        n_g = X.shape[0] if w is None else w.sum()
        if hasattr(problem, "patterns"):
            A1 = _h1_observed_fiml(X, Sg, mg, dS, dm)
        else:
            Si = np.linalg.inv(Sg)
            A1 = n_g * 0.5 * np.einsum("aij,jk,bkl,li->ab", dS, Si, dS, Si, optimize=True)
            if ms:
                A1 += n_g * dm @ Si @ dm.T
        total += float(np.trace(np.linalg.solve(A1, B1)))
    return total


def _h1_observed_fiml(X, Sigma, mu, dS, dm) -> np.ndarray:
    """Observed information of the saturated model under missing data (numerical)."""
    from .fiml import _patterns

    pats = _patterns(X)
    p = Sigma.shape[0]
    iu = np.triu_indices(p)

    def grad(t):
        m = t[:p]
        S = np.zeros((p, p))
        S[iu] = t[p:]
        S = S + S.T - np.diag(np.diag(S))
        W = np.zeros((p, p))
        r = np.zeros(p)
        for o, n_k, xbar, Sk in pats:
            So = S[np.ix_(o, o)]
            Si = np.linalg.inv(So)
            d = xbar - m[o]
            W[np.ix_(o, o)] += n_k * (Si @ (So - Sk - np.outer(d, d)) @ Si)
            r[o] += n_k * (Si @ d)
        # d(-2 logL)/dt = sum(W * dS) - 2 r' dm
        return np.einsum("aij,ij->a", dS, W) - 2.0 * dm @ r

    from .ml import numeric_jacobian

    H = numeric_jacobian(grad, np.concatenate([mu, Sigma[iu]]))
    return 0.25 * (H + H.T)


def _mlr_factor(problem, theta, arrays, df, weights=None) -> float:
    """Yuan-Bentler T2* scaling factor (lavaan ``yuan.bentler.mplus``)."""
    B0 = sum(s.T @ s for s in case_scores(problem, theta, arrays, weights))
    A0 = observed_information(problem, theta)
    tr0 = float(np.trace(np.linalg.solve(A0, B0))) if problem.model.q else 0.0
    return (_h1_trace(problem, arrays, weights) - tr0) / df


def _free_row(lhs, op, rhs, g) -> dict:
    return dict(
        lhs=lhs, op=op, rhs=rhs, group=g, free=True, label=None, fixed=np.nan, user=False, exo=False
    )


def baseline_problem(problem, arrays):
    """The independence model (variances and means free, fixed covariates kept), fitted."""
    import pandas as pd

    from .ml import MLProblem
    from .model import build_model

    model = problem.model
    pt = model.partable
    rows = []
    from .indices import covariate_indices

    for g, grp in enumerate(model.groups):
        exo = pt[(pt["group"] == g) & pt["exo"]]
        rows += exo.drop(columns="par").to_dict("records")
        xs = [model.observed[i] for i in covariate_indices(model, g)]
        free_x = [v for v in xs if v not in set(exo["lhs"])]
        for i, a in enumerate(free_x):  # estimated covariates stay saturated
            rows += [_free_row(a, "~~", b, g) for b in free_x[i + 1 :]]
        for v in model.observed:
            if v in xs and v not in free_x:
                continue
            rows.append(_free_row(v, "~~", v, g))
            if grp.meanstructure or hasattr(problem, "patterns"):
                rows.append(_free_row(v, "~1", "", g))
    ram = build_model(pd.DataFrame(rows), list(model.observed), [])
    if hasattr(problem, "patterns"):
        from .fiml import FIMLProblem

        base = FIMLProblem(ram, list(arrays))
    else:
        base = MLProblem(ram, problem.moments)
    theta = np.zeros(ram.q)
    for row in ram.partable.itertuples():
        if row.par < 0:
            continue
        i = model.observed.index(row.lhs)
        g = row.group
        if row.op == "~~":
            theta[row.par] = base.moments.cov[g][i, model.observed.index(row.rhs)]
        else:
            theta[row.par] = base.moments.mean[g][i]
    if hasattr(problem, "patterns"):
        theta = base.fit(theta)[0]
    return base, theta


def robust_fit(problem, theta, arrays, indices: dict, *, mlr: bool, weights=None) -> dict:
    """Scaled test (SB for MLM, YB T2* for MLR; MLR also with sampling ``weights``) and
    the scaled/robust fit indices."""
    chi2, df = indices["chi2"], indices["df"]
    bchi2, bdf = indices["baseline_chi2"], indices["baseline_df"]
    N = problem.N
    G = len(problem.model.groups)
    keys = (
        "chi2_scaled",
        "scaling_factor",
        "pvalue_scaled",
        "baseline_chi2_scaled",
        "cfi_scaled",
        "tli_scaled",
        "rmsea_scaled",
        "cfi_robust",
        "tli_robust",
        "rmsea_robust",
    )
    out = dict.fromkeys(keys, np.nan)
    out["df"] = df
    if df < 0 or not np.isfinite(chi2) or bdf <= 0:
        return out
    base, tb = baseline_problem(problem, arrays)
    if mlr:
        cb = _mlr_factor(base, tb, arrays, bdf, weights)
    else:
        cb = satorra_bentler(base, tb, arrays, bchi2, bdf)["scaling_factor"]
    tbs = bchi2 / cb
    out["baseline_chi2_scaled"] = tbs
    if df == 0:  # saturated: lavaan reports a perfect fit and no scaling factor
        out.update(chi2_scaled=chi2, cfi_scaled=1.0, tli_scaled=1.0, rmsea_robust=0.0)
        return out
    if mlr:
        c = _mlr_factor(problem, theta, arrays, df, weights)
    else:
        c = satorra_bentler(problem, theta, arrays, chi2, df)["scaling_factor"]
    ts = chi2 / c
    out.update(chi2_scaled=ts, scaling_factor=c, pvalue_scaled=float(stats.chi2.sf(ts, df)))
    out.update(_indices(ts, df, tbs, bdf, N, G, "scaled"))
    d0, d1 = chi2 - c * df, bchi2 - cb * bdf
    out["rmsea_robust"] = float(np.sqrt(G * max(d0, 0.0) / (N * df)))
    den = max(d0, d1, 0.0)
    out["cfi_robust"] = float(1.0 - max(d0, 0.0) / den) if den > 0 else 1.0
    out["tli_robust"] = float(1.0 - (d0 / df) / (d1 / bdf))
    if hasattr(problem, "patterns"):
        # with missing data lavaan's robust RMSEA/CFI/TLI are Zhang & Savalei's
        # FIML-corrected indices: servqual.sem.fiml_corrected (called by sem.fit)
        out.update(cfi_robust=np.nan, tli_robust=np.nan, rmsea_robust=np.nan)
    return out


def _indices(t, df, tb, dfb, N, G, suffix) -> dict:
    d0, d1 = max(t - df, 0.0), max(tb - dfb, 0.0)
    den = max(d0, d1)
    return {
        f"cfi_{suffix}": float(1.0 - d0 / den) if den > 0 else 1.0,
        f"tli_{suffix}": float((tb / dfb - t / df) / (tb / dfb - 1.0)),
        f"rmsea_{suffix}": float(np.sqrt(G * max(t / N / df - 1.0 / N, 0.0))),
    }
