"""Exact leave-one-out jackknife from down-dated moments (BCa acceleration).

Reference throughout: the brute-force jackknife -- the statistic recomputed
from scratch on the data with row ``i`` deleted, for every ``i``.  The data
are sorted and have more rows than the old contiguous-block threshold (500
rows for PLS, 1,000 for key drivers, 200 for SEM), the case where the old
block jackknife was biased.
"""

import numpy as np
import pandas as pd
import pytest

from servqual import pls
from servqual._resampling import (
    bca_ci,
    jackknife,
    loo_moments,
)
from servqual.drivers import key_drivers
from servqual.pls.bootstrap import Layout, statistic_vector
from servqual.pls.core import Structure

SMALL = """
Image        =~ IMAG1 + IMAG2 + IMAG3
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Loyalty      =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ Image
Loyalty      ~ Image + Satisfaction
"""


@pytest.fixture(scope="module")
def sorted_ecsi():
    data, _ = pls.simulate_ecsi(1200, seed=5)
    return data.sort_values("CUSA1").reset_index(drop=True)


def test_loo_moments_equal_recomputed_moments():
    X = np.random.default_rng(3).normal(size=(40, 4)) * [1, 10, 0.1, 3] + 5
    for ddof in (0, 1):
        means, covs = loo_moments(X, ddof=ddof)
        for i in (0, 17, 39):
            Xi = np.delete(X, i, axis=0)
            np.testing.assert_allclose(means[i], Xi.mean(axis=0), rtol=1e-13)
            np.testing.assert_allclose(covs[i], np.cov(Xi, rowvar=False, ddof=ddof), rtol=1e-11)
    # a window of rows gives the same rows as the whole
    m2, c2 = loo_moments(X, start=10, stop=13)
    np.testing.assert_array_equal(c2, loo_moments(X)[1][10:13])


def test_random_groups_are_seeded_and_not_contiguous():
    x = np.arange(3000.0)
    a = jackknife(lambda keep: [x[keep].mean()], 3000, max_groups=100, seed=4)
    b = jackknife(lambda keep: [x[keep].mean()], 3000, max_groups=100, seed=4)
    np.testing.assert_array_equal(a, b)
    # contiguous blocks of sorted data spread the leave-group-out means over
    # (sum(last) - sum(first)) / 2970 = 30 * 2970 / 2970 = 30; random groups of 30
    # shift the mean by ~ 866 / sqrt(30) / 99 ~ 1.6 per SD, so ~ 8 over 100 groups
    blocks = np.array_split(np.arange(3000), 100)
    contiguous = [np.delete(x, g).mean() for g in blocks]
    assert np.ptp(contiguous) == pytest.approx(30.0, abs=1e-9)
    assert np.ptp(a) < 12
    # exact leave-one-out below the threshold
    loo = jackknife(lambda keep: [x[keep].mean()], 50, max_groups=100)
    np.testing.assert_allclose(loo[:, 0], (x[:50].sum() - x[:50]) / 49)


def _pls_brute_jack(X, st, layout, W0):
    """Statistic on np.corrcoef of the data without row i, for every i.

    Each leave-one-out fit starts at the full-sample weights ``W0``, as the
    package's jackknife does."""
    n = X.shape[0]
    out = []
    for start in range(0, n, 300):
        S = np.stack(
            [
                np.corrcoef(np.delete(X, i, axis=0), rowvar=False)
                for i in range(start, min(n, start + 300))
            ]
        )
        out.append(statistic_vector(S, st, layout, scheme="path", tol=1e-7, max_iter=300, W0=W0))
    return np.vstack(out)


def test_pls_bca_equals_exact_jackknife_bca_on_sorted_data(sorted_ecsi):
    res = pls.fit(SMALL, sorted_ecsi, n_boot=200, seed=8, progress=False)
    model = res.model
    st = Structure.from_model(model)
    layout = Layout.build(st, model.constructs, model.items)
    X = sorted_ecsi[list(model.items)].to_numpy()
    W0 = np.zeros((st.p, st.m))
    W0[np.arange(st.p), st.block_of] = res.outer["weight"].to_numpy()
    jack = _pls_brute_jack(X, st, layout, W0)
    table = res.bootstrap.table
    valid = res.bootstrap.draws.valid
    lo, hi = bca_ci(table["estimate"].to_numpy(), valid, jack, 0.95)
    np.testing.assert_allclose(table["bca_lower"], lo, rtol=0, atol=1e-10)
    np.testing.assert_allclose(table["bca_upper"], hi, rtol=0, atol=1e-10)
    # the old contiguous-block jackknife (500 blocks of sorted rows) gives another
    # acceleration, so the intervals differ: the fix is visible, not a no-op
    blocks = np.array_split(np.arange(X.shape[0]), 500)
    S_blocks = np.stack([np.corrcoef(np.delete(X, g, axis=0), rowvar=False) for g in blocks])
    jb = statistic_vector(S_blocks, st, layout, scheme="path", tol=1e-7, max_iter=300)
    lo_b, _ = bca_ci(table["estimate"].to_numpy(), valid, jb, 0.95)
    assert np.max(np.abs(lo_b - lo)) > 1e-4


def test_key_drivers_bca_equals_exact_jackknife_bca(sorted_ecsi):
    df = sorted_ecsi[["CUSA1", "IMAG1", "PERQ1", "PERV1"]]
    preds = ["IMAG1", "PERQ1", "PERV1"]
    res = key_drivers(
        df,
        "CUSA1",
        preds,
        methods=["shapley"],
        n_boot=100,
        ci_method="bca",
        seed=2,
        progress=False,
    )
    from servqual.drivers.keydrivers import _linear_importance

    x = df[[*preds, "CUSA1"]].to_numpy()
    jack = np.stack(
        [
            _linear_importance(
                np.corrcoef(np.delete(x, i, axis=0), rowvar=False)[None], ["shapley"], None
            )[0]
            for i in range(x.shape[0])
        ]
    )
    tab = res.table.set_index("driver").loc[preds]
    est = tab["importance"].to_numpy()
    lo, hi = bca_ci(est, res.draws["shapley"], jack, 0.95)
    np.testing.assert_allclose(tab["ci_lower"], lo, rtol=0, atol=1e-10)
    np.testing.assert_allclose(tab["ci_upper"], hi, rtol=0, atol=1e-10)


def test_sem_bca_uses_exact_leave_one_out_above_old_threshold(monkeypatch):
    # 240 sorted rows (the old code used 200 contiguous blocks above 200 rows).
    # Brute force: every leave-one-out sample refitted from its rows by the
    # single-resample optimiser; the package refits down-dated moments in
    # batches, so the two agree to optimizer precision (1e-6), and the BCa
    # interval is Efron's formula with that jackknife (1e-10).
    from servqual import sem
    from servqual.sem import bootstrap as bmod

    seen = {}
    orig = bmod.jackknife_moments

    def spy(statistic, X, **kw):
        seen["jack"] = orig(statistic, X, **kw)
        seen["X"] = X
        return seen["jack"]

    monkeypatch.setattr(bmod, "jackknife_moments", spy)
    orig_make = bmod.make_refit
    monkeypatch.setattr(
        bmod, "make_refit", lambda *a, **k: seen.setdefault("refit", orig_make(*a, **k))
    )
    rng = np.random.default_rng(12)
    f = rng.normal(size=240)
    lams = [1, 0.8, 0.7, 0.9]
    df = pd.DataFrame(
        {f"x{j}": lam * f + rng.normal(scale=0.6, size=240) for j, lam in enumerate(lams, 1)}
    ).sort_values("x1", ignore_index=True)
    res = sem.fit(
        "F =~ x1 + x2 + x3 + x4",
        df,
        se="bootstrap",
        n_boot=60,
        ci_method="bca",
        seed=3,
        progress=False,
    )
    refit, n = seen["refit"], len(df)
    assert seen["X"].shape == (n, 4)
    brute = np.stack([refit.estimate(np.delete(np.arange(n), i)) for i in range(n)])
    np.testing.assert_allclose(seen["jack"], brute, rtol=0, atol=1e-6)
    # the x2 loading is the first free parameter
    p = res.params
    row = (p["lhs"] == "F") & (p["op"] == "=~") & (p["rhs"] == "x2")
    est = float(p.loc[row, "est"].iloc[0])
    d = res.bootstrap_draws.valid[:, :1]
    lo, hi = bca_ci([est], d, seen["jack"][:, :1], 0.95)
    np.testing.assert_allclose(
        p.loc[row, ["ci_lower", "ci_upper"]].to_numpy(float)[0], [lo[0], hi[0]], atol=1e-10
    )


def test_weighted_loo_moments_equal_recomputed_weighted_moments():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(30, 3))
    w = rng.uniform(0.2, 3.0, size=30)
    w = w * 30 / w.sum()
    means, covs = loo_moments(X, weights=w)
    for i in (0, 11, 29):
        Xi, wi = np.delete(X, i, axis=0), np.delete(w, i)
        m = wi @ Xi / wi.sum()
        C = ((Xi - m) * wi[:, None]).T @ (Xi - m) / (wi.sum() - 1)
        np.testing.assert_allclose(means[i], m, rtol=1e-12)
        np.testing.assert_allclose(covs[i], C, rtol=1e-11)


def test_wlsmv_bca_uses_the_group_jackknife():
    # WLSMV refits polychorics per resample (not a function of the covariance
    # matrix): BCa takes the seeded random-group jackknife, not the moments one
    from servqual import sem

    d = pd.read_csv("tests/data/bfi_items.csv").dropna().iloc[:120]
    r = sem.fit(
        "neuro =~ N1 + N2 + N3 + N4",
        d,
        ordered=True,
        se="bootstrap",
        n_boot=40,
        ci_method="bca",
        seed=1,
        progress=False,
    )
    p = r.params[r.params["op"] == "=~"].iloc[1:]
    assert np.all(np.isfinite(p[["ci_lower", "ci_upper"]].to_numpy()))
