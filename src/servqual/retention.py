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

import numpy as np
import pandas as pd

from ._checks import Interval, Options, as_1d_numeric, check_params
from ._sbg import SBGResult, fit_sbg
from .errors import (
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
