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


# --- the PLS, MGA, key-driver and driver-share bootstraps take counts too --------------
# Each test feeds the module's batched statistic the counts its code built before
# (commit boot-speed) from the (K, n) index stack, the conversion copied here, and
# asserts the public call's draws are the same bits.  The conversion is exact
# (integer counts in float32/float64), so nothing may differ.  The recorded sums were
# printed by the boot-speed code on the same seeds (x86-64, OpenBLAS, one BLAS
# thread); another BLAS may sum in another order, hence rtol=1e-12 on those only.


def _offset_bincount(idx, n):  # the old PLS / MGA conversion: one bincount over K*n bins
    b = idx.shape[0]
    flat = (idx + (np.arange(b) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n)


def _row_bincount(idx, n):  # the old key-driver conversion: float64, row by row
    w = np.empty((idx.shape[0], n))
    for j, r in enumerate(idx):
        w[j] = np.bincount(r, minlength=n)
    return w


def _via_indices(monkeypatch, module, old_counts):
    """Run ``module``'s bootstraps on the index stack, converted by ``old_counts``;
    returns the dtypes the module asked for and the draws run."""
    real = module.run_bootstrap
    seen = []

    def run(statistic, n, *args, counts=None, **kw):
        seen.append(counts)
        return real(lambda idx: statistic(old_counts(idx, n)), n, *args, **kw)

    monkeypatch.setattr(module, "run_bootstrap", run)
    return seen


@pytest.fixture(scope="module")
def mobi():
    return load_dataset("mobi")


PLS_SUMS = {  # column sums of the first 4 path draws, pls.fit(ecsi_model(), ..., n_boot=40, seed=5)
    "integer": [20.20407158654769, 22.13967952361134, 2.7226140280839233, 22.131889460545956],
    "shifted": [20.204071586547684, 22.139679523611335, 2.7226140280839197, 22.13188946054597],
    "weights": [20.7741164709618, 23.22811304877611, 1.8580112583845485, 22.98307548654728],
}


@pytest.mark.parametrize(
    "case, dtype", [("integer", np.float32), ("shifted", np.float64), ("weights", np.float64)]
)
def test_pls_bootstrap_from_counts_equals_the_index_path(mobi, monkeypatch, case, dtype):
    # integer answers: exact single-precision products (float32 counts); answers
    # shifted by 0.5 and weighted rows: double precision (float64 counts)
    from servqual import pls
    from servqual.pls import bootstrap as pb

    data, kw = mobi, {}
    if case == "shifted":
        data = mobi.assign(**{c: mobi[c] + 0.5 for c in mobi.columns if c[:4].isupper()})
    elif case == "weights":
        kw = {"weights": np.linspace(0.5, 1.5, len(mobi))}

    def fit():
        return pls.fit(pls.ecsi_model(), data, n_boot=40, seed=5, progress=False, **kw).bootstrap

    new = fit()
    seen = _via_indices(monkeypatch, pb, lambda idx, n: _offset_bincount(idx, n).astype(dtype))
    old = fit()
    assert seen == [dtype]
    np.testing.assert_array_equal(new.draws.estimates, old.draws.estimates)
    paths = new.draws.estimates[:, (new.table["kind"] == "path").to_numpy()]
    np.testing.assert_allclose(paths.sum(axis=0)[:4], PLS_SUMS[case], rtol=1e-12)


def test_mga_bootstrap_from_counts_equals_the_index_path(monkeypatch):
    from servqual import pls
    from servqual.pls import invariance

    df, _ = pls.simulate_ecsi(400, seed=1)
    df["g"] = ["a", "b"] * 200

    def run():
        return pls.mga_bootstrap(pls.ecsi_model(), df, "g", n_boot=30, seed=1, progress=False)

    new = run()
    seen = _via_indices(
        monkeypatch, invariance, lambda idx, n: _offset_bincount(idx, n).astype(float)
    )
    old = run()
    assert seen == [np.float64]
    np.testing.assert_array_equal(new.draws.estimates, old.draws.estimates)
    sel = np.tile((new.table["kind"] == "path").to_numpy(), 2)
    sums = new.draws.estimates[:, sel].sum(axis=0)
    # first 4 path columns of group 1 and last 4 of group 2, recorded from boot-speed
    np.testing.assert_allclose(
        sums[[0, 1, 2, 3, -4, -3, -2, -1]],
        [15.74736692680136, 17.333303096700504, 4.223417175941436, 16.812577429756423,
         14.555933209754894, 7.2785009606302, 11.72668143308667, 4.320968535481169],
        rtol=1e-12,
    )  # fmt: skip


@pytest.fixture(scope="module")
def drivers_data():
    import pandas as pd

    rng = np.random.default_rng(0)
    kd = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    kd["y"] = kd.a + 0.5 * kd.b + rng.normal(size=300)
    kd["w"] = rng.uniform(0.5, 2, 300)
    return kd


KD_SUMS = {  # column sums of the shapley and beta draws, n_boot=50, seed=1
    None: ([22.144502481683432, 6.942481068329506, 0.10282372987892521],
           [33.11980287122847, 18.151243504467793, 0.5798624149232309]),
    "w": ([20.518861649866043, 8.36550477970745, 0.11236363916225911],
          [31.823920981249092, 19.916689291326442, 0.6993204248161857]),
}  # fmt: skip


@pytest.mark.parametrize("weights", [None, "w"])
def test_key_drivers_bootstrap_from_counts_equals_the_index_path(
    drivers_data, monkeypatch, weights
):
    from servqual.drivers import key_drivers, keydrivers

    methods = ["shapley", "relative_weights", "beta", "correlation"]

    def run():
        r = key_drivers(
            drivers_data, "y", ["a", "b", "c"], methods, n_boot=50, seed=1, progress=False,
            weights=weights,
        )  # fmt: skip
        return r.draws

    new = run()
    seen = _via_indices(monkeypatch, keydrivers, _row_bincount)
    old = run()
    assert seen == [np.float64]
    for m in methods:
        np.testing.assert_array_equal(new[m], old[m], err_msg=m)
    np.testing.assert_allclose(new["shapley"].sum(axis=0), KD_SUMS[weights][0], rtol=1e-12)
    np.testing.assert_allclose(new["beta"].sum(axis=0), KD_SUMS[weights][1], rtol=1e-12)


def test_driver_shares_bootstrap_from_counts_equals_the_index_path(drivers_data, monkeypatch):
    # stratified by segment, weighted; compare_drivers and tracking use these draws
    from servqual import compare

    def old_counts(idx, n):  # the old conversion: int64 bincounts, stacked
        return np.stack([np.bincount(r, minlength=n) for r in idx])

    data = drivers_data.assign(seg=np.repeat(["x", "y", "z"], 100))

    def run():
        kw = dict(weights="w", n_boot=50, seed=2)
        _, _, draws, _ = compare.driver_shares_by(data, "y", ["a", "b", "c"], "seg", **kw)
        table = compare.compare_drivers(
            data, "y", ["a", "b", "c"], "seg", groups=["x", "z"], progress=False, **kw
        ).table
        return np.hstack(draws), table

    new, new_table = run()
    seen = _via_indices(monkeypatch, compare, old_counts)
    old, old_table = run()
    assert seen == [np.float64, np.float64]
    np.testing.assert_array_equal(new, old)
    assert new_table.equals(old_table)
    np.testing.assert_allclose(
        np.nansum(new, axis=0),
        [40.09499239769047, 9.033957153037791, 0.871050449271741, 26.385926448119402,
         21.222072712745916, 2.39200083913469, 37.310433750988786, 10.266584476972,
         2.422981772039209],
        rtol=1e-12,
    )  # fmt: skip


def test_batch_corr_of_indices_is_counts_corr_of_their_counts(drivers_data):
    # drivers.stated keeps the index stack (it also averages allocations by index)
    from servqual.drivers.keydrivers import _batch_corr, _counts_corr

    x = drivers_data[["a", "b", "y"]].to_numpy()
    ch = replicate_seeds(3, 6)
    idx = np.stack([resample_indices(c, len(x)) for c in ch])
    got = _batch_corr(x, idx)
    np.testing.assert_array_equal(got, _counts_corr(x, resample_counts(ch, len(x))))
    for j in (0, 5):  # each equals the resample's correlation matrix
        np.testing.assert_allclose(got[j], np.corrcoef(x[idx[j]], rowvar=False), atol=1e-13)
