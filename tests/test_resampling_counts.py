"""Batched statistics of count-weighted moments take the resamples' row counts
(``run_bootstrap(..., counts=dtype)``): the same resamples as the row indices,
counted as they are drawn."""

import numpy as np
import pytest

from servqual import sem
from servqual._resampling import (
    replicate_seeds,
    resample_counts,
    resample_indices,
    run_bootstrap,
)
from servqual.datasets import load_dataset
from servqual.errors import ParameterError
from servqual.sem import bootstrap as sb


@pytest.mark.parametrize("stratified", [False, True])
def test_counts_are_the_bincounts_of_the_indices(stratified):
    n = 37
    strata = np.repeat([0, 1, 2], [10, 20, 7]) if stratified else None
    ch = replicate_seeds(5, 12)
    W = resample_counts(ch, n, strata, np.float32)
    assert W.dtype == np.float32 and W.shape == (12, n)
    for j, c in enumerate(ch):
        np.testing.assert_array_equal(
            W[j], np.bincount(resample_indices(c, n, strata), minlength=n)
        )
    if stratified:  # each stratum keeps its size
        for s, size in enumerate([10, 20, 7]):
            assert np.all(W[:, strata == s].sum(axis=1) == size)


def test_a_counts_statistic_gives_the_draws_of_the_index_statistic():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)

    def by_index(idx):  # (K, n) row indices
        return x[idx].mean(axis=1, keepdims=True)

    def by_counts(W):  # (K, n) row counts
        return (W @ x / 50.0)[:, None]

    kw = dict(k=1, seed=4, progress=False, batched=True, batch_size=7)
    a = run_bootstrap(by_index, 50, 30, **kw).estimates
    b = run_bootstrap(by_counts, 50, 30, counts=np.float64, **kw).estimates
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    c = run_bootstrap(by_counts, 50, 30, counts=np.float64, n_jobs=2, **kw).estimates
    np.testing.assert_array_equal(b, c)


def test_counts_need_a_batched_statistic():
    with pytest.raises(ParameterError, match="counts= needs batched=True"):
        run_bootstrap(lambda i: [0.0], 5, 3, k=1, seed=1, progress=False, counts=np.float64)


@pytest.mark.parametrize("group", [None, "school"])
def test_sem_bootstrap_from_counts_equals_the_index_path(group):
    # sem.fit's bootstrap passes counts; the same refits from the row indices
    # (one bincount per resample afterwards) give the same bits
    hs = load_dataset("holzinger_swineford")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    kw = {} if group is None else {"group": group}
    res = sem.fit(model, hs, se="bootstrap", n_boot=40, seed=3, progress=False, **kw)
    refit = sb.make_refit(res._prep, res._theta, res._problem)
    strata = refit.codes if refit.n_groups > 1 else None
    by_index = run_bootstrap(
        refit._batch, refit.X.shape[0], 40, k=res._prep.model.q, seed=3, progress=False,
        batched=True, batch_size=10, strata=strata,
    )  # fmt: skip
    np.testing.assert_array_equal(res.bootstrap_draws.estimates, by_index.estimates)
    assert np.isfinite(by_index.estimates).all()
