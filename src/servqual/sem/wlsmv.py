"""DWLS estimation on polychoric correlations with robust (WLSMV) test statistics.

The engine, :func:`dwls_fit`, is model-agnostic: it takes the polychoric
moments (:func:`~servqual.sem.polychoric.polychoric_moments`) and a function
``implied(theta) -> (p, p)`` model-implied correlation matrix of the latent
responses (unit diagonal, delta parameterization), so any SEM engine can
dispatch to it.  :func:`fit_cfa` is the engine's ready-made confirmatory
factor model (standardized factors, each item on one factor), kept as an
independent check of :func:`servqual.sem.fit` with ``estimator="WLSMV"`` --
the one public way into WLSMV.  :func:`cfa_wlsmv` is a deprecated alias of
that ``sem.fit`` call.

Theory (Muthen 1984; Muthen, du Toit & Spisic 1997; lavaan 0.6 conventions):

- fit function ``F = (r - sigma(theta))' W (r - sigma(theta))``,
  ``W = diag(Gamma)^-1``; thresholds are saturated, so with a diagonal weight
  they drop out of the estimation of the structural parameters;
- robust (sandwich) covariance
  ``(D'WD)^-1 D'W Gamma W D (D'WD)^-1 / n`` with ``D = d sigma / d theta'``;
- test statistic ``T = n F``; with ``U = W - WD(D'WD)^-1 D'W``:
  scaled-and-shifted (lavaan's ``WLSMV`` default, Asparouhov & Muthen 2010)
  ``T_ss = a T + b``, ``a = sqrt(df / tr((U Gamma)^2))``,
  ``b = df - a tr(U Gamma)``, referred to chi2(df); and the Satterthwaite
  mean-and-variance adjusted ``T_mv = T tr(U Gamma) / tr((U Gamma)^2)`` on
  ``df_mv = tr(U Gamma)^2 / tr((U Gamma)^2)`` (Muthen et al. 1997).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._checks import Interval, check_params
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..errors import (
    ConvergenceWarning,
    IdentificationWarning,
    ImproperSolutionWarning,
    SpecificationError,
)
from ..factor import one_factor_ml
from .polychoric import PolychoricMoments, polychoric_moments

__all__ = ["DWLSFit", "dwls_fit", "dwls_ram", "RAMDWLS"]


def __getattr__(name: str):
    # the deprecated alias lives beside sem.fit, which it calls (a static import
    # of sem.fit from here would close an import cycle: fit -> ordinal -> wlsmv)
    if name == "cfa_wlsmv":
        import importlib

        return importlib.import_module(f"{__package__}.fit").cfa_wlsmv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@resultclass
class DWLSFit(Result):
    """Result of :func:`dwls_fit`.

    Attributes
    ----------
    theta, se : arrays (robust sandwich SEs)
    vcov : (k, k) array
    names : tuple of parameter names
    fit_indices : dict with ``chi2`` (unadjusted ``n F``), ``df``,
        ``chi2_scaled`` / ``pvalue_scaled`` / ``scaling_factor`` / ``shift``
        (scaled-and-shifted), ``chi2_mv`` / ``df_mv`` / ``pvalue_mv``
        (mean-and-variance adjusted), the baseline (independence) statistics
        ``baseline_chi2``, ``baseline_chi2_scaled``, ``baseline_df``, and
        ``cfi``, ``tli``, ``rmsea`` from the scaled statistics, ``n``.
    converged : bool
    warnings : tuple of str
    """

    theta: np.ndarray
    se: np.ndarray
    vcov: np.ndarray = field(repr=False)
    names: tuple
    fit_indices: dict
    converged: bool
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: ``name``, ``estimate``, ``se``."""
        return pd.DataFrame({"name": list(self.names), "estimate": self.theta, "se": self.se})

    def summary(self) -> Summary:
        """Estimates and the WLSMV fit statistics."""
        return Summary(
            "DWLS fit",
            [("Estimates", self.to_frame()), ("Fit", dict(self.fit_indices))],
            self.warnings,
        )


def _vech_lower(R: np.ndarray) -> np.ndarray:
    return R[np.tril_indices(R.shape[0], -1)]


def _num_jac(fun, theta, eps=1e-6):
    cols = []
    for k in range(theta.size):
        h = np.zeros_like(theta)
        h[k] = eps
        cols.append((fun(theta + h) - fun(theta - h)) / (2 * eps))
    return np.column_stack(cols)


def _robust_tests(T, W, D, G, df):
    """Scaled-shifted and mean-variance adjusted statistics for ``T``."""
    if D is None or D.shape[1] == 0:
        U = np.diag(W)
    else:
        WD = W[:, None] * D
        U = np.diag(W) - WD @ np.linalg.pinv(D.T @ WD) @ WD.T
    UG = U @ G
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    out = {"trace_ug": tr1, "trace_ug2": tr2}
    if df > 0 and tr2 > 0:
        a = np.sqrt(df / tr2)
        b = df - a * tr1
        out.update(
            chi2_scaled=a * T + b,
            scaling_factor=1.0 / a,
            shift=b,
            pvalue_scaled=float(stats.chi2.sf(a * T + b, df)),
        )
        c = tr1 / tr2
        df_mv = tr1**2 / tr2
        out.update(chi2_mv=T * c, df_mv=df_mv, pvalue_mv=float(stats.chi2.sf(T * c, df_mv)))
    else:
        out.update(
            chi2_scaled=np.nan,
            scaling_factor=np.nan,
            shift=np.nan,
            pvalue_scaled=np.nan,
            chi2_mv=np.nan,
            df_mv=np.nan,
            pvalue_mv=np.nan,
        )
    return out


@records_provenance
def dwls_fit(
    moments: PolychoricMoments,
    implied: Callable[[np.ndarray], np.ndarray],
    theta0,
    *,
    jac: Callable[[np.ndarray], np.ndarray] | None = None,
    names: Sequence[str] | None = None,
) -> DWLSFit:
    """DWLS fit of a correlation structure to polychoric moments, with WLSMV tests.

    Parameters
    ----------
    moments : PolychoricMoments
    implied : callable
        ``implied(theta)`` returns the model-implied correlation matrix of the
        latent responses (p x p, items in ``moments.corr`` order).
    theta0 : start values
    jac : callable, optional
        ``jac(theta)`` -> (n_pairs, k) derivative of the implied lower-triangle
        correlations (row-wise, the order of ``moments.pairs``); central
        differences otherwise.
    names : parameter names

    Examples
    --------
    >>> import servqual
    >>> from servqual.sem.polychoric import polychoric_moments
    >>> df, _ = servqual.simulate_survey(400, seed=2)
    >>> m = polychoric_moments(df, ["P1", "P2", "P3", "P4"])
    >>> def implied(lam):
    ...     R = np.outer(lam, lam)
    ...     np.fill_diagonal(R, 1.0)
    ...     return R
    >>> fit = dwls_fit(m, implied, np.full(4, 0.7))
    >>> fit.fit_indices["df"], bool(np.all(fit.se > 0))
    (2, True)
    """
    theta0 = np.asarray(theta0, dtype=float)
    r = _vech_lower(moments.corr.to_numpy())
    G = moments.gamma.to_numpy()
    w = moments.weights.to_numpy()
    sw = np.sqrt(w)
    n = moments.n

    def sig(theta):
        return _vech_lower(np.asarray(implied(theta), dtype=float))

    def dsig(theta):
        return np.asarray(jac(theta), float) if jac is not None else _num_jac(sig, theta)

    res = optimize.least_squares(
        lambda t: sw * (r - sig(t)),
        theta0,
        jac=lambda t: -sw[:, None] * dsig(t),
        method="lm" if r.size >= theta0.size else "trf",
        xtol=1e-12,
        ftol=1e-12,
        gtol=1e-12,
        max_nfev=2000,
    )
    theta = res.x
    msgs: list[tuple[str, type]] = []
    converged = bool(res.success)
    if not converged:
        msgs.append((f"DWLS did not converge: {res.message}", ConvergenceWarning))
    D = dsig(theta)
    k = theta.size
    df = r.size - k
    if df < 0:
        msgs.append(
            (
                f"the model has {k} parameters but only {r.size} correlations "
                f"(df = {df}): it is not identified.",
                IdentificationWarning,
            )
        )
    WD = w[:, None] * D
    bread = D.T @ WD
    try:
        binv = np.linalg.inv(bread)
        if np.linalg.cond(bread) > 1e12:
            raise np.linalg.LinAlgError
        vcov = binv @ (WD.T @ G @ WD) @ binv / (n - 1)  # lavaan: N - 1
        se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    except np.linalg.LinAlgError:
        msgs.append(
            (
                "the information matrix is singular: the model is not identified; "
                "standard errors are NaN.",
                IdentificationWarning,
            )
        )
        vcov = np.full((k, k), np.nan)
        se = np.full(k, np.nan)
    resid = r - sig(theta)
    # lavaan: the DWLS statistic is (N - 1) F
    n1 = n - 1
    T = float(n1 * np.sum(w * resid**2))
    fi = {"chi2": T, "df": int(df), "pvalue": float(stats.chi2.sf(T, df)) if df > 0 else np.nan}
    fi.update(_robust_tests(T, w, D, G, df))
    Tb = float(n1 * np.sum(w * r**2))
    dfb = r.size
    base = _robust_tests(Tb, w, None, G, dfb)
    fi.update(
        baseline_chi2=Tb,
        baseline_df=dfb,
        baseline_chi2_scaled=base["chi2_scaled"],
        baseline_trace_ug=base["trace_ug"],
        baseline_trace_ug2=base["trace_ug2"],
    )
    ts, tb = fi["chi2_scaled"], base["chi2_scaled"]
    if df > 0:
        fi["cfi"] = float(1 - max(ts - df, 0) / max(ts - df, tb - dfb, 1e-300))
        fi["tli"] = float(((tb / dfb) - (ts / df)) / ((tb / dfb) - 1))
        fi["rmsea"] = float(np.sqrt(max(ts / df - 1, 0) / n))
    else:
        fi.update(cfi=np.nan, tli=np.nan, rmsea=np.nan)
    fi["n"] = n
    for m, cat in msgs:
        warn(m, cat)
    names = tuple(names) if names is not None else tuple(f"theta{i}" for i in range(k))
    return DWLSFit(
        theta=theta,
        se=se,
        vcov=vcov,
        names=names,
        fit_indices=fi,
        converged=converged,
        warnings=tuple(m for m, _ in msgs),
    )


# ------------------------------------------------------------------ CFA
@resultclass
class WLSMVResult(Result):
    """A confirmatory factor model fitted by the WLSMV engine (:func:`fit_cfa`).

    Internal: the public result of a WLSMV fit is :class:`~servqual.sem.SEMResult`
    from ``servqual.sem.fit(model, data, estimator="WLSMV")``.

    Attributes
    ----------
    params : DataFrame, one row per parameter: ``lhs op rhs est se z pvalue
        ci_lower ci_upper std_all`` (loadings ``=~``, factor correlations
        ``~~``, latent-response residual variances ``~~`` (derived, se NaN)).
    fit_indices : mapping (see :class:`DWLSFit`)
    moments : PolychoricMoments (handed out as a protected copy)
    converged : bool
    warnings : tuple of str
    """

    params: pd.DataFrame
    fit_indices: Mapping
    moments: PolychoricMoments
    converged: bool
    warnings: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "fit_indices", MappingProxyType(dict(self.fit_indices)))

    def loadings(self) -> pd.Series:
        """Standardized loadings indexed by item."""
        p = self.params
        p = p[p["op"] == "=~"]
        return pd.Series(p["std_all"].to_numpy(), index=p["rhs"].to_numpy(), name="loading")

    def to_frame(self) -> pd.DataFrame:
        """The parameter table."""
        return self.params

    def summary(self) -> Summary:
        """lavaan-style printable summary."""
        fi = self.fit_indices
        head = {
            "estimator": "DWLS (polychoric), WLSMV test",
            "observations": fi["n"],
            "chi2 (standard)": fi["chi2"],
            "df": fi["df"],
            "chi2 (scaled-shifted)": fi["chi2_scaled"],
            "p (scaled-shifted)": fi["pvalue_scaled"],
            "chi2 (mean-variance adjusted)": fi["chi2_mv"],
            "df (mean-variance adjusted)": fi["df_mv"],
            "CFI (scaled)": fi["cfi"],
            "TLI (scaled)": fi["tli"],
            "RMSEA (scaled)": fi["rmsea"],
        }
        return Summary(
            "Ordinal CFA (WLSMV)", [("Fit", head), ("Parameters", self.params)], self.warnings
        )


def fit_cfa(
    data: pd.DataFrame, factors: Mapping[str, Sequence[str]], *, ci: float = 0.95
) -> WLSMVResult:
    """The WLSMV engine's own CFA (internal; the public way is ``sem.fit(estimator="WLSMV")``).

    Factors have unit variance; each item loads on one factor; the latent
    responses have unit variance (delta parameterization), so loadings and
    factor correlations are already standardized (``std_all``).  Kept as an
    independent parameterization that ``sem.fit``'s WLSMV path is tested against.

    Examples
    --------
    >>> import servqual
    >>> df, truth = servqual.simulate_survey(500, seed=4)
    >>> res = fit_cfa(df, {"tangibles": ["P1", "P2", "P3", "P4"],
    ...                    "reliability": ["P5", "P6", "P7", "P8", "P9"]})
    >>> res.fit_indices["df"]
    26
    """
    check_params({"ci": ci}, {"ci": Interval(0, 1, closed="neither")})
    if not isinstance(factors, Mapping) or not factors:
        raise SpecificationError(f"factors must be a non-empty mapping; got {factors!r}.")
    items, fidx = [], []
    for f, cols in factors.items():
        cols = list(cols)
        if len(cols) < 2:
            raise SpecificationError(f"factor {f!r} needs at least 2 items; got {cols}.")
        for c in cols:
            if c in items:
                raise SpecificationError(f"item {c!r} is listed under two factors.")
            items.append(c)
            fidx.append(list(factors).index(f))
    fidx = np.array(fidx)
    mom = polychoric_moments(data, items)
    p, q = len(items), len(factors)
    fnames = list(factors)
    li, lj = np.tril_indices(p, -1)
    ci_, cj_ = np.tril_indices(q, -1)
    same = fidx[li] == fidx[lj]

    def unpack(theta):
        lam = theta[:p]
        Phi = np.eye(q)
        Phi[ci_, cj_] = Phi[cj_, ci_] = theta[p:]
        return lam, Phi

    def implied(theta):
        lam, Phi = unpack(theta)
        R = lam[:, None] * lam[None, :] * Phi[np.ix_(fidx, fidx)]
        np.fill_diagonal(R, 1.0)
        return R

    def jac(theta):
        lam, Phi = unpack(theta)
        phi_pair = Phi[fidx[li], fidx[lj]]
        J = np.zeros((li.size, theta.size))
        rows = np.arange(li.size)
        J[rows, li] = lam[lj] * phi_pair
        J[rows, lj] += lam[li] * phi_pair
        if q > 1:
            fa, fb = np.maximum(fidx[li], fidx[lj]), np.minimum(fidx[li], fidx[lj])
            # position of factor pair (fa, fb) in the row-wise lower triangle
            pos = fa * (fa - 1) // 2 + fb
            off = ~same
            J[rows[off], p + pos[off]] = lam[li[off]] * lam[lj[off]]
        return J

    # start values: one-factor fits per block, disattenuated block correlations
    R = mom.corr.to_numpy()
    lam0 = np.full(p, 0.7)
    for f in range(q):
        ii = np.flatnonzero(fidx == f)
        if ii.size >= 3:
            lam0[ii] = np.clip(one_factor_ml(R[np.ix_(ii, ii)]).std_loadings, 0.2, 0.95)
    phi0 = []
    for a, b in zip(ci_, cj_):
        ia, ib = np.flatnonzero(fidx == a), np.flatnonzero(fidx == b)
        v = R[np.ix_(ia, ib)].mean() / (lam0[ia].mean() * lam0[ib].mean())
        phi0.append(float(np.clip(v, -0.9, 0.9)))
    theta0 = np.r_[lam0, phi0]
    names = [f"{fnames[fidx[i]]}=~{items[i]}" for i in range(p)]
    names += [f"{fnames[a]}~~{fnames[b]}" for a, b in zip(ci_, cj_)]
    fit = dwls_fit(mom, implied, theta0, jac=jac, names=names)
    lam, Phi = unpack(fit.theta)
    msgs = list(mom.warnings) + list(fit.warnings)
    resid = 1.0 - lam**2
    if np.any(resid < 0):
        bad = [items[i] for i in np.flatnonzero(resid < 0)]
        m = f"Heywood case: negative latent-response residual variance for {bad}."
        msgs.append(m)
        warn(m, ImproperSolutionWarning)
    if q > 1 and np.linalg.eigvalsh(Phi)[0] <= 0:
        m = "the estimated factor correlation matrix is not positive definite."
        msgs.append(m)
        warn(m, ImproperSolutionWarning)
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    for k in range(p):
        rows.append((fnames[fidx[k]], "=~", items[k], fit.theta[k], fit.se[k]))
    for k, (a, b) in enumerate(zip(ci_, cj_)):
        rows.append((fnames[b], "~~", fnames[a], fit.theta[p + k], fit.se[p + k]))
    params = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "se"])
    params["z"] = params["est"] / params["se"]
    params["pvalue"] = 2 * stats.norm.sf(np.abs(params["z"]))
    params["ci_lower"] = params["est"] - z * params["se"]
    params["ci_upper"] = params["est"] + z * params["se"]
    params["std_all"] = params["est"]
    resid_rows = pd.DataFrame(
        {
            "lhs": items,
            "op": "~~",
            "rhs": items,
            "est": resid,
            "se": np.nan,
            "z": np.nan,
            "pvalue": np.nan,
            "ci_lower": np.nan,
            "ci_upper": np.nan,
            "std_all": resid,
        }
    )
    params = pd.concat([params, resid_rows], ignore_index=True)
    return WLSMVResult(
        params=params,
        fit_indices=fit.fit_indices,
        moments=mom,
        converged=fit.converged,
        warnings=tuple(msgs),
    )


# ------------------------------------------------------------------ RAM adapter
@resultclass
class RAMDWLS(Result):
    """Result of :func:`dwls_ram`.

    Attributes
    ----------
    fit : DWLSFit over the free structural parameters
    theta : full parameter vector of the RAM model (length ``model.q``):
        residual variances of the observed (latent-response) variables are
        derived as ``1 - (model part)_ii`` (delta parameterization), means and
        intercepts are 0 (thresholds are saturated and not part of the model)
    se : full-length SEs (NaN for the derived / fixed entries)
    estimated : bool mask of the parameters estimated by DWLS
    """

    fit: DWLSFit
    theta: np.ndarray
    se: np.ndarray
    estimated: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per RAM parameter: ``estimate``, ``se``, ``estimated``."""
        return pd.DataFrame({"estimate": self.theta, "se": self.se, "estimated": self.estimated})

    def summary(self) -> Summary:
        """The full parameter vector and the fit statistics of the DWLS fit."""
        return Summary(
            "DWLS fit of a RAM model",
            [("Parameters", self.to_frame()), ("Fit", dict(self.fit.fit_indices))],
            self.fit.warnings,
        )


@records_provenance
def dwls_ram(model, moments: PolychoricMoments, theta0, *, group: int = 0, base=None) -> RAMDWLS:
    """DWLS/WLSMV for a RAM model object (the adapter for ``servqual.sem.fit``).

    ``model`` is duck-typed: ``model.q`` (number of free parameters),
    ``model.partable`` (columns ``lhs op rhs par``), ``model.observed`` and
    ``model.moments(theta, g, base)[0]`` / ``model.jacobian(theta, g, base)[0]``
    returning the implied covariance (p x p, observed variables in
    ``model.groups[g].names[:p]`` order) and its derivative (q x p x p).
    Residual variances of observed variables and all ``~1`` parameters are not
    estimated (delta parameterization: latent responses have unit variance;
    thresholds are saturated).

    Examples
    --------
    The public way in is :func:`servqual.sem.fit` with ``estimator="WLSMV"``,
    which builds the RAM model and calls this adapter (compared with
    :func:`cfa_wlsmv` in ``tests/test_sem_wlsmv.py``):

    >>> import servqual
    >>> df, _ = servqual.simulate_survey(400, servqual.Truth(scale_points=5), seed=1)
    >>> res = servqual.sem.fit("f =~ P1 + P2 + P3 + P4", df, estimator="WLSMV")
    >>> bool(res.fit_indices["df"] == 2)
    True
    """
    pt = model.partable
    q = int(model.q)
    grp = model.groups[group]
    obs = list(grp.names[: grp.p])
    cols = list(moments.corr.columns)
    if set(obs) != set(cols):
        raise SpecificationError(
            f"the model's observed variables {obs} differ from the polychoric moments' "
            f"columns {cols}."
        )
    perm = np.array([obs.index(c) for c in cols])
    fixed = np.zeros(q, dtype=bool)
    for row in pt.itertuples():
        if row.par < 0:
            continue
        if row.op == "~1" or (row.op == "~~" and row.lhs == row.rhs and row.lhs in obs):
            fixed[row.par] = True
    # parameters of other groups are not estimated from this group's moments
    if "group" in pt.columns:
        mine = np.zeros(q, dtype=bool)
        mine[pt.loc[(pt["group"] == group) & (pt["par"] >= 0), "par"].to_numpy(dtype=int)] = True
        fixed |= ~mine
    free = ~fixed
    li, lj = np.tril_indices(len(cols), -1)
    theta_full0 = np.where(free, np.asarray(theta0, float), 0.0)

    def full(t):
        out = theta_full0.copy()
        out[free] = t
        return out

    def implied(t):
        Sig = np.asarray(model.moments(full(t), group, base)[0])[np.ix_(perm, perm)]
        Sig = Sig.copy()
        np.fill_diagonal(Sig, 1.0)
        return Sig

    def jac(t):
        dS = np.asarray(model.jacobian(full(t), group, base)[0])[free]
        dS = dS[:, perm][:, :, perm]
        return dS[:, li, lj].T

    fit = dwls_fit(
        moments,
        implied,
        theta_full0[free],
        jac=jac,
        names=[f"theta{k}" for k in np.flatnonzero(free)],
    )
    theta = full(fit.theta)
    Sig0 = np.asarray(model.moments(theta, group, base)[0])
    for row in pt.itertuples():
        if row.par >= 0 and row.op == "~~" and row.lhs == row.rhs and row.lhs in obs:
            i = obs.index(row.lhs)
            theta[row.par] = 1.0 - Sig0[i, i]
    se = np.full(q, np.nan)
    se[free] = fit.se
    return RAMDWLS(fit=fit, theta=theta, se=se, estimated=free)
