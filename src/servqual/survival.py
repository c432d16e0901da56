"""Customer-level churn as survival data: a life table for the sBG, and a Cox model.

A churn table has one row per customer: a *tenure* (periods as a customer so
far, or until leaving) and a *churn* flag (left, or still a customer:
right-censored).  :func:`life_table` turns it into Kaplan-Meier survivor counts
per period (``statsmodels`` ``SurvfuncRight``) that
:func:`servqual.retention.fit_sbg` takes directly; :func:`cox` fits a Cox
proportional-hazards model of churn on satisfaction and its drivers
(``statsmodels`` ``PHReg``) and reports hazard ratios with confidence
intervals.

References
----------
Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete
observations. *JASA* 53(282), 457-481.
Cox, D. R. (1972). Regression models and life-tables. *JRSS B* 34(2), 187-220.
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
*Journal of Interactive Marketing* 21(1), 76-90.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import (
    Interval,
    Options,
    as_py,
    check_columns,
    check_data,
    check_frame,
    check_params,
    check_unique_index,
)
from ._options import check_ci, check_missing
from ._outcome import binary_outcome
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from ._warn import warn
from .errors import (
    ConvergenceWarning,
    DegenerateResultWarning,
    InsufficientDataError,
    MissingDataWarning,
    MissingValuesError,
    OutOfRangeError,
    ParameterError,
)

__all__ = ["LifeTable", "CoxResult", "life_table", "cox"]


def _churn_frame(data, tenure, churn, positive, extra, missing):
    """Float frame ``tenure``, ``event`` (+ ``extra`` columns) with missing rows reported."""
    check_data(data)
    for role, col in (("tenure", tenure), ("churn", churn)):
        if not isinstance(col, str):
            raise ParameterError(f"{role}={col!r} is invalid: expected one column name.")
    check_columns(data, [tenure, churn, *extra])
    check_unique_index(data, why="each customer's tenure, churn and predictors are matched by it")
    missing = check_missing(missing, ("listwise", "raise"))
    t = check_frame(data, [tenure], missing="allow", allow_constant=True)[tenure]
    neg = (t < 0).to_numpy()
    if neg.any():
        row = t.index[np.flatnonzero(neg)[0]]
        raise OutOfRangeError(
            f"tenure column {tenure!r}: row {as_py(row)!r} has tenure {as_py(t[row]):g}; "
            "expected a tenure of 0 or more periods."
        )
    y = binary_outcome(data, churn, positive, role="churn")
    frame = pd.DataFrame({tenure: t, churn: y}, index=data.index)
    if extra:
        x = check_frame(data, list(extra), missing="allow", allow_constant=True)
        frame = pd.concat([frame, x], axis=1)
    counts = frame.isna().sum()
    bad = frame.isna().any(axis=1).to_numpy()
    notes: list[str] = []
    if bad.any():
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
        if missing == "raise":
            raise MissingValuesError(
                f"missing values in column(s) {detail}; pass missing='listwise' to drop those "
                "customers (they are counted and reported)."
            )
        notes.append(
            f"{int(bad.sum())} of {len(frame)} customers dropped (listwise) for missing "
            f"values ({detail})."
        )
        warn(notes[-1], MissingDataWarning)
        frame = frame.loc[~bad]
    return frame, notes, int(bad.sum())


@resultclass
class LifeTable(Result):
    """Kaplan-Meier life table of customer tenure, one row per period.

    ``table`` columns: ``period``, ``at_risk`` (customers observed at the start
    of the period), ``churned`` (left during it), ``censored`` (still customers,
    last seen in it), ``survival`` (Kaplan-Meier probability of still being a
    customer at the end of ``period``) and ``survivors`` (``n * survival``: the
    cohort counts :func:`servqual.retention.fit_sbg` takes).
    """

    table: pd.DataFrame
    n: int
    n_churned: int
    n_censored: int
    n_missing: int
    settings: dict
    warnings: tuple[str, ...] = ()

    @property
    def survivors(self) -> pd.Series:
        """Survivor counts per period (period 0 = the whole cohort)."""
        return self.table.set_index("period")["survivors"]

    def fit_sbg(self, **kwargs):
        """Shifted-beta-geometric fit of the survivor counts (see ``retention.fit_sbg``)."""
        from ._sbg import fit_sbg

        return fit_sbg(self.survivors.to_numpy(), **kwargs)

    def summary(self) -> Summary:
        head = {
            "customers": self.n,
            "churned": self.n_churned,
            "censored (still customers)": self.n_censored,
            "dropped for missing values": self.n_missing,
            "tenure column": self.settings["tenure"],
            "churn column": f"{self.settings['churn']} (positive = {self.settings['positive']!r})",
        }
        return Summary(
            "Customer life table (Kaplan-Meier)",
            [("Data", head), ("Life table", self.table)],
            self.warnings,
            digits=4,
        )


@records_provenance
def life_table(
    data: pd.DataFrame,
    *,
    tenure: str = "tenure",
    churn: str = "churn",
    positive=None,
    max_period: int | None = None,
    missing: str = "listwise",
) -> LifeTable:
    """Kaplan-Meier survivor counts per period from customer-level churn data.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    tenure : str
        Column of tenure in whole periods (e.g. months), >= 0: until leaving
        for churned customers, so far for the others (right-censored).
    churn : str
        Churn flag column: 0/1, True/False, or any labelled coding with
        ``positive`` naming the level that means "left".
    positive : optional
        The churn level (e.g. ``"Yes"``); needed unless the column is 0/1 or
        boolean.
    max_period : int, optional
        Last period of the table (default: the longest tenure). Late periods
        rest on few customers; cut them before :func:`fit_sbg` if need be.
    missing : {"listwise", "raise"}
        Customers with a missing tenure or flag are dropped and counted
        (default) or raise.

    Returns
    -------
    LifeTable
        ``.survivors`` feeds :func:`servqual.retention.fit_sbg`;
        ``.fit_sbg()`` does it in one step.

    Examples
    --------
    >>> import pandas as pd
    >>> left = ["Yes", "No", "Yes", "Yes", "No", "No"]
    >>> df = pd.DataFrame({"months": [1, 2, 2, 3, 4, 4], "left": left})
    >>> lt = life_table(df, tenure="months", churn="left", positive="Yes")
    >>> lt.table[["period", "at_risk", "churned", "survivors"]].round(3)
       period  at_risk  churned  survivors
    0       0        6        0      6.000
    1       1        6        1      5.000
    2       2        5        1      4.000
    3       3        3        1      2.667
    4       4        2        0      2.667
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    frame, notes, n_missing = _churn_frame(data, tenure, churn, positive, (), missing)
    if max_period is not None:
        check_params({"max_period": max_period}, {"max_period": Interval(1, None, integer=True)})
    t = frame[tenure].to_numpy()
    e = frame[churn].to_numpy()
    if frame.shape[0] < 2:
        raise InsufficientDataError(
            f"only {frame.shape[0]} customer(s) with tenure and churn: at least 2 needed."
        )
    if np.any(t != np.round(t)):
        i = int(np.flatnonzero(t != np.round(t))[0])
        raise OutOfRangeError(
            f"tenure column {tenure!r}: row {as_py(frame.index[i])!r} has tenure {t[i]:g}; "
            "expected whole periods (round or bin tenure first)."
        )
    last = int(t.max()) if max_period is None else int(max_period)
    periods = np.arange(last + 1)
    if e.sum() > 0:
        sf = SurvfuncRight(t, e)
        pos = np.searchsorted(sf.surv_times, periods, side="right") - 1
        surv = np.where(pos >= 0, sf.surv_prob[np.clip(pos, 0, None)], 1.0)
    else:
        surv = np.ones(periods.size)
    at_risk = np.array([(t >= p).sum() for p in periods])
    churned = np.array([((t == p) & (e == 1)).sum() for p in periods])
    censored = np.array([((t == p) & (e == 0)).sum() for p in periods])
    n = frame.shape[0]
    table = pd.DataFrame(
        {
            "period": periods,
            "at_risk": at_risk,
            "churned": churned,
            "censored": censored,
            "survival": surv,
            "survivors": n * surv,
        }
    )
    if churned[0]:
        notes.append(
            f"{int(churned[0])} customer(s) churned at tenure 0: survivors at period 0 are "
            "below the cohort size."
        )
    if e.sum() == 0:
        notes.append(
            f"no customer churned (no {positive!r} in {churn!r}): survival is 1 throughout."
        )
        warn(notes[-1], DegenerateResultWarning)
    return LifeTable(
        table=table,
        n=int(n),
        n_churned=int(e.sum()),
        n_censored=int(n - e.sum()),
        n_missing=n_missing,
        settings={"tenure": tenure, "churn": churn, "positive": positive, "max_period": last},
        warnings=tuple(notes),
    )


@resultclass
class CoxResult(Result):
    """Cox proportional-hazards model of churn.

    ``table`` columns: ``term``, ``coef`` (log hazard ratio), ``se``, ``z``,
    ``p``, ``hazard_ratio``, ``lower`` and ``upper`` (the ``ci`` interval of
    the hazard ratio, ``exp(coef -/+ z se)``).
    """

    table: pd.DataFrame
    n: int
    n_events: int
    n_missing: int
    loglik: float
    loglik_null: float
    settings: dict
    warnings: tuple[str, ...] = ()

    @property
    def hazard_ratios(self) -> pd.Series:
        return self.table.set_index("term")["hazard_ratio"]

    @property
    def lr_test(self) -> tuple[float, int, float]:
        """Likelihood-ratio test of all coefficients: (chi-square, df, p)."""
        chi2 = 2.0 * (self.loglik - self.loglik_null)
        df = self.table.shape[0]
        return float(chi2), int(df), float(stats.chi2.sf(chi2, df))

    def summary(self) -> Summary:
        chi2, df, p = self.lr_test
        head = {
            "customers": self.n,
            "churned": self.n_events,
            "dropped for missing values": self.n_missing,
            "ties": self.settings["ties"],
            "log-likelihood": self.loglik,
            f"LR test (df={df})": f"chi2 = {chi2:.2f}, p = {p:.3g}",
        }
        return Summary(
            "Cox proportional-hazards model of churn",
            [("Model", head), (f"Hazard ratios ({self.settings['ci']:.0%} CI)", self.table)],
            self.warnings,
            digits=4,
        )


@records_provenance
def cox(
    data: pd.DataFrame,
    predictors: Sequence[str],
    *,
    tenure: str = "tenure",
    churn: str = "churn",
    positive=None,
    strata: str | None = None,
    ties: str = "efron",
    ci: float = 0.95,
    missing: str = "listwise",
) -> CoxResult:
    """Cox proportional-hazards model of time to churn on satisfaction and drivers.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    predictors : list of str
        Numeric covariate columns (satisfaction, driver scores, 0/1 dummies).
    tenure, churn, positive
        As in :func:`life_table`; tenure may be fractional here.
    strata : str, optional
        Segment column (e.g. contract type): one baseline hazard per segment,
        shared coefficients (R ``strata()``).
    ties : {"efron", "breslow"}
        Handling of tied churn times (``"efron"`` is R ``coxph``'s default).
    ci : float
        Level of the hazard-ratio intervals.
    missing : {"listwise", "raise"}
        Customers with a missing value in any used column are dropped and
        counted (default), or raise.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> sat = rng.normal(size=400)
    >>> t = rng.exponential(1 / np.exp(-0.5 * sat))
    >>> df = pd.DataFrame({"sat": sat, "tenure": np.minimum(t, 2.0), "churn": (t < 2).astype(int)})
    >>> res = cox(df, ["sat"])
    >>> bool(0.5 < res.hazard_ratios["sat"] < 0.7)
    True
    """
    from statsmodels.duration.hazard_regression import PHReg

    if isinstance(predictors, str) or not isinstance(predictors, Sequence) or not predictors:
        raise ParameterError(
            f"predictors={predictors!r} is invalid: expected a non-empty list of column names."
        )
    predictors = list(predictors)
    for role, col in (("tenure", tenure), ("churn", churn), ("strata", strata)):
        if col is not None and col in predictors:
            raise ParameterError(f"{role} column {col!r} is also listed among the predictors.")
    if strata is not None and not isinstance(strata, str):
        raise ParameterError(f"strata={strata!r} is invalid: expected one column name.")
    if strata is not None:
        check_columns(data, [strata], what="strata column")
    check_params({"ties": ties}, {"ties": Options(("efron", "breslow"))})
    ci = check_ci(ci)
    frame, notes, n_missing = _churn_frame(data, tenure, churn, positive, predictors, missing)
    groups = None
    if strata is not None:
        seg = data.loc[frame.index, strata]
        if seg.isna().any():
            raise MissingValuesError(
                f"strata column {strata!r} has {int(seg.isna().sum())} missing value(s) among "
                "the customers used; give them a segment or drop them."
            )
        groups = pd.factorize(seg, sort=True)[0]
    n_events = int(frame[churn].sum())
    if frame.shape[0] < len(predictors) + 3:
        raise InsufficientDataError(
            f"only {frame.shape[0]} customer(s) with complete {tenure!r}, {churn!r} and "
            f"predictors: a Cox model of {len(predictors)} predictor(s) needs at least "
            f"{len(predictors) + 3} rows."
        )
    if n_events < len(predictors) + 1:
        raise InsufficientDataError(
            f"only {n_events} churn event(s) in {churn!r}: a Cox model of {len(predictors)} "
            f"predictor(s) needs at least {len(predictors) + 1}."
        )
    x = frame[predictors]
    sd = x.std().to_numpy()
    if np.any(~(sd > 0)):
        col = predictors[int(np.flatnonzero(~(sd > 0))[0])]
        raise InsufficientDataError(
            f"predictor column {col!r} is constant: it has no effect to fit."
        )
    model = PHReg(
        frame[tenure].to_numpy(),
        x.to_numpy(),
        status=frame[churn].to_numpy(),
        ties=ties,
        strata=groups,
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = model.fit()
            beta = np.asarray(res.params, dtype=float)
            se = np.asarray(res.bse, dtype=float)
    except np.linalg.LinAlgError:
        raise InsufficientDataError(
            f"the Cox model of {churn!r} on {predictors} cannot be estimated: its information "
            f"matrix is singular (e.g. every churn happens at the same {tenure!r}, so the "
            "risk sets carry no information)."
        ) from None
    problems = [str(w.message) for w in caught if "converge" in str(w.message).lower()]
    if problems or not np.all(np.isfinite(se)) or np.any(np.abs(beta) > 20):
        notes.append(
            "Cox model did not converge cleanly (a predictor may separate churners from the "
            "rest); hazard ratios are unreliable."
        )
        warn(notes[-1], ConvergenceWarning)
    z = stats.norm.ppf(0.5 + ci / 2)
    with np.errstate(over="ignore"):  # a diverged fit (warned above): no ratio, not inf
        hr, lo, hi = (np.exp(v) for v in (beta, beta - z * se, beta + z * se))
    table = pd.DataFrame(
        {
            "term": predictors,
            "coef": beta,
            "se": se,
            "z": beta / se,
            "p": 2 * stats.norm.sf(np.abs(beta / se)),
            "hazard_ratio": np.where(np.isfinite(hr), hr, np.nan),
            "lower": np.where(np.isfinite(lo), lo, np.nan),
            "upper": np.where(np.isfinite(hi), hi, np.nan),
        }
    )
    null = float(model.loglike(np.zeros(len(predictors))))
    return CoxResult(
        table=table,
        n=int(frame.shape[0]),
        n_events=n_events,
        n_missing=n_missing,
        loglik=float(res.llf),
        loglik_null=null,
        settings={
            "tenure": tenure,
            "churn": churn,
            "positive": positive,
            "predictors": tuple(predictors),
            "strata": strata,
            "ties": ties,
            "ci": ci,
        },
        warnings=tuple(notes),
    )
