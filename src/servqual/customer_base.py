"""Customer-base models: retention, acquisition and referral over time.

:func:`customer_base`, :func:`steady_state` -- deterministic
``N_{t+1} = r N_t + a_t + rho N_t``; :func:`simulate_customer_base` -- its
stochastic, per-customer Monte Carlo version (numpy-vectorised; joblib or
dask for replicates and chunks).  (Also importable from :mod:`servqual.wom`.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import Interval, as_1d_numeric, check_params
from ._customer_sim import CustomerBaseSimulation, simulate_customer_base
from .errors import ParameterError

__all__ = [
    "customer_base",
    "steady_state",
    "steady_state_referral_share",
    "simulate_customer_base",
    "CustomerBaseSimulation",
]

_NONNEG = Interval(0, None)


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
