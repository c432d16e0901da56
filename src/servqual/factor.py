"""Exact maximum-likelihood one-factor (congeneric) model for one item block.

Used by :func:`servqual.reliability` for omega, rho_C, AVE and standardized
loadings per dimension.  The likelihood is concentrated on the uniquenesses
(Joereskog 1967; the algorithm of R's ``factanal``): for fixed uniquenesses
``psi`` the ML loading is the leading eigenvector of
``Psi^-1/2 R Psi^-1/2``, and the remaining discrepancy is minimised over
``psi`` with L-BFGS-B and its analytic gradient.  ML is scale-equivariant, so
the fit is done on the correlation matrix and rescaled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

from ._result import Result, records_provenance, resultclass
from .errors import InsufficientDataError, ParameterError

__all__ = ["OneFactorFit", "one_factor_ml"]

_LOWER = 0.005  # smallest uniqueness (correlation scale), as in factanal


@resultclass
class OneFactorFit(Result):
    """Result of :func:`one_factor_ml` (arrays in item order).

    Attributes
    ----------
    loadings, error_var : raw-scale loadings and residual variances
    std_loadings : standardized loadings (loading / model-implied item SD)
    fmin : ML discrepancy ``log|Sigma| + tr(S Sigma^-1) - log|S| - p`` at the optimum
    converged : bool
    heywood : bool
        A uniqueness hit its lower bound (improper solution).
    identified_by : str
        ``"ML"`` for 3+ items; ``"equal standardized loadings"`` for 2 items
        (the one-factor model is otherwise not identified).
    """

    loadings: np.ndarray
    error_var: np.ndarray
    std_loadings: np.ndarray
    fmin: float
    converged: bool
    heywood: bool
    identified_by: str

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``loading``, ``error_var``, ``std_loading``."""
        return pd.DataFrame(
            {
                "loading": self.loadings,
                "error_var": self.error_var,
                "std_loading": self.std_loadings,
            }
        )


def _fit_corr(R: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, bool]:
    p = R.shape[0]

    def parts(psi):
        s = 1.0 / np.sqrt(psi)
        e, v = np.linalg.eigh(R * s[:, None] * s[None, :])
        return e, v

    def fun(psi):
        e, _ = parts(psi)
        rest = e[:-1]  # all but the largest
        if rest[0] <= 0:  # R not positive definite
            return np.inf
        return float(-np.sum(np.log(rest) - rest) - (p - 1))

    def grad(psi):
        e, v = parts(psi)
        lam = np.sqrt(psi) * v[:, -1] * np.sqrt(max(e[-1] - 1.0, 0.0))
        g = lam**2 + psi - np.diag(R)
        return g / psi**2

    try:
        start = np.clip((1.0 - 0.5 / p) / np.diag(np.linalg.inv(R)), _LOWER, 1.0)
    except np.linalg.LinAlgError:
        start = np.full(p, 0.5)
    res = optimize.minimize(
        fun,
        start,
        jac=grad,
        method="L-BFGS-B",
        bounds=[(_LOWER, 1.0)] * p,
        options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000},
    )
    psi = res.x
    g = grad(psi)
    free = ((psi > _LOWER) | (g < 0)) & ((psi < 1.0) | (g > 0))  # projected gradient
    small_grad = float(np.max(np.abs(g[free]), initial=0.0)) < 1e-6
    ok = bool(np.isfinite(res.fun) and (res.success or small_grad))
    e, v = parts(psi)
    lam = np.sqrt(psi) * v[:, -1] * np.sqrt(max(e[-1] - 1.0, 0.0))
    if lam.sum() < 0:
        lam = -lam
    sigma = np.outer(lam, lam) + np.diag(psi)
    _, ld_sigma = np.linalg.slogdet(sigma)
    _, ld_r = np.linalg.slogdet(R)
    fmin = float(ld_sigma + np.trace(np.linalg.solve(sigma, R)) - ld_r - p)
    return lam, psi, fmin, ok


@records_provenance
def one_factor_ml(cov: np.ndarray) -> OneFactorFit:
    """Fit the congeneric one-factor model ``Sigma = lambda lambda' + Theta`` by ML.

    Parameters
    ----------
    cov : (p, p) array
        Sample covariance matrix of the block's items (p >= 2).

    Examples
    --------
    >>> lam = np.array([0.6, 0.7, 0.8])
    >>> fit = one_factor_ml(np.outer(lam, lam) + np.diag(1 - lam**2))
    >>> np.round(fit.std_loadings, 6).tolist()
    [0.6, 0.7, 0.8]
    """
    S = np.asarray(cov, dtype=float)
    p = S.shape[0]
    if S.ndim != 2 or S.shape[1] != p or p < 2:
        raise InsufficientDataError(
            f"a one-factor model needs a square covariance matrix of >= 2 items; got shape "
            f"{S.shape}."
        )
    if not np.all(np.isfinite(S)):
        raise ParameterError(f"cov is invalid: expected finite numbers, got {S.tolist()}.")
    bad = np.flatnonzero(np.diag(S) <= 0)
    if bad.size:
        raise ParameterError(
            f"cov is invalid: item(s) at position {bad.tolist()} have variance "
            f"{np.diag(S)[bad].tolist()}; expected positive variances."
        )
    sd = np.sqrt(np.diag(S))
    R = S / np.outer(sd, sd)
    if p == 2:
        r = R[0, 1]
        std = np.full(2, np.sqrt(r) if r > 0 else np.nan)
        psi = 1.0 - std**2
        return OneFactorFit(
            loadings=std * sd,
            error_var=psi * sd**2,
            std_loadings=std,
            fmin=0.0,
            converged=bool(r > 0),
            heywood=bool(r >= 1),
            identified_by="equal standardized loadings",
        )
    if p == 3 and R[0, 1] * R[0, 2] * R[1, 2] > 0:
        # just identified: closed form lambda_i^2 = r_ij r_ik / r_jk (exact ML if proper)
        l2 = np.array(
            [R[0, 1] * R[0, 2] / R[1, 2], R[0, 1] * R[1, 2] / R[0, 2], R[0, 2] * R[1, 2] / R[0, 1]]
        )
        if np.all(l2 < 1.0 - _LOWER):
            l1 = np.sqrt(l2[0])
            lam = np.array([l1, R[0, 1] / l1, R[0, 2] / l1])
            lam = -lam if lam.sum() < 0 else lam
            psi = 1.0 - lam**2
            return OneFactorFit(
                loadings=lam * sd,
                error_var=psi * sd**2,
                std_loadings=lam,
                fmin=0.0,
                converged=True,
                heywood=False,
                identified_by="ML",
            )
    lam, psi, fmin, ok = _fit_corr(R)
    return OneFactorFit(
        loadings=lam * sd,
        error_var=psi * sd**2,
        # standardized by the model-implied variance (lavaan's std.all); equals lam
        # at a proper solution, where the implied diagonal matches R's
        std_loadings=lam / np.sqrt(lam**2 + psi),
        fmin=fmin,
        converged=ok,
        heywood=bool(np.any(psi <= _LOWER * (1 + 1e-6))),
        identified_by="ML",
    )
