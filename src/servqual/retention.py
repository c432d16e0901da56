"""Customer value under retention: CLV forms, uplift, Reichheld-Sasser, sBG churn.

Notation: ``r`` retention per period, ``d`` discount rate per period, ``m``
margin per period.

* ``clv(m, r, d, form="start")`` -- margin at the start of each period:
  ``m (1 + d) / (1 + d - r)``.
* ``clv(m, r, d, form="gls")`` -- Gupta, Lehmann & Stuart (2004):
  ``m r / (1 + d - r)``.
* :func:`npv_finite_life` -- Reichheld & Sasser (1990): an average customer
  lives ``L = 1 / (1 - r)`` years with a tenure-dependent profit profile.
* :func:`npv_survival` -- survival-weighted: ``-A + sum_t pi_t r^(t-1) / (1 + d)^t``.
* :func:`fit_sbg` -- shifted-beta-geometric churn (Fader & Hardie 2007).
* :func:`life_table` -- customer-level tenure + churn flag -> Kaplan-Meier
  survivor counts for :func:`fit_sbg`; :func:`cox` -- Cox model of churn
  (both from :mod:`servqual.survival`).
"""

from __future__ import annotations

import warnings
from dataclasses import field

import numpy as np
import pandas as pd
from scipy import optimize, special

from ._checks import Interval, Options, as_1d_numeric, check_params
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from .errors import (
    ConvergenceWarning,
    DataError,
    ImproperSolutionWarning,
    InsufficientDataError,
    ParameterError,
)
from .survival import CoxResult, LifeTable, cox, life_table

__all__ = [
    "clv",
    "npv_finite_life",
    "npv_survival",
    "retention_uplift",
    "reichheld_sasser_grid",
    "fit_sbg",
    "SBGResult",
    "life_table",
    "cox",
    "LifeTable",
    "CoxResult",
    "FORMS",
]

FORMS = ("start", "gls", "finite_life", "survival")

_RET = Interval(0, 1, closed="left")
_DISC = Interval(-1, None, closed="neither")


def _check_r_d(retention, discount, name="retention"):
    check_params({name: retention, "discount": discount}, {name: _RET, "discount": _DISC})
    if 1 + discount - retention <= 0:
        raise ParameterError(
            f"1 + discount - {name} = {1 + discount - retention:g} (discount={discount!r}, "
            f"{name}={retention!r}) is invalid: expected a positive number, otherwise the "
            "customer value is infinite."
        )


def clv(margin: float, retention: float, discount: float, *, form: str = "start") -> float:
    """Customer lifetime value with constant margin and retention (infinite horizon).

    Parameters
    ----------
    margin : float
        Margin per period (>= 0).
    retention : float
        Retention per period, in [0, 1).
    discount : float
        Discount rate per period (> -1, with 1 + discount - retention > 0).
    form : {"start", "gls"}
        ``"start"``: margin received at the start of each period,
        ``m (1 + d) / (1 + d - r)``; ``"gls"``: Gupta-Lehmann-Stuart,
        ``m r / (1 + d - r)``.

    Examples
    --------
    >>> round(clv(100, 0.9, 0.1), 6)
    550.0
    >>> round(clv(100, 0.9, 0.1, form="gls"), 6)
    450.0
    """
    check_params(
        {"margin": margin, "form": form},
        {"margin": Interval(0, None), "form": Options(("start", "gls"))},
    )
    _check_r_d(retention, discount)
    with np.errstate(over="ignore"):
        if form == "start":
            value = float(margin * (1 + discount) / (1 + discount - retention))
        else:
            value = float(margin * retention / (1 + discount - retention))
    if not np.isfinite(value):
        raise ParameterError(
            f"margin={margin!r} with discount={discount!r} and retention={retention!r} gives a "
            "lifetime value beyond the floating-point range; check the units of margin."
        )
    return value


def _profile(profits, name="profits") -> np.ndarray:
    p = np.atleast_1d(np.asarray(profits, dtype=float))
    if p.ndim != 1 or p.size == 0:
        raise ParameterError(f"{name}={profits!r} is invalid: expected a non-empty 1-D profile.")
    if not np.all(np.isfinite(p)):
        raise ParameterError(f"{name}={profits!r} is invalid: expected finite numbers.")
    return p


def _extend(p: np.ndarray, n: int) -> np.ndarray:
    """Profit profile for years 1..n; the last value repeats."""
    if n <= p.size:
        return p[:n]
    return np.concatenate([p, np.full(n - p.size, p[-1])])


def npv_finite_life(
    profits, life_years: float, discount: float, acquisition_cost: float = 0.0
) -> float:
    """NPV of a customer who stays ``life_years`` years (Reichheld & Sasser 1990).

    ``NPV = -A + sum_{t <= L} w_t pi_t / (1 + d)^t`` where ``pi_t`` is the
    profit in year ``t`` (the last value of ``profits`` repeats for later
    years) and ``w_t = 1`` for whole years, the fractional part for the last
    (partial) year.

    Parameters
    ----------
    profits : float or sequence of float
        Per-year profit profile (may be negative, e.g. a first-year loss).
    life_years : float
        Expected life ``L`` (> 0), e.g. ``1 / defection``.
    discount : float
        Annual discount rate (> -1).
    acquisition_cost : float
        Up-front cost ``A`` (>= 0), paid at time 0.

    Examples
    --------
    >>> round(npv_finite_life([100], 2.5, 0.0), 6)
    250.0
    >>> round(npv_finite_life([100], 1, 0.1, acquisition_cost=50), 4)
    40.9091
    """
    p = _profile(profits)
    check_params(
        {"life_years": life_years, "discount": discount, "acquisition_cost": acquisition_cost},
        {
            "life_years": Interval(0, None, closed="neither"),
            "discount": _DISC,
            "acquisition_cost": Interval(0, None),
        },
    )
    if not np.isfinite(life_years):
        raise ParameterError(f"life_years={life_years!r} is invalid: expected a finite number.")
    n = int(np.ceil(life_years))
    t = np.arange(1, n + 1)
    w = np.clip(life_years - (t - 1), 0.0, 1.0)
    return float(-acquisition_cost + np.sum(w * _extend(p, n) / (1 + discount) ** t))


def npv_survival(profits, retention: float, discount: float, acquisition_cost: float = 0.0):
    """Survival-weighted NPV: ``-A + sum_{t>=1} pi_t r^(t-1) / (1 + d)^t`` (infinite horizon).

    The last profit repeats forever; its tail is summed in closed form.

    Examples
    --------
    >>> round(npv_survival([100], 0.9, 0.1), 6)   # = m / (1 + d - r)
    500.0
    """
    p = _profile(profits)
    check_params({"acquisition_cost": acquisition_cost}, {"acquisition_cost": Interval(0, None)})
    _check_r_d(retention, discount)
    k = p.size
    t = np.arange(1, k + 1)
    head = np.sum(p * retention ** (t - 1) / (1 + discount) ** t)
    x = retention / (1 + discount)
    tail = p[-1] * retention**k / (1 + discount) ** (k + 1) / (1 - x)
    return float(-acquisition_cost + head + tail)


def _value(form, r, d, profits, acq):
    if form == "start":
        return clv(1.0, r, d, form="start") * profits[0] - acq
    if form == "gls":
        return clv(1.0, r, d, form="gls") * profits[0] - acq
    if form == "finite_life":
        return npv_finite_life(profits, 1.0 / (1.0 - r), d, acq)
    return npv_survival(profits, r, d, acq)


def retention_uplift(
    retention: float,
    new_retention: float,
    discount: float,
    *,
    profits=1.0,
    acquisition_cost: float = 0.0,
    forms=FORMS,
) -> pd.DataFrame:
    """Percentage change in customer value when retention changes, under each form.

    Parameters
    ----------
    retention, new_retention : float
        Retention before and after, each in [0, 1).
    discount : float
        Discount rate per period.
    profits : float or sequence
        Profit profile (``"start"`` and ``"gls"`` use its first value as the
        constant margin, which must be positive).
    acquisition_cost : float
        Subtracted from the value in every form.
    forms : sequence of str
        Any of ``"start"``, ``"gls"``, ``"finite_life"``, ``"survival"``.

    Returns
    -------
    DataFrame
        ``form, value_before, value_after, uplift_pct``.

    Examples
    --------
    >>> t = retention_uplift(0.85, 0.90, 0.10, forms=["start"])
    >>> round(float(t["uplift_pct"].iloc[0]), 6)
    25.0
    """
    p = _profile(profits)
    if p[0] <= 0:
        raise ParameterError(
            f"profits[0]={float(p[0])!r} is invalid: expected a positive margin (a percentage "
            "change of a non-positive value is undefined)."
        )
    check_params({"acquisition_cost": acquisition_cost}, {"acquisition_cost": Interval(0, None)})
    _check_r_d(retention, discount)
    _check_r_d(new_retention, discount, name="new_retention")
    forms = [forms] if isinstance(forms, str) else list(forms)
    for f in forms:
        check_params({"forms": f}, {"forms": Options(FORMS)})
    rows = []
    for f in forms:
        v0 = _value(f, retention, discount, p, acquisition_cost)
        v1 = _value(f, new_retention, discount, p, acquisition_cost)
        up = 100.0 * (v1 / v0 - 1.0) if v0 > 0 else np.nan
        rows.append({"form": f, "value_before": v0, "value_after": v1, "uplift_pct": up})
    return pd.DataFrame(rows)


def reichheld_sasser_grid(
    *,
    defection=(0.08, 0.10, 0.15, 0.20, 0.25, 0.30, 0.40),
    discount=(0.0, 0.05, 0.10, 0.15, 0.20),
    growth=(0.0, 0.05, 0.10, 0.20),
    acquisition=(0.0, 0.5, 1.0, 2.0),
    reduction: float = 0.05,
    target=(25.0, 85.0),
) -> pd.DataFrame:
    """Where does "5 points less defection gives +25% to +85% profit" hold?

    Reichheld & Sasser (1990): the profit of a customer is the NPV over an
    average life of ``1 / defection`` years; "5%" is 5 points of defection.
    Year-1 profit is 1, growing by ``growth`` per year of tenure; the
    acquisition cost is a multiple of year-1 profit.

    Returns
    -------
    DataFrame
        One row per grid point: ``defection, discount, growth, acquisition,
        life_before, life_after, npv_before, npv_after, uplift_pct, in_range``
        (``uplift_pct`` is NaN where the NPV before is not positive).

    Examples
    --------
    >>> g = reichheld_sasser_grid(defection=[0.2], discount=[0.1], growth=[0.0],
    ...                           acquisition=[0.0])
    >>> round(float(g["uplift_pct"].iloc[0]), 1)
    23.9
    """
    check_params({"reduction": reduction}, {"reduction": Interval(0, 1, closed="neither")})
    grids = {}
    for name, vals, iv in (
        ("defection", defection, Interval(0, 1, closed="right")),
        ("discount", discount, _DISC),
        ("growth", growth, Interval(-1, None, closed="neither")),
        ("acquisition", acquisition, Interval(0, None)),
    ):
        arr = as_1d_numeric(vals, name=name)
        for v in arr:
            check_params({name: float(v)}, {name: iv})
        grids[name] = arr
    bad = grids["defection"][grids["defection"] <= reduction]
    if bad.size:
        raise ParameterError(
            f"defection={float(bad[0])!r} is invalid: expected a defection rate above "
            f"reduction={reduction!r}."
        )
    try:
        lo, hi = (float(x) for x in target)
    except (TypeError, ValueError):
        raise ParameterError(
            f"target={target!r} is invalid: expected a pair (low, high) of percentages."
        ) from None
    if not lo <= hi:
        raise ParameterError(f"target={target!r} is invalid: expected low <= high.")
    mesh = np.meshgrid(*grids.values(), indexing="ij")
    df = pd.DataFrame({k: m.ravel() for k, m in zip(grids, mesh)})
    life0 = 1.0 / df["defection"].to_numpy()
    life1 = 1.0 / (df["defection"].to_numpy() - reduction)
    tmax = int(np.ceil(life1.max()))
    t = np.arange(1, tmax + 1)[None, :]
    g = df["growth"].to_numpy()[:, None]
    d = df["discount"].to_numpy()[:, None]
    disc_profit = (1 + g) ** (t - 1) / (1 + d) ** t
    acq = df["acquisition"].to_numpy()
    npv0 = np.sum(np.clip(life0[:, None] - (t - 1), 0, 1) * disc_profit, axis=1) - acq
    npv1 = np.sum(np.clip(life1[:, None] - (t - 1), 0, 1) * disc_profit, axis=1) - acq
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(npv0 > 0, 100.0 * (npv1 / np.where(npv0 > 0, npv0, 1.0) - 1.0), np.nan)
    df["life_before"] = life0
    df["life_after"] = life1
    df["npv_before"] = npv0
    df["npv_after"] = npv1
    df["uplift_pct"] = up
    df["in_range"] = (up >= lo) & (up <= hi)
    return df


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
    if isinstance(survival, LifeTable):
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
        warnings.warn(warns[0], ConvergenceWarning, stacklevel=2)
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
        warnings.warn(text, ImproperSolutionWarning, stacklevel=2)
    return SBGResult(
        alpha=float(a),
        beta=float(b),
        loglik=-float(best.fun),
        n_periods=int(s.size - 1),
        observed=s / s[0],
        converged=converged,
        warnings=warns,
    )
