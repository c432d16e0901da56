"""Complaints and word of mouth: TARP funnel, Bass diffusion, customer-base models.

* :func:`complaint_funnel` -- the TARP complaint/exit funnel (TARP 1979/1986 as
  reported by Goodman): who complains, who is satisfied by the response, who
  buys again, who tells how many people.
* :func:`bass_cdf`, :func:`bass_pdf`, :func:`bass_peak_time`,
  :func:`bass_discrete`, :func:`fit_bass` -- the Bass (1969) diffusion model;
  :func:`bass_negative_wom` adds negative word of mouth and churn (ODEs).
* :func:`customer_base`, :func:`steady_state` -- deterministic
  ``N_{t+1} = r N_t + a_t + rho N_t``; :func:`simulate_customer_base` -- its
  stochastic, per-customer Monte Carlo version (numpy-vectorised; joblib or
  dask for replicates and chunks).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import integrate, optimize

from ._checks import Interval, Options, as_1d_numeric, check_params
from ._customer_sim import CustomerBaseSimulation, simulate_customer_base
from ._result import Result, resultclass
from ._summary import Summary
from .errors import ConvergenceWarning, DataError, InsufficientDataError, ParameterError

__all__ = [
    "TARP_REPURCHASE",
    "COMPLAINT_RATES",
    "BRANCHES",
    "complaint_funnel",
    "ComplaintFunnel",
    "bass_cdf",
    "bass_pdf",
    "bass_peak_time",
    "bass_discrete",
    "fit_bass",
    "BassFit",
    "bass_negative_wom",
    "customer_base",
    "steady_state",
    "steady_state_referral_share",
    "simulate_customer_base",
    "CustomerBaseSimulation",
]

BRANCHES = ("silent", "unresolved", "resolved", "resolved_quickly")

#: Repurchase intention by complaint branch, TARP (1979/1986) as reported by
#: Goodman: loss under $5 ("small") and over $100 ("large").
TARP_REPURCHASE = MappingProxyType(
    {
        "small": MappingProxyType(
            {"silent": 0.37, "unresolved": 0.46, "resolved": 0.70, "resolved_quickly": 0.95}
        ),
        "large": MappingProxyType(
            {"silent": 0.09, "unresolved": 0.19, "resolved": 0.54, "resolved_quickly": 0.82}
        ),
    }
)

#: Share of problem-experiencers who complain: to headquarters (small-ticket
#: packaged goods, about 1 in 27 -- the "4%") or to the front line (about 50%).
COMPLAINT_RATES = MappingProxyType({"headquarters": 1 / 27, "front_line": 0.5})

_SHARE = Interval(0, 1)
_POS = Interval(0, None, closed="neither")
_NONNEG = Interval(0, None)


# --------------------------------------------------------------------------- TARP


@resultclass
class ComplaintFunnel(Result):
    """Result of :func:`complaint_funnel`.

    Attributes
    ----------
    table : DataFrame
        One row per branch: ``branch, share, customers, repurchase_rate,
        retained, lost, wom_negative_reach, wom_positive_reach``.
    complaints_received : float
    iceberg : float
        Problems per complaint received (``1 / complaint_rate``).
    lost_customers, revenue_at_risk : float
    silent_share : float
        Share of problem-experiencers who do not complain.
    silent_exit_share : float
        Share of problem-experiencers who leave without complaining.
    negative_reach, positive_reach : float
        People told (negative / positive word of mouth).
    params : mapping
    """

    table: pd.DataFrame
    complaints_received: float
    iceberg: float
    lost_customers: float
    revenue_at_risk: float
    silent_share: float
    silent_exit_share: float
    negative_reach: float
    positive_reach: float
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def summary(self) -> Summary:
        """Parameters, the branch table and the totals."""
        return Summary(
            "TARP complaint funnel",
            [
                ("Parameters", dict(self.params)),
                ("Branches", self.table),
                (
                    "Totals",
                    {
                        "complaints received": self.complaints_received,
                        "iceberg (problems per complaint)": self.iceberg,
                        "lost customers": self.lost_customers,
                        "revenue at risk": self.revenue_at_risk,
                        "silent share": self.silent_share,
                        "leave silently (share of problems)": self.silent_exit_share,
                        "negative WOM reach": self.negative_reach,
                        "positive WOM reach": self.positive_reach,
                    },
                ),
            ],
        )


def complaint_funnel(
    n_problems: int = 1000,
    *,
    channel: str = "headquarters",
    complaint_rate: float | None = None,
    satisfied_rate: float = 0.5,
    quick_rate: float = 0.5,
    ticket: str = "small",
    repurchase=None,
    value_per_customer: float = 1.0,
    wom_negative: float = 9.5,
    wom_positive: float = 4.5,
) -> ComplaintFunnel:
    """The TARP complaint/exit funnel for ``n_problems`` customers with a problem.

    Branches: did not complain (``1 - c``); complained, not satisfied
    (``c (1 - s)``); complained, satisfied (``c s (1 - q)``); complained,
    satisfied quickly (``c s q``).  Each branch buys again at its TARP rate.

    Parameters
    ----------
    n_problems : int
        Customers who experienced a problem.
    channel : {"headquarters", "front_line"}
        Where complaints are counted; sets the default complaint rate
        (:data:`COMPLAINT_RATES`: 1/27 to headquarters, 1/2 to the front line).
    complaint_rate : float, optional
        Overrides the channel's rate ``c``.
    satisfied_rate : float
        ``s``: share of complainants satisfied by the response (illustrative
        default 0.5).
    quick_rate : float
        ``q``: share of satisfied complainants resolved quickly (illustrative
        default 0.5).
    ticket : {"small", "large"}
        Loss under $5 or over $100 (selects the TARP repurchase column).
    repurchase : mapping, optional
        Branch -> repurchase rate, overriding the TARP column.
    value_per_customer : float
        Revenue lost per lost customer.
    wom_negative, wom_positive : float
        People told by each dissatisfied customer (silent + unresolved; TARP:
        9-10) and by each satisfied complainant (4-5).

    Examples
    --------
    >>> f = complaint_funnel(1000, channel="headquarters")
    >>> round(f.iceberg, 1), round(f.lost_customers, 1)
    (27.0, 619.9)
    """
    check_params(
        {
            "n_problems": n_problems,
            "channel": channel,
            "ticket": ticket,
            "satisfied_rate": satisfied_rate,
            "quick_rate": quick_rate,
            "value_per_customer": value_per_customer,
            "wom_negative": wom_negative,
            "wom_positive": wom_positive,
        },
        {
            "n_problems": Interval(1, None, integer=True),
            "channel": Options(tuple(COMPLAINT_RATES)),
            "ticket": Options(tuple(TARP_REPURCHASE)),
            "satisfied_rate": _SHARE,
            "quick_rate": _SHARE,
            "value_per_customer": _NONNEG,
            "wom_negative": _NONNEG,
            "wom_positive": _NONNEG,
        },
    )
    c = COMPLAINT_RATES[channel] if complaint_rate is None else complaint_rate
    check_params({"complaint_rate": c}, {"complaint_rate": Interval(0, 1, closed="right")})
    rep = dict(TARP_REPURCHASE[ticket])
    if repurchase is not None:
        if not isinstance(repurchase, Mapping):
            raise ParameterError(
                f"repurchase={repurchase!r} is invalid: expected a mapping branch -> rate, "
                f"branches {', '.join(map(repr, BRANCHES))}."
            )
        for k, v in dict(repurchase).items():
            check_params({"repurchase": k}, {"repurchase": Options(BRANCHES)})
            check_params({f"repurchase[{k!r}]": v}, {f"repurchase[{k!r}]": _SHARE})
            rep[k] = float(v)
    s, q = satisfied_rate, quick_rate
    shares = np.array([1 - c, c * (1 - s), c * s * (1 - q), c * s * q])
    rates = np.array([rep[b] for b in BRANCHES])
    customers = n_problems * shares
    retained = customers * rates
    lost = customers - retained
    dissatisfied = np.array([1.0, 1.0, 0.0, 0.0])
    neg = customers * dissatisfied * wom_negative
    pos = customers * (1 - dissatisfied) * wom_positive
    table = pd.DataFrame(
        {
            "branch": list(BRANCHES),
            "share": shares,
            "customers": customers,
            "repurchase_rate": rates,
            "retained": retained,
            "lost": lost,
            "wom_negative_reach": neg,
            "wom_positive_reach": pos,
        }
    )
    params = {
        "n_problems": n_problems,
        "channel": channel,
        "complaint_rate": c,
        "satisfied_rate": s,
        "quick_rate": q,
        "ticket": ticket,
        "value_per_customer": value_per_customer,
        "wom_negative": wom_negative,
        "wom_positive": wom_positive,
    }
    return ComplaintFunnel(
        table=table,
        complaints_received=float(n_problems * c),
        iceberg=float(1 / c),
        lost_customers=float(lost.sum()),
        revenue_at_risk=float(lost.sum() * value_per_customer),
        silent_share=float(1 - c),
        silent_exit_share=float(lost[0] / n_problems),
        negative_reach=float(neg.sum()),
        positive_reach=float(pos.sum()),
        params=MappingProxyType(params),
    )


# --------------------------------------------------------------------------- Bass


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

    Examples
    --------
    >>> bass_discrete(2, 0.1, 0.5, 100)["adopters"].round(2).tolist()
    [10.0, 13.5]
    """
    _check_pq(p, q)
    check_params(
        {"periods": periods, "m": m}, {"periods": Interval(1, None, integer=True), "m": _POS}
    )
    n = np.empty(periods)
    cum = 0.0
    for t in range(periods):
        n[t] = (p + q * cum / m) * (m - cum)
        cum += n[t]
    return pd.DataFrame(
        {"period": np.arange(1, periods + 1), "adopters": n, "cumulative": np.cumsum(n)}
    )


@dataclass(frozen=True)
class BassFit:
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
        warnings.warn(w, ConvergenceWarning, stacklevel=2)
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
        warnings.warn(warns[0], ConvergenceWarning, stacklevel=2)
        n, d = np.full((2, tt.size), np.nan)
        k = sol.y.shape[1]  # values up to the failure point are kept
        n[:k], d[:k] = sol.y
    else:
        n, d = sol.y
    out = pd.DataFrame({"t": tt, "adopters": n, "defected": d, "ever_adopted": n + d})
    out.attrs["warnings"] = warns
    return out


# --------------------------------------------------------------------------- customer base


def _check_base(retention, referral):
    check_params(
        {"retention": retention, "referral": referral},
        {"retention": Interval(0, 1, closed="left"), "referral": _NONNEG},
    )


def steady_state(retention: float, acquisition: float, referral: float = 0.0) -> float:
    """Steady state ``a / (1 - r - rho)`` of ``N_{t+1} = r N_t + a + rho N_t``.

    Examples
    --------
    >>> round(steady_state(0.8, 100, 0.05), 6)
    666.666667
    """
    _check_base(retention, referral)
    check_params({"acquisition": acquisition}, {"acquisition": _NONNEG})
    if retention + referral >= 1:
        raise ParameterError(
            f"retention + referral = {retention + referral:g} (retention={retention!r}, "
            f"referral={referral!r}) is invalid: expected < 1 for a finite steady state."
        )
    return float(acquisition / (1 - retention - referral))


def steady_state_referral_share(retention: float, referral: float) -> float:
    """Share of new customers who come from referrals at the steady state.

    ``rho N* / (a + rho N*) = rho / (1 - r)`` (independent of ``a``).

    Examples
    --------
    >>> round(steady_state_referral_share(0.8, 0.12), 6)
    0.6
    """
    n = steady_state(retention, 1.0, referral)
    return float(referral * n / (1.0 + referral * n))


def customer_base(
    periods: int, *, initial: float, retention: float, acquisition=0.0, referral: float = 0.0
) -> pd.DataFrame:
    """Deterministic customer base ``N_{t+1} = r N_t + a_t + rho N_t``.

    Parameters
    ----------
    periods : int
    initial : float
        ``N_0``.
    retention, referral : float
        ``r`` and referred new customers per customer per period ``rho``.
    acquisition : float or sequence
        ``a_t`` (scalar or one value per period).

    Returns
    -------
    DataFrame
        ``period, customers, retained, acquired, referred, referral_share``
        (period 0 is the initial base).

    Examples
    --------
    >>> customer_base(2, initial=100, retention=0.8, acquisition=10)["customers"].tolist()
    [100.0, 90.0, 82.0]
    """
    _check_base(retention, referral)
    check_params(
        {"periods": periods, "initial": initial},
        {"periods": Interval(1, None, integer=True), "initial": _NONNEG},
    )
    a = (
        np.broadcast_to(np.asarray(acquisition, dtype=float), (periods,)).copy()
        if np.ndim(acquisition) == 0
        else as_1d_numeric(acquisition, name="acquisition")
    )
    if a.size != periods:
        raise ParameterError(f"acquisition has {a.size} values: expected {periods} (periods).")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ParameterError(
            f"acquisition={acquisition!r} is invalid: expected finite values >= 0."
        )
    n = np.empty(periods + 1)
    ret = np.full(periods + 1, np.nan)
    ref = np.full(periods + 1, np.nan)
    acq = np.full(periods + 1, np.nan)
    n[0] = initial
    for t in range(periods):
        ret[t + 1] = retention * n[t]
        ref[t + 1] = referral * n[t]
        acq[t + 1] = a[t]
        n[t + 1] = ret[t + 1] + acq[t + 1] + ref[t + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = ref / (ref + acq)
    return pd.DataFrame(
        {
            "period": np.arange(periods + 1),
            "customers": n,
            "retained": ret,
            "acquired": acq,
            "referred": ref,
            "referral_share": share,
        }
    )
