"""Regression driver models: OLS with HC3 errors, ordinal logit, binary logit.

All three wrap statsmodels and return a frozen :class:`RegressionResult` with
a tidy coefficient table.  The ordinal logit is fitted with BFGS (or Newton),
never statsmodels' Nelder–Mead default, which stops far from the maximum on
models with ten predictors; convergence is checked (optimizer flag and score
norm) and any failure is flagged on the result and warned.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from .._checks import Interval, Options, as_py, check_data, check_params
from .._outcome import binary_outcome
from .._result import Result, records_provenance, resultclass
from .._summary import Summary
from .._warn import warn
from ..errors import ConvergenceWarning, DataError, OutOfRangeError
from ..weighting import weighted_cov
from ._data import check_pd, prepare, prepare_weighted

__all__ = ["RegressionResult", "ols", "ordinal_logit", "logistic"]

_GRAD_TOL = 1e-4  # max |score| per observation-scaled parameter for "converged"


@resultclass
class RegressionResult(Result):
    """A fitted driver regression.

    Attributes
    ----------
    model : {"ols", "ordinal_logit", "logistic"}
    coefficients : DataFrame
        One row per predictor (``term``): ``estimate``, ``se``, ``statistic``,
        ``p_value``, ``ci_lower``, ``ci_upper``, ``std_estimate`` (OLS: the
        standardized beta; logit models: the coefficient per SD of the
        predictor) and, for logit models, ``odds_ratio``.
    thresholds : DataFrame
        Ordinal logit cut-points (``threshold``, ``estimate``); empty otherwise.
    fit : dict
        Fit statistics (R², log-likelihood, AIC, ...).
    converged : bool
    warnings : tuple of str
    raw : object
        The underlying statsmodels results object (for further diagnostics).
    """

    model: str
    target: str
    n: int
    coefficients: pd.DataFrame
    thresholds: pd.DataFrame
    fit: Mapping[str, float]
    converged: bool
    warnings: tuple[str, ...] = ()
    raw: object = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table (tidy: one row per term)."""
        return self.coefficients

    def summary(self) -> Summary:
        title = {
            "ols": "OLS regression (HC3 standard errors)",
            "ordinal_logit": "Ordinal logit (proportional odds)",
            "logistic": "Logistic regression",
        }[self.model]
        sections = [
            (
                "Model",
                {"target": self.target, "n": self.n, "converged": self.converged, **self.fit},
            ),
            ("Coefficients", self.coefficients.set_index("term")),
        ]
        if len(self.thresholds):
            sections.append(("Thresholds", self.thresholds.set_index("threshold")))
        return Summary(f"{title} of {self.target!r}", sections, self.warnings)


def _coef_table(res, predictors, sd_x, sd_y, ci, odds, offset=1) -> pd.DataFrame:
    """Tidy coefficients; ``offset`` skips the intercept (0 for the ordinal model)."""
    params = np.asarray(res.params)
    bse = np.asarray(res.bse)
    k = len(predictors)
    est = params[offset : offset + k]
    se = bse[offset : offset + k]
    stat = est / se
    zcrit = stats.norm.ppf(0.5 + ci / 2)
    tab = pd.DataFrame(
        {
            "term": list(predictors),
            "estimate": est,
            "se": se,
            "statistic": stat,
            "p_value": np.asarray(res.pvalues)[offset : offset + k],
        }
    )
    if odds is None:
        lo_hi = np.asarray(res.conf_int(alpha=1 - ci))[offset : offset + k]
        tab["ci_lower"], tab["ci_upper"] = lo_hi[:, 0], lo_hi[:, 1]
        tab["std_estimate"] = est * sd_x / sd_y
    else:
        tab["ci_lower"], tab["ci_upper"] = est - zcrit * se, est + zcrit * se
        tab["std_estimate"] = est * sd_x
        with np.errstate(over="ignore"):
            tab["odds_ratio"] = np.exp(est)
    return tab


def _check_ci(ci):
    check_params({"ci": ci}, {"ci": Interval(0, 1, closed="neither")})


@records_provenance
def ols(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    *,
    ci: float = 0.95,
    missing: str = "listwise",
    weights=None,
) -> RegressionResult:
    """OLS driver regression with HC3 robust standard errors and standardized betas.

    With respondent ``weights`` (column name or array) the fit is weighted
    least squares (statsmodels ``WLS``, HC3 on the weighted residuals) and the
    standardized betas use weighted standard deviations.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    >>> df["y"] = 2 * df.a + rng.normal(size=100)
    >>> res = ols(df, "y", ["a", "b"])
    >>> res.coefficients.set_index("term").loc["a", "estimate"].round(1)
    np.float64(1.9)
    """
    _check_ci(ci)
    frame, notes, w = prepare_weighted(data, target, predictors, weights=weights, missing=missing)
    x = frame[list(predictors)]
    check_pd(np.atleast_2d(np.corrcoef(x.to_numpy(), rowvar=False)), list(predictors))
    y = frame[target]
    if w is None:
        res = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit(cov_type="HC3")
        sd_x, sd_y = x.std().to_numpy(), y.std()
    else:
        res = sm.WLS(y, sm.add_constant(x, has_constant="add"), weights=w).fit(cov_type="HC3")
        sd = np.sqrt(np.diag(weighted_cov(frame[[*predictors, target]].to_numpy(), w, ddof=1)))
        sd_x, sd_y = sd[:-1], sd[-1]
    tab = _coef_table(res, predictors, sd_x, sd_y, ci, None)
    fit = {
        "R²": float(res.rsquared),
        "adj. R²": float(res.rsquared_adj),
        "intercept": float(res.params.iloc[0]),
    }
    return RegressionResult(
        "ols", target, len(frame), tab, _no_thresholds(), fit, True, tuple(notes), res
    )


def _no_thresholds() -> pd.DataFrame:
    return pd.DataFrame({"threshold": pd.Series(dtype=str), "estimate": pd.Series(dtype=float)})


def _converged(res, n: int) -> tuple[bool, str | None]:
    flag = bool(res.mle_retvals.get("converged", False))
    grad = np.abs(np.asarray(res.model.score(res.params))).max() / n
    if not flag:
        return False, "the optimizer reported no convergence"
    if not np.isfinite(grad) or grad > _GRAD_TOL:
        return False, f"the score is not zero at the solution (max |score|/n = {grad:.2e})"
    if not np.all(np.isfinite(np.asarray(res.bse))):
        return False, "the information matrix is singular (standard errors not finite)"
    return True, None


@records_provenance
def ordinal_logit(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    *,
    method: str = "bfgs",
    maxiter: int = 2000,
    ci: float = 0.95,
    missing: str = "listwise",
) -> RegressionResult:
    """Proportional-odds (ordinal) logit for a Likert outcome (statsmodels ``OrderedModel``).

    Fitted with BFGS (default) or Newton; statsmodels' default Nelder–Mead is
    not offered because it stops early on models with many predictors.
    Non-convergence is flagged on the result (``converged=False``) and warned.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
    >>> df["y"] = np.digitize(df.a + rng.logistic(size=300), [-1, 0, 1]) + 1
    >>> res = ordinal_logit(df, "y", ["a", "b"])
    >>> res.converged, len(res.thresholds)
    (True, 3)
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    _check_ci(ci)
    check_params(
        {"method": method, "maxiter": maxiter},
        {"method": Options(("bfgs", "newton")), "maxiter": Interval(1, None, integer=True)},
    )
    frame, notes = prepare(data, target, predictors, missing=missing)
    y = frame[target]
    if np.any(y != np.round(y)):
        bad = y.index[(y != np.round(y)).to_numpy()][0]
        raise OutOfRangeError(
            f"column {target!r} must hold ordered integer categories: row {as_py(bad)!r} has "
            f"value {y[bad]!r}."
        )
    levels = np.sort(y.unique())
    if levels.size < 3:
        raise DataError(
            f"column {target!r} has {levels.size} categories; an ordinal logit needs at "
            "least 3 (use `logistic` for a binary outcome)."
        )
    x = frame[list(predictors)]
    check_pd(np.atleast_2d(np.corrcoef(x.to_numpy(), rowvar=False)), list(predictors))
    yc = pd.Series(pd.Categorical(y, categories=levels, ordered=True), index=y.index)
    model = OrderedModel(yc, x, distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is checked below, not left to warnings
        res = model.fit(method=method, maxiter=maxiter, disp=False)
    ok, why = _converged(res, len(frame))
    if not ok:
        msg = f"ordinal logit ({method}) did not converge: {why}; estimates are unreliable."
        warn(msg, ConvergenceWarning)
        notes.append(msg)
    tab = _coef_table(res, predictors, x.std().to_numpy(), 1.0, ci, "ordinal", offset=0)
    cuts = model.transform_threshold_params(np.asarray(res.params))[1:-1]
    labels = [f"{_fmt(a)}|{_fmt(b)}" for a, b in zip(levels[:-1], levels[1:])]
    thr = pd.DataFrame({"threshold": labels, "estimate": cuts})
    fit = {
        "log-likelihood": float(res.llf),
        "AIC": float(res.aic),
        "pseudo R² (McFadden)": float(res.prsquared),
    }
    return RegressionResult(
        "ordinal_logit", target, len(frame), tab, thr, fit, ok, tuple(notes), res
    )


def _fmt(v) -> str:
    return f"{v:g}"


@records_provenance
def logistic(
    data: pd.DataFrame,
    target: str,
    predictors: Sequence[str],
    *,
    positive=None,
    ci: float = 0.95,
    maxiter: int = 200,
    missing: str = "listwise",
) -> RegressionResult:
    """Logistic regression for a binary outcome, e.g. churned or would recommend.

    The outcome may be 0/1, True/False, or any labelled coding (``"Yes"``/
    ``"No"``, codes 1/2, several categories) with ``positive`` naming the level
    modelled as 1 (every other level is 0); an ambiguous coding without
    ``positive`` raises naming the column and its levels. Complete or
    quasi-complete separation and non-convergence are flagged. Default
    ``missing="listwise"``: rows incomplete on the model's variables are
    dropped and counted on the result.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(400, 2)), columns=["a", "b"])
    >>> df["churn"] = (df.a + rng.logistic(size=400) > 0).astype(int)
    >>> res = logistic(df, "churn", ["a", "b"])
    >>> res.converged
    True
    >>> df["churned"] = df["churn"].map({1: "Yes", 0: "No"})
    >>> yes = logistic(df, "churned", ["a", "b"], positive="Yes")
    >>> bool(yes.coefficients.equals(res.coefficients))
    True
    """
    _check_ci(ci)
    check_params({"maxiter": maxiter}, {"maxiter": Interval(1, None, integer=True)})
    check_data(data)
    if isinstance(target, str) and target in data.columns:
        data = data.assign(**{target: binary_outcome(data, target, positive, role="target")})
    frame, notes = prepare(data, target, predictors, missing=missing)
    y = frame[target]
    bad = ~y.isin([0.0, 1.0]).to_numpy()
    if bad.any():
        row = y.index[bad][0]
        raise OutOfRangeError(
            f"column {target!r} must be binary (0/1): row {as_py(row)!r} has value "
            f"{as_py(y[row])!r}."
        )
    x = frame[list(predictors)]
    check_pd(np.atleast_2d(np.corrcoef(x.to_numpy(), rowvar=False)), list(predictors))
    model = sm.Logit(y, sm.add_constant(x, has_constant="add"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(method="newton", maxiter=maxiter, disp=False)
            ok, why = _converged(res, len(frame))
        except np.linalg.LinAlgError as exc:  # older statsmodels: singular Hessian
            res = model.fit(method="bfgs", maxiter=maxiter, disp=False)
            ok, why = False, f"the Hessian is singular ({exc}); the outcome is probably separated"
    sep = [w for w in caught if "separation" in str(w.message).lower()]
    if sep:
        ok = False
        why = "the outcome is (quasi-)perfectly separated by the predictors"
    if not ok:
        msg = f"logistic regression did not converge: {why}; estimates are unreliable."
        warn(msg, ConvergenceWarning)
        notes.append(msg)
    with np.errstate(over="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        tab = _coef_table(res, predictors, x.std().to_numpy(), 1.0, ci, "logit")
    fit = {
        "log-likelihood": float(res.llf),
        "AIC": float(res.aic),
        "pseudo R² (McFadden)": float(res.prsquared),
        "intercept": float(res.params.iloc[0]),
    }
    return RegressionResult(
        "logistic", target, len(frame), tab, _no_thresholds(), fit, ok, tuple(notes), res
    )
