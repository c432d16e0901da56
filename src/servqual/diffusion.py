"""Bass (1969) diffusion of adoptions, with negative word of mouth.

:func:`bass_cdf`, :func:`bass_pdf`, :func:`bass_peak_time`,
:func:`bass_discrete`, :func:`fit_bass` -- the Bass (1969) diffusion model;
:func:`bass_negative_wom` adds negative word of mouth and churn (ODEs).
(Also importable from :mod:`servqual.wom`.)
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import integrate, optimize

from ._checks import Interval, as_1d_numeric, check_memory, check_params
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    ConvergenceWarning,
    DataError,
    DegenerateResultWarning,
    InsufficientDataError,
    ParameterError,
)

__all__ = [
    "bass_cdf",
    "bass_pdf",
    "bass_peak_time",
    "bass_discrete",
    "fit_bass",
    "BassFit",
    "bass_negative_wom",
]

_POS = Interval(0, None, closed="neither")
_NONNEG = Interval(0, None)


def _check_pq(p, q):
    check_params({"p": p, "q": q}, {"p": _POS, "q": _NONNEG})


def bass_cdf(t, p: float, q: float):
    """Bass cumulative adoption share ``F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``.

    Examples
    --------
    >>> round(float(bass_cdf(0.0, 0.03, 0.38)), 6), round(float(bass_cdf(1e3, 0.03, 0.38)), 6)
    (0.0, 1.0)
    """
    _check_pq(p, q)
    t = np.asarray(t, dtype=float)
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def bass_pdf(t, p: float, q: float):
    """Bass adoption density ``f(t) = (p+q)^2/p e^{-(p+q)t} / (1 + (q/p) e^{-(p+q)t})^2``.

    Examples
    --------
    >>> round(float(bass_pdf(0.0, 0.03, 0.38)), 6)   # = p
    0.03
    """
    _check_pq(p, q)
    t = np.asarray(t, dtype=float)
    e = np.exp(-(p + q) * t)
    return (p + q) ** 2 / p * e / (1 + (q / p) * e) ** 2


def bass_peak_time(p: float, q: float) -> float:
    """Time of peak adoption, ``ln(q/p) / (p + q)`` (0 when ``q <= p``).

    Examples
    --------
    >>> round(bass_peak_time(0.03, 0.38), 4)
    6.1926
    """
    _check_pq(p, q)
    if q <= p:
        return 0.0
    return float(np.log(q / p) / (p + q))


def bass_discrete(periods: int, p: float, q: float, m: float) -> pd.DataFrame:
    """Discrete Bass model ``n_t = (p + q N_{t-1}/m)(m - N_{t-1})``.

    Returns a DataFrame ``period, adopters, cumulative`` for periods ``1..periods``.
    Needs ``p + q <= 1``: beyond it the recursion overshoots the market ``m``
    (adopters turn negative and the series diverges).

    Examples
    --------
    >>> bass_discrete(2, 0.1, 0.5, 100)["adopters"].round(2).tolist()
    [10.0, 13.5]
    """
    _check_pq(p, q)
    check_params(
        {"periods": periods, "m": m}, {"periods": Interval(1, None, integer=True), "m": _POS}
    )
    if p + q > 1:
        raise ParameterError(
            f"p={p!r} and q={q!r} sum to {p + q:g} > 1: the discrete Bass recursion then "
            "overshoots the market m; use p + q <= 1 (or bass_cdf, the continuous model)."
        )
    periods = int(periods)
    check_memory(24.0 * periods, what=f"bass_discrete(periods={periods})")
    n = np.empty(periods)
    cum = 0.0
    for t in range(periods):
        n[t] = (p + q * cum / m) * (m - cum)
        cum += n[t]
    return pd.DataFrame(
        {"period": np.arange(1, periods + 1), "adopters": n, "cumulative": np.cumsum(n)}
    )


@resultclass
class BassFit(Result):
    """Nonlinear least-squares Bass fit (Srinivasan & Mason 1986).

    Attributes: ``p, q, m``, their standard errors ``se`` (dict), ``rss``,
    ``n_periods``, ``converged``, ``warnings``.
    """

    p: float
    q: float
    m: float
    se: MappingProxyType
    rss: float
    n_periods: int
    converged: bool = True
    warnings: tuple[str, ...] = ()

    @property
    def peak_time(self) -> float:
        """Time of peak adoption of the fitted curve (:func:`bass_peak_time`)."""
        return bass_peak_time(self.p, self.q)

    def predict(self, t) -> np.ndarray:
        """Expected adoptions in the periods ending at ``t``: ``m (F(t) - F(t-1))``.

        Examples
        --------
        >>> f = fit_bass(1000 * np.diff(bass_cdf(np.arange(16), 0.03, 0.4)))
        >>> round(float(f.predict(1)), 1)   # m F(1)
        36.1
        """
        t = np.asarray(t, dtype=float)
        return self.m * (bass_cdf(t, self.p, self.q) - bass_cdf(t - 1, self.p, self.q))

    def summary(self) -> Summary:
        """Estimates with standard errors, residual sum of squares and peak time."""
        est = pd.DataFrame(
            {
                "estimate": [self.p, self.q, self.m],
                "se": [self.se["p"], self.se["q"], self.se["m"]],
            },
            index=["p", "q", "m"],
        )
        return Summary(
            "Bass diffusion fit (NLS)",
            [
                ("Estimates", est),
                ("Fit", {"rss": self.rss, "periods": self.n_periods, "peak time": self.peak_time}),
            ],
            self.warnings,
        )


@records_provenance
def fit_bass(adoptions, *, t=None) -> BassFit:
    """Fit ``p, q, m`` to per-period adoptions by nonlinear least squares.

    Model: adoptions in period ``(t-1, t]`` = ``m (F(t) - F(t-1))``.

    Parameters
    ----------
    adoptions : sequence of float
        New adopters per period (non-negative).
    t : sequence of float, optional
        Period end times (default ``1..T``).

    Examples
    --------
    >>> obs = 1000 * np.diff(bass_cdf(np.arange(16), 0.03, 0.4))
    >>> f = fit_bass(obs)
    >>> round(f.p, 3), round(f.q, 3), round(f.m)
    (0.03, 0.4, 1000)
    """
    y = as_1d_numeric(adoptions, name="adoptions")
    if np.any(y < 0):
        i = int(np.flatnonzero(y < 0)[0])
        raise DataError(
            f"adoptions[{i}]={float(y[i])!r} is invalid: expected a non-negative count."
        )
    if y.size < 4:
        raise InsufficientDataError(f"adoptions has {y.size} periods: at least 4 are needed.")
    if np.count_nonzero(y) < 3:
        raise InsufficientDataError(
            f"adoptions has {np.count_nonzero(y)} non-zero period(s): at least 3 are needed "
            "to identify p, q and m."
        )
    tt = np.arange(1, y.size + 1, dtype=float) if t is None else as_1d_numeric(t, name="t")
    if tt.size != y.size:
        raise ParameterError(f"t has {tt.size} values but adoptions has {y.size}.")

    def resid(x):
        p, q, m = np.exp(x)
        e1, e0 = np.exp(-(p + q) * tt), np.exp(-(p + q) * (tt - 1))
        f1 = (1 - e1) / (1 + q / p * e1)
        f0 = (1 - e0) / (1 + q / p * e0)
        return (m * (f1 - f0) - y) / max(y.max(), 1e-12)

    best = None
    for p0, q0 in ((0.03, 0.38), (0.01, 0.1), (0.1, 0.8)):
        x0 = np.log([p0, q0, max(y.sum() * 1.5, 1e-9)])
        r = optimize.least_squares(resid, x0, method="lm", xtol=1e-12, ftol=1e-12, max_nfev=5000)
        if best is None or r.cost < best.cost:
            best = r
    p, q, m = np.exp(best.x)
    scale = max(y.max(), 1e-12)
    rss = float(2 * best.cost * scale**2)
    dof = max(y.size - 3, 1)
    warns: tuple[str, ...] = ()
    try:
        jac = best.jac * scale / np.exp(best.x)[None, :]  # d resid / d (p, q, m), in y units
        cov = np.linalg.inv(jac.T @ jac) * rss / dof
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(3, np.nan)
        warns += ("Bass fit: singular Jacobian, standard errors unavailable.",)
    if not best.success:
        warns += (f"Bass fit did not converge: {best.message}",)
    for w in warns:
        warn(w, ConvergenceWarning)
    reached = float(y.sum() / m) if m > 0 else np.nan
    if not reached >= 0.05:  # a flat or still-accelerating series: m runs off to infinity
        msg = (
            f"Bass fit is degenerate: the adopters observed are {reached:.2%} of the fitted "
            f"market m = {m:,.0f}; the series shows no slowdown, so m, p and q are not "
            "identified (do not use them for forecasts)."
        )
        warns += (msg,)
        warn(msg, DegenerateResultWarning)
    return BassFit(
        p=float(p),
        q=float(q),
        m=float(m),
        se=MappingProxyType(dict(zip("pqm", map(float, se)))),
        rss=rss,
        n_periods=int(y.size),
        converged=bool(best.success),
        warnings=warns,
    )


def bass_negative_wom(
    t,
    p: float,
    q_positive: float,
    q_negative: float = 0.0,
    churn: float = 0.0,
    m: float = 1.0,
) -> pd.DataFrame:
    """Bass diffusion with negative word of mouth and churn (ODEs, scipy ``solve_ivp``).

    ``dN/dt = (p + q+ N/m - q- D/m)(m - N - D) - delta N``, ``dD/dt = delta N``,
    where ``N`` are current adopters and ``D`` former adopters who churned
    (and now spread negative word of mouth).  The adoption hazard is floored
    at 0.

    Returns a DataFrame ``t, adopters, defected, ever_adopted``; a solver
    failure is warned (:class:`~servqual.errors.ConvergenceWarning`) and
    recorded in ``df.attrs["warnings"]`` (empty tuple when the solve succeeded).

    Examples
    --------
    >>> df = bass_negative_wom([0, 5, 10], 0.03, 0.38, m=100)
    >>> bool(np.allclose(df["adopters"], 100 * bass_cdf(np.array([0, 5, 10]), 0.03, 0.38)))
    True
    """
    check_params(
        {"p": p, "q_positive": q_positive, "q_negative": q_negative, "churn": churn, "m": m},
        {"p": _POS, "q_positive": _NONNEG, "q_negative": _NONNEG, "churn": _NONNEG, "m": _POS},
    )
    tt = as_1d_numeric(t, name="t")
    if np.any(np.diff(tt) <= 0) or tt[0] < 0:
        raise ParameterError("t is invalid: expected increasing non-negative times.")

    def rhs(_, y):
        n, d = y
        hazard = max(p + q_positive * n / m - q_negative * d / m, 0.0)
        return [hazard * (m - n - d) - churn * n, churn * n]

    sol = integrate.solve_ivp(
        rhs, (0.0, float(tt[-1])), [0.0, 0.0], t_eval=tt, method="LSODA", rtol=1e-10, atol=1e-12 * m
    )
    warns: tuple[str, ...] = ()
    if not sol.success:
        warns = (f"ODE solver failed: {sol.message}",)
        warn(warns[0], ConvergenceWarning)
        n, d = np.full((2, tt.size), np.nan)
        k = sol.y.shape[1]  # values up to the failure point are kept
        n[:k], d[:k] = sol.y
    else:
        n, d = sol.y
    out = pd.DataFrame({"t": tt, "adopters": n, "defected": d, "ever_adopted": n + d})
    out.attrs["warnings"] = warns
    return out
