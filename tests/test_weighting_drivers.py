"""Respondent weights in the driver models: WLS, weighted Shapley/relative weights, bootstrap."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual import drivers
from servqual.errors import OutOfRangeError, ParameterError


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(11)
    n = 150
    x = rng.normal(size=(n, 4)) @ np.array(
        [[1, 0.4, 0.2, 0], [0, 1, 0.3, 0.1], [0, 0, 1, 0.5], [0, 0, 0, 1]]
    )
    df = pd.DataFrame(x, columns=list("abcd"))
    df["y"] = x @ [0.6, 0.3, 0.0, 0.2] + rng.normal(size=n)
    df["w"] = rng.gamma(2.0, 1.0, n)
    return df


def _wls_r2(X, y, w):
    """R² of a weighted least-squares fit, by brute force (weighted normal equations)."""
    A = np.column_stack([np.ones(len(y)), X])
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)[0]
    ybar = w @ y / w.sum()
    return 1 - w @ (y - A @ beta) ** 2 / (w @ (y - ybar) ** 2)


def test_weighted_shapley_equals_brute_force_wls(sample):
    preds = list("abcd")
    res = drivers.shapley(sample, "y", preds, weights="w")
    X, y, w = sample[preds].to_numpy(), sample["y"].to_numpy(), sample["w"].to_numpy()
    p = len(preds)
    r2 = {(): 0.0}
    for k in range(1, p + 1):
        for s in combinations(range(p), k):
            r2[s] = _wls_r2(X[:, s], y, w)
    for j, name in enumerate(preds):
        others = [i for i in range(p) if i != j]
        val = 0.0
        for k in range(p):
            for s in combinations(others, k):
                with_j = tuple(sorted((*s, j)))
                val += factorial(k) * factorial(p - k - 1) / factorial(p) * (r2[with_j] - r2[s])
        assert res.table.loc[name, "importance"] == pytest.approx(val, abs=1e-10)
    assert res.r2 == pytest.approx(r2[(0, 1, 2, 3)], abs=1e-10)
    assert res.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert "effective n" in str(res.summary())


def test_integer_weights_equal_replicated_rows(sample):
    preds = list("abcd")
    k = np.random.default_rng(2).integers(1, 4, len(sample))
    rep = sample.loc[sample.index.repeat(k)].reset_index(drop=True)
    for fn in (drivers.shapley, drivers.relative_weights):
        a = fn(sample, "y", preds, weights=k)["importance"].to_numpy()
        b = fn(rep, "y", preds)["importance"].to_numpy()
        assert np.allclose(a, b, atol=1e-12), fn.__name__
    kd = drivers.key_drivers(sample, "y", preds, n_boot=0, weights=k, progress=False)
    kr = drivers.key_drivers(rep, "y", preds, n_boot=0, progress=False)
    assert np.allclose(kd.table["importance"], kr.table["importance"], atol=1e-12)


def test_wls_coefficients_brute_force(sample):
    preds = list("abcd")
    res = drivers.ols(sample, "y", preds, weights="w")
    X, y, w = sample[preds].to_numpy(), sample["y"].to_numpy(), sample["w"].to_numpy()
    A = np.column_stack([np.ones(len(y)), X])
    beta = np.linalg.solve(A.T @ (A * w[:, None]), A.T @ (w * y))
    assert np.allclose(res.coefficients["estimate"], beta[1:], atol=1e-10)

    # standardized beta with weighted SDs
    def wsd(v):
        return np.sqrt(w @ (v - w @ v / w.sum()) ** 2 / w.sum())

    std = beta[1] * wsd(X[:, 0]) / wsd(y)
    assert res.coefficients["std_estimate"].iloc[0] == pytest.approx(std, abs=1e-10)


def test_bootstrap_resamples_carry_the_weights(sample):
    preds = list("abcd")
    w = sample["w"].to_numpy().copy()
    w[0] = 0.0  # a respondent with weight 0 must not move any replicate
    moved = sample.copy()
    moved.loc[0, preds] = 50.0
    a = drivers.key_drivers(sample, "y", preds, n_boot=60, seed=4, weights=w, progress=False)
    b = drivers.key_drivers(moved, "y", preds, n_boot=60, seed=4, weights=w, progress=False)
    assert np.allclose(a.draws["shapley"], b.draws["shapley"], atol=1e-10)
    # and a replicate equals the weighted Shapley of the drawn rows with their weights
    unweighted = drivers.key_drivers(sample, "y", preds, n_boot=60, seed=4, progress=False)
    assert not np.allclose(a.draws["shapley"], unweighted.draws["shapley"])
    # same seed, n_jobs=2: bit-identical
    c = drivers.key_drivers(
        sample, "y", preds, n_boot=60, seed=4, weights=w, progress=False, n_jobs=2
    )
    assert np.array_equal(a.draws["shapley"], c.draws["shapley"])


def test_weighted_drivers_on_real_data_mobi():
    mobi = sq.load_dataset("mobi")
    w = 1 + ((37 * np.arange(1, len(mobi) + 1)) % 11) / 5
    preds = ["PERQ1", "PERV1", "IMAG1", "CUEX1"]
    res = drivers.shapley(mobi, "CUSA1", preds, weights=w)
    assert res["importance"].sum() == pytest.approx(res.r2, abs=1e-12)
    ols = drivers.ols(mobi, "CUSA1", preds, weights=w)
    assert ols.fit["R²"] == pytest.approx(res.r2, abs=1e-10)  # WLS R² = weighted Shapley total


def test_weighted_drivers_bad_inputs(sample):
    with pytest.raises(OutOfRangeError, match="negative weight at row 3"):
        drivers.shapley(sample, "y", ["a", "b"], weights=np.where(sample.index == 3, -1, 1))
    with pytest.raises(ParameterError, match="random_forest"):
        drivers.key_drivers(sample, "y", ["a", "b"], ["random_forest"], weights="w")
    with pytest.raises(ParameterError, match="149 value"):
        drivers.relative_weights(sample, "y", ["a", "b"], weights=np.ones(149))
