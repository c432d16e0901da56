"""The shifted-beta-geometric (sBG) model of contractual churn (Fader & Hardie 2007).

Its public home is :mod:`servqual.retention` (``retention.fit_sbg``,
``retention.SBGResult``); it lives in this small module so that both
:mod:`servqual.retention` and :mod:`servqual.survival` (whose
``LifeTable.fit_sbg()`` fits it) can import it without importing each other.
"""

from __future__ import annotations

from dataclasses import field

import numpy as np
import pandas as pd
from scipy import optimize, special

from ._checks import Interval, as_1d_numeric, check_params
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import ConvergenceWarning, DataError, ImproperSolutionWarning, InsufficientDataError

__all__ = ["SBGResult", "fit_sbg"]


# --------------------------------------------------------------------------- sBG


@resultclass
class SBGResult(Result):
    """Shifted-beta-geometric fit (Fader & Hardie 2007).

    Attributes
    ----------
    alpha, beta : float
        Beta-distribution parameters of the per-period churn probability.
    loglik : float
    n_periods : int
        Number of observed periods after period 0.
    observed : ndarray
        Observed survival proportions (period 0 = 1).
    converged : bool
    warnings : tuple of str
    """

    alpha: float
    beta: float
    loglik: float
    n_periods: int
    observed: np.ndarray = field(repr=False)
    converged: bool = True
    warnings: tuple[str, ...] = ()

    def retention(self, t):
        """Retention rate in period ``t >= 1``: ``(beta + t - 1) / (alpha + beta + t - 1)``.

        Examples
        --------
        >>> res = fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
        >>> round(float(res.retention(1)), 3)   # beta / (alpha + beta)
        0.627
        """
        t = np.asarray(t, dtype=float)
        return (self.beta + t - 1) / (self.alpha + self.beta + t - 1)

    def survival(self, t):
        """``S(t) = B(alpha, beta + t) / B(alpha, beta)`` (share alive after ``t`` periods).

        Examples
        --------
        >>> res = fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
        >>> [round(float(v), 3) for v in res.survival([0, 1, 2])]
        [1.0, 0.627, 0.474]
        """
        t = np.asarray(t, dtype=float)
        a, b = self.alpha, self.beta
        return np.exp(special.betaln(a, b + t) - special.betaln(a, b))

    def forecast(self, periods: int) -> pd.DataFrame:
        """Survival and retention for periods ``0..periods`` with the observed values.

        Examples
        --------
        >>> res = fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
        >>> list(res.forecast(10).columns)
        ['period', 'survival', 'retention', 'observed']
        """
        check_params({"periods": periods}, {"periods": Interval(1, None, integer=True)})
        t = np.arange(periods + 1)
        obs = np.full(t.size, np.nan)
        k = min(self.observed.size, t.size)
        obs[:k] = self.observed[:k]
        ret = np.where(t >= 1, self.retention(np.maximum(t, 1)), np.nan)
        return pd.DataFrame(
            {"period": t, "survival": self.survival(t), "retention": ret, "observed": obs}
        )

    def derl(self, discount: float, *, renewals: int = 0) -> float:
        """Discounted expected residual lifetime (Fader & Hardie 2010).

        Expected discounted number of future payments of a customer who has
        made ``renewals`` renewals (``n = renewals + 1``):
        ``sum_{t>=n} S(t) / S(n-1) / (1 + d)^(t-n)
        = (beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n; 1/(1+d))``.

        Examples
        --------
        >>> res = fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
        >>> round(res.derl(0.1), 2)
        2.96
        """
        check_params(
            {"discount": discount, "renewals": renewals},
            {
                "discount": Interval(0, None, closed="neither"),
                "renewals": Interval(0, None, integer=True),
            },
        )
        n = renewals + 1
        a, b = self.alpha, self.beta
        return float(
            (b + n - 1) / (a + b + n - 1) * special.hyp2f1(1, b + n, a + b + n, 1 / (1 + discount))
        )

    def summary(self) -> Summary:
        """Estimates, log-likelihood and the fitted vs observed survival."""
        fc = self.forecast(max(self.n_periods, 1))
        return Summary(
            "Shifted-beta-geometric retention model",
            [
                (
                    "Estimates",
                    {
                        "alpha": self.alpha,
                        "beta": self.beta,
                        "log-likelihood": self.loglik,
                        "mean churn E[theta]": self.alpha / (self.alpha + self.beta),
                        "periods": self.n_periods,
                    },
                ),
                ("Fit", fc),
            ],
            self.warnings,
        )


def _sbg_loglik(log_ab, lost, alive_end):
    a, b = np.exp(log_ab)
    t = np.arange(1, lost.size + 1)
    # P(T = t) = B(a + 1, b + t - 1) / B(a, b);  S(t) = B(a, b + t) / B(a, b)
    lp = special.betaln(a + 1, b + t - 1) - special.betaln(a, b)
    ls = special.betaln(a, b + lost.size) - special.betaln(a, b)
    return float(np.sum(lost * lp) + alive_end * ls)


def _geometric_loglik(lost, alive_end):
    """Log-likelihood of the homogeneous geometric (the sBG limit alpha, beta -> inf)."""
    t = np.arange(1, lost.size + 1)
    events = lost.sum()
    if events == 0:  # theta = 0: every customer survives with probability 1
        return 0.0
    trials = np.sum(lost * t) + alive_end * lost.size
    theta = events / trials
    stay = trials - events
    return float(events * np.log(theta) + (stay * np.log1p(-theta) if stay > 0 else 0.0))


@records_provenance
def fit_sbg(survival, *, n: float | None = None) -> SBGResult:
    """Fit the shifted-beta-geometric model by maximum likelihood.

    Parameters
    ----------
    survival : sequence or LifeTable
        Customers (counts or percentages) alive at periods ``0, 1, ..., T``;
        the first value is the cohort size.  Must not increase. A
        :class:`~servqual.survival.LifeTable` (from customer-level tenure and
        churn, :func:`life_table`) gives its Kaplan-Meier survivor counts.
    n : float, optional
        Cohort size to scale proportions to (only changes the log-likelihood,
        not the estimates). Default: the first value of ``survival``.

    Examples
    --------
    >>> res = fit_sbg([100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1])
    >>> round(res.alpha, 3), round(res.beta, 3)
    (0.704, 1.182)
    """
    if isinstance(getattr(survival, "survivors", None), pd.Series):  # a LifeTable
        survival = survival.survivors.to_numpy()
    s = as_1d_numeric(survival, name="survival")
    if s.size < 3:
        raise InsufficientDataError(
            f"survival has {s.size} value(s): at least 3 (periods 0, 1, 2) are needed to "
            "identify alpha and beta."
        )
    if s[0] <= 0:
        raise DataError(f"survival[0]={float(s[0])!r} is invalid: expected a positive cohort size.")
    if np.any(s < 0):
        i = int(np.flatnonzero(s < 0)[0])
        raise DataError(f"survival[{i}]={float(s[i])!r} is invalid: counts cannot be negative.")
    inc = np.flatnonzero(np.diff(s) > 0)
    if inc.size:
        i = int(inc[0]) + 1
        raise DataError(
            f"survival increases at period {i} ({float(s[i - 1])!r} -> {float(s[i])!r}): "
            "a survival curve must not increase."
        )
    if n is not None:
        check_params({"n": n}, {"n": Interval(0, None, closed="neither")})
    scale = (n if n is not None else s[0]) / s[0]
    counts = s * scale
    lost = -np.diff(counts)
    alive_end = counts[-1]
    res = optimize.minimize(
        lambda x: -_sbg_loglik(x, lost, alive_end),
        x0=np.zeros(2),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000},
    )
    res2 = optimize.minimize(lambda x: -_sbg_loglik(x, lost, alive_end), res.x, method="BFGS")
    best = res2 if res2.fun <= res.fun else res
    converged = bool(res.success or res2.success)
    warns: tuple[str, ...] = ()
    if not converged:
        warns = (f"sBG likelihood optimisation did not converge: {res.message}",)
        warn(warns[0], ConvergenceWarning)
    a, b = np.exp(best.x)
    # No loss at all (alpha -> 0), or constant / falling retention, which the sBG fits
    # only in the limit alpha, beta -> infinity (a homogeneous geometric; beyond ~1e6
    # the beta-function differences in the likelihood are dominated by rounding).
    tol = 1e-6 * max(1.0, abs(best.fun))
    geometric_limit = _geometric_loglik(lost, alive_end) >= -best.fun - tol
    if lost.sum() == 0 or geometric_limit or max(a, b) > 1e6 or min(a, b) < 1e-6:
        text = (
            f"sBG estimates on the boundary of the parameter space (alpha={a:.3g}, "
            f"beta={b:.3g}): the data show no heterogeneity the model can fit "
            "(no customers lost, or retention constant or falling with tenure); alpha and "
            "beta are not identified separately."
        )
        warns += (text,)
        warn(text, ImproperSolutionWarning)
    return SBGResult(
        alpha=float(a),
        beta=float(b),
        loglik=-float(best.fun),
        n_periods=int(s.size - 1),
        observed=s / s[0],
        converged=converged,
        warnings=warns,
    )
