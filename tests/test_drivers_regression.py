"""Driver regressions: OLS/HC3, ordinal logit, logistic."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.miscmodels.ordinal_model import OrderedModel

from servqual.drivers import logistic, ols, ordinal_logit
from servqual.errors import (
    ConvergenceWarning,
    DataError,
    MissingColumnError,
    MissingValuesError,
    OutOfRangeError,
    ParameterError,
)


def _frame(n, p, seed, kind="ols"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) * np.linspace(1, 2, p)
    b = np.linspace(0.2, 1.0, p)
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(p)])
    if kind == "ols":
        df["y"] = 1 + x @ b + rng.normal(size=n) * (1 + np.abs(x[:, 0]))
    elif kind == "ordinal":
        df["y"] = (
            np.digitize(x / np.linspace(1, 2, p) @ b + rng.logistic(size=n), [-2, -0.7, 0.7, 2]) + 1
        )
    else:
        df["y"] = (0.3 + x / np.linspace(1, 2, p) @ b + rng.logistic(size=n) > 0).astype(int)
    return df, b


def test_ols_hc3_and_standardized_betas_by_hand():
    df, _ = _frame(200, 3, 0)
    names = ["x0", "x1", "x2"]
    res = ols(df, "y", names)
    x = np.column_stack([np.ones(len(df)), df[names].to_numpy()])
    y = df["y"].to_numpy()
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    e = y - x @ beta
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    meat = x.T @ (x * (e**2 / (1 - h) ** 2)[:, None])
    se = np.sqrt(np.diag(xtx_inv @ meat @ xtx_inv))  # MacKinnon & White (1985) HC3
    tab = res.coefficients.set_index("term")
    np.testing.assert_allclose(tab["estimate"], beta[1:], rtol=1e-10)
    np.testing.assert_allclose(tab["se"], se[1:], rtol=1e-10)
    z = (df - df.mean()) / df.std()
    zb = np.linalg.lstsq(z[names].to_numpy(), z["y"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(tab["std_estimate"], zb, rtol=1e-10)
    assert res.fit["R²"] == pytest.approx(1 - e @ e / ((y - y.mean()) @ (y - y.mean())))
    assert "HC3" in str(res.summary())
    with pytest.raises(AttributeError):
        res.n = 3


def test_ordinal_logit_bfgs_beats_nelder_mead_default():
    """The issue's measurement: OrderedModel.fit() defaults (Nelder–Mead) stop far
    from the maximum on a 10-predictor model at n = 500; BFGS reaches it."""
    df, b = _frame(500, 10, 1, "ordinal")
    names = [f"x{i}" for i in range(10)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nm = OrderedModel(df["y"], df[names], distr="logit").fit(disp=False)
    res = ordinal_logit(df, "y", names)
    newton = ordinal_logit(df, "y", names, method="newton")
    assert res.converged and newton.converged
    assert not nm.mle_retvals["converged"]
    assert res.fit["log-likelihood"] > nm.llf + 10  # NM is tens of log-lik units short
    # the maximum is unique: BFGS and Newton agree
    assert res.fit["log-likelihood"] == pytest.approx(newton.fit["log-likelihood"], abs=1e-6)
    np.testing.assert_allclose(
        res.coefficients["estimate"], newton.coefficients["estimate"], atol=1e-4
    )
    assert len(res.thresholds) == 4


def test_ordinal_logit_recovers_coefficients():
    """n = 4,000: SE of each slope is ~0.04; 4 SE tolerance."""
    df, b = _frame(4000, 4, 2, "ordinal")
    res = ordinal_logit(df, "y", ["x0", "x1", "x2", "x3"])
    # predictors were scaled by linspace(1, 2, 4), so the slopes are b / scale
    truth = b / np.linspace(1, 2, 4)
    est = res.coefficients["estimate"].to_numpy()
    assert np.all(np.abs(est - truth) < 4 * res.coefficients["se"].to_numpy())
    np.testing.assert_allclose(res.thresholds["estimate"], [-2, -0.7, 0.7, 2], atol=0.2)


def test_ordinal_nonconvergence_is_flagged():
    df, _ = _frame(300, 4, 3, "ordinal")
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        res = ordinal_logit(df, "y", ["x0", "x1", "x2", "x3"], maxiter=2)
    assert not res.converged and "did not converge" in res.warnings[0]
    assert "did not converge" in str(res.summary())


def test_logistic_recovers_and_flags_separation():
    df, b = _frame(5000, 3, 4, "logit")
    res = logistic(df, "y", ["x0", "x1", "x2"])
    truth = b / np.linspace(1, 2, 3)
    tab = res.coefficients
    assert res.converged
    assert np.all(np.abs(tab["estimate"].to_numpy() - truth) < 4 * tab["se"].to_numpy())
    np.testing.assert_allclose(tab["odds_ratio"], np.exp(tab["estimate"]))
    sep = df.copy()
    sep["y"] = (sep["x0"] > 0).astype(int)
    with pytest.warns(ConvergenceWarning, match="separated|converge"):
        bad = logistic(sep, "y", ["x0", "x1"])
    assert not bad.converged


def test_bad_input():
    df, _ = _frame(100, 3, 5, "ordinal")
    names = ["x0", "x1", "x2"]
    with pytest.raises(OutOfRangeError, match="binary.*value 4.0|binary"):
        logistic(df, "y", names)
    with pytest.raises(MissingColumnError, match="zz"):
        ols(df, "y", ["zz"])
    with pytest.raises(ParameterError, match="method='nm'"):
        ordinal_logit(df, "y", names, method="nm")
    with pytest.raises(ParameterError, match="ci=1.5"):
        ols(df, "y", names, ci=1.5)
    frac = df.assign(y=df["y"] + 0.5)
    with pytest.raises(OutOfRangeError, match="ordered integer"):
        ordinal_logit(frac, "y", names)
    two = df.assign(y=(df["y"] > 2).astype(int))
    with pytest.raises(DataError, match="at least 3"):
        ordinal_logit(two, "y", names)
    nan = df.copy()
    nan.loc[7, "x1"] = np.nan
    with pytest.raises(MissingValuesError, match="x1"):
        ols(nan, "y", names, missing="raise")
    with pytest.raises(DataError, match="collinear"):
        ols(df.assign(x2=df.x0 - df.x1), "y", names)
