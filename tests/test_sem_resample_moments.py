"""Resample moments of the SEM bootstrap from replicate counts (one product).

Integer-coded answers are multiplied in single precision, where every product
and partial sum is an integer held exactly; other data in double precision.
Both are checked against the moments of the explicitly resampled rows.
"""

import numpy as np
import pandas as pd
import pytest

import servqual
from servqual import sem
from servqual._resampling import replicate_seeds, resample_indices
from servqual.sem.bootstrap import make_refit, resample_products


def _brute(X, idx2):
    """Means and ML (divide-by-n) covariances of each resample, row by row."""
    means = np.stack([X[ix].mean(axis=0) for ix in idx2])
    covs = np.stack([np.cov(X[ix], rowvar=False, ddof=0) for ix in idx2])
    return means, covs


def _refit_for(data: pd.DataFrame):
    model = "f =~ " + " + ".join(data.columns[:3]) + "\ng =~ " + " + ".join(data.columns[3:])
    res = sem.fit(model, data)
    return make_refit(res._prep, res._theta, res._problem)


@pytest.fixture(scope="module")
def likert():
    df, _ = servqual.simulate_survey(800, seed=4)
    return df[["P1", "P2", "P3", "P5", "P6", "P7"]].astype(float)


def test_integer_answers_use_exact_single_precision(likert):
    X = likert.to_numpy()
    shift, sym, Z = resample_products(X, X.shape[0])
    assert Z.dtype == np.float32
    assert np.array_equal(shift, np.round(X.mean(axis=0)))
    # exact: the float32 product of counts and Z equals the integer product
    idx2 = np.stack([resample_indices(c, X.shape[0]) for c in replicate_seeds(1, 20)])
    W = np.stack([np.bincount(ix, minlength=X.shape[0]) for ix in idx2])
    exact = W @ Z.astype(np.int64)  # int64 arithmetic: no rounding anywhere
    assert np.array_equal((W.astype(np.float32) @ Z).astype(np.int64), exact)
    assert np.abs(exact).max() > 2**10  # sums well beyond a few ulps' worth


def test_batch_moments_equal_brute_force_moments(likert):
    refit = _refit_for(likert)
    X = refit.X
    idx2 = np.stack([resample_indices(c, X.shape[0]) for c in replicate_seeds(2, 15)])
    means, covs = refit._batch_moments(idx2)
    bm, bc = _brute(X, idx2)
    np.testing.assert_allclose(means, bm, rtol=0, atol=1e-13)
    np.testing.assert_allclose(covs, bc, rtol=0, atol=1e-13)
    assert refit._cross[2].dtype == np.float32


def test_non_integer_data_use_double_precision(likert):
    rng = np.random.default_rng(3)
    data = likert + rng.normal(0, 0.3, likert.shape)  # continuous scores
    refit = _refit_for(data)
    X = refit.X
    idx2 = np.stack([resample_indices(c, X.shape[0]) for c in replicate_seeds(2, 10)])
    means, covs = refit._batch_moments(idx2)
    assert refit._cross[2].dtype == np.float64
    bm, bc = _brute(X, idx2)
    np.testing.assert_allclose(means, bm, rtol=0, atol=1e-12)
    np.testing.assert_allclose(covs, bc, rtol=0, atol=1e-12)


def test_large_integer_codes_fall_back_to_double_precision():
    # incomes in dollars: integers, but size * max|code - shift|^2 >= 2^24
    rng = np.random.default_rng(5)
    X = rng.integers(20_000, 90_000, size=(300, 4)).astype(float)
    shift, _, Z = resample_products(X, 300)
    assert Z.dtype == np.float64
    assert np.allclose(shift, X.mean(axis=0))
    # small codes with a large resample size cross the bound too
    Y = rng.integers(1, 8, size=(300, 4)).astype(float)
    assert resample_products(Y, 300)[2].dtype == np.float32
    assert resample_products(Y, 2**24 // 9 + 1)[2].dtype == np.float64


def test_bootstrap_estimates_agree_between_precisions(likert):
    # the same bootstrap on the integer codes and on the codes shifted by 0.5
    # (not integers: double precision) gives the same estimates (no mean structure)
    model = "f =~ P1 + P2 + P3\ng =~ P5 + P6 + P7"
    a = sem.fit(model, likert, se="bootstrap", n_boot=40, seed=9, progress=False)
    b = sem.fit(model, likert + 0.5, se="bootstrap", n_boot=40, seed=9, progress=False)
    da, db = a.bootstrap_draws.estimates, b.bootstrap_draws.estimates
    np.testing.assert_allclose(da, db, rtol=0, atol=1e-9)
    assert np.ptp(da, axis=0).min() > 1e-3  # every estimate varies across replicates
