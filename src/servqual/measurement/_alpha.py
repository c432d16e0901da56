"""Cronbach's alpha, its Feldt interval and the reliability of a difference score."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import (
    Interval,
    check_data,
    check_frame,
    check_params,
    check_weights,
)
from ..errors import (
    InsufficientDataError,
    ParameterError,
)
from ..weighting import weighted_corr, weighted_cov


# ---------------------------------------------------------------- alpha
def cronbach_alpha(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    standardized: bool = False,
    weights=None,
) -> float:
    """Cronbach's alpha of the items ``columns`` of ``data``.

    ``alpha = k/(k-1) * (1 - sum(item variances) / variance(sum score))``.
    With ``standardized=True`` the items are standardized first, giving
    ``k r/(1 + (k-1) r)`` with ``r`` the mean inter-item correlation (the value
    seminr reports as "alpha").  Missing values raise
    :class:`~servqual.errors.MissingValuesError`; handle them first (see
    :func:`servqual.validate`).  With respondent ``weights`` (column name or
    array) the variances and correlations are weighted.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 4], "c": [2, 2, 4, 4]})
    >>> round(cronbach_alpha(df), 4)
    0.9388
    """
    w = check_weights(weights, check_data(data))
    x = check_frame(data, columns, min_rows=2).to_numpy()
    k = x.shape[1]
    if k < 2:
        raise InsufficientDataError(
            f"Cronbach's alpha needs at least 2 items; got {k} (columns {list(columns or [])})."
        )
    if standardized:
        r = np.corrcoef(x, rowvar=False) if w is None else weighted_corr(x, w)
        rbar = r[np.triu_indices(k, 1)].mean()
        return float(k * rbar / (1 + (k - 1) * rbar))
    if w is not None:
        S = weighted_cov(x, w, ddof=1)
        return float(k / (k - 1) * (1.0 - np.trace(S) / S.sum()))
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def feldt_ci(alpha: float, *, n: int, k: int, ci: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval for Cronbach's alpha.

    Under the classical model, ``(1 - alpha) / (1 - alpha_hat)`` follows an F
    distribution with ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom
    (Feldt, L. S. 1965, *Psychometrika* 30, 357-370; Feldt, Woodruff & Salih
    1987, *Applied Psychological Measurement* 11, 93-103, eq. 2).

    Examples
    --------
    >>> lo, hi = feldt_ci(0.8, n=100, k=5)
    >>> round(lo, 3), round(hi, 3)
    (0.731, 0.856)
    """
    check_params(
        {"alpha": alpha, "n": n, "k": k, "ci": ci},
        {
            "alpha": Interval(None, 1, closed="neither"),
            "n": Interval(3, None, integer=True),
            "k": Interval(2, None, integer=True),
            "ci": Interval(0, 1, closed="neither"),
        },
    )
    d1, d2 = float(n - 1), float(n - 1) * float(k - 1)  # huge ints: no overflow in scipy
    g = 1.0 - ci
    lower = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - g / 2, d1, d2)
    upper = 1.0 - (1.0 - alpha) * stats.f.ppf(g / 2, d1, d2)
    return float(lower), float(upper)


# ---------------------------------------------------------------- difference scores
def difference_score_reliability(
    r_pp: float, r_ee: float, r_pe: float, sd_p: float, sd_e: float
) -> float:
    """Reliability of a difference score ``D = P - E`` (Lord 1958; Brown, Churchill & Peter 1993).

    ``r_D = (sP^2 r_PP + sE^2 r_EE - 2 sP sE r_PE) / (sP^2 + sE^2 - 2 sP sE r_PE)``
    with ``r_PP``, ``r_EE`` the reliabilities of the components, ``r_PE``
    their correlation and ``sP``, ``sE`` their standard deviations (assumes
    uncorrelated measurement errors of P and E).

    Examples
    --------
    >>> round(difference_score_reliability(0.8, 0.8, 0.5, 1.0, 1.0), 4)
    0.6
    """
    check_params(
        {"r_pp": r_pp, "r_ee": r_ee, "r_pe": r_pe, "sd_p": sd_p, "sd_e": sd_e},
        {
            "r_pp": Interval(0, 1),
            "r_ee": Interval(0, 1),
            "r_pe": Interval(-1, 1),
            "sd_p": Interval(0, None, closed="neither"),
            "sd_e": Interval(0, None, closed="neither"),
        },
    )
    if sd_p**2 + sd_e**2 - 2 * sd_p * sd_e * r_pe <= 1e-12 * (sd_p**2 + sd_e**2):
        raise ParameterError(
            f"r_pe={r_pe!r} with sd_p={sd_p!r} and sd_e={sd_e!r} gives the difference P - E "
            "zero variance: its reliability is undefined."
        )
    num = sd_p**2 * r_pp + sd_e**2 * r_ee - 2 * sd_p * sd_e * r_pe
    den = sd_p**2 + sd_e**2 - 2 * sd_p * sd_e * r_pe
    return float(num / den)
