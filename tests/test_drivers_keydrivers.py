"""key_drivers: all methods side by side with bootstrap intervals."""

import numpy as np
import pandas as pd
import pytest

from servqual._resampling import replicate_seeds, resample_indices
from servqual.drivers import key_drivers, ols, relative_weights, shapley
from servqual.errors import MissingColumnError, ParameterError


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)) + 0.4 * rng.normal(size=(n, 1))
    df = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    df["y"] = 0.8 * df.a + 0.4 * df.b + 0.2 * df.c + rng.normal(size=n)
    return df


NAMES = ["a", "b", "c", "d"]


def test_point_estimates_match_the_single_method_functions():
    df = _data()
    res = key_drivers(
        df,
        "y",
        NAMES,
        ["shapley", "relative_weights", "beta", "correlation"],
        bootstrap=0,
        progress=False,
    )
    wide = res.wide()
    np.testing.assert_allclose(wide["shapley"], shapley(df, "y", NAMES)["importance"], atol=1e-12)
    np.testing.assert_allclose(
        wide["relative_weights"], relative_weights(df, "y", NAMES)["importance"], atol=1e-12
    )
    np.testing.assert_allclose(
        wide["beta"], ols(df, "y", NAMES).coefficients["std_estimate"], atol=1e-10
    )
    np.testing.assert_allclose(wide["correlation"], df[NAMES].corrwith(df["y"]), atol=1e-12)
    assert res.r2 == pytest.approx(shapley(df, "y", NAMES).r2, abs=1e-12)
    assert res.table["ci_lower"].isna().all()


def test_bootstrap_replicates_equal_direct_recomputation():
    """Replicate b equals Shapley/relative weights recomputed from the resampled rows."""
    df = _data(200, 1)
    res = key_drivers(
        df, "y", NAMES, ["shapley", "relative_weights"], bootstrap=30, seed=9, progress=False
    )
    boot_seed = int(np.random.default_rng(9).integers(0, 2**63 - 1, size=2)[0])
    children = replicate_seeds(boot_seed, 30)
    for b in (0, 7, 29):
        rows = df.iloc[resample_indices(children[b], len(df))].reset_index(drop=True)
        np.testing.assert_allclose(
            res.draws["shapley"][b], shapley(rows, "y", NAMES)["importance"], atol=1e-12
        )
        np.testing.assert_allclose(
            res.draws["relative_weights"][b],
            relative_weights(rows, "y", NAMES)["importance"],
            atol=1e-12,
        )
    tab = res.table.set_index(["method", "driver"])
    d = res.draws["shapley"]
    np.testing.assert_allclose(tab.loc["shapley", "ci_lower"], np.quantile(d, 0.025, axis=0))
    np.testing.assert_allclose(tab.loc["shapley", "se"], d.std(axis=0, ddof=1))


def test_intervals_rank_first_and_n_jobs_invariance():
    df = _data(500, 2)
    kw = dict(bootstrap=200, seed=4, progress=False)
    res = key_drivers(df, "y", NAMES, **kw)
    p_first = res.wide("p_first")
    np.testing.assert_allclose(p_first.sum(), 1.0)
    # a (weight 0.8 vs 0.4) is the top driver in essentially every resample
    assert (p_first.loc["a"] > 0.99).all()
    tab = res.table
    assert (tab["ci_lower"] <= tab["importance"]).all()
    assert (tab["importance"] <= tab["ci_upper"]).all()
    par = key_drivers(df, "y", NAMES, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(res.table, par.table)
    assert "Key drivers" in str(res.summary())


def test_random_forest_column_without_intervals():
    df = _data(300, 3)
    res = key_drivers(
        df,
        "y",
        NAMES,
        ["shapley", "random_forest"],
        bootstrap=20,
        seed=1,
        progress=False,
        forest_options={"n_estimators": 30, "n_splits": 3},
    )
    rf = res.table[res.table.method == "random_forest"]
    assert rf["ci_lower"].isna().all() and rf.set_index("driver")["rank"]["a"] == 1
    assert any("random_forest" in w for w in res.warnings)


def test_bad_input():
    df = _data(100)
    with pytest.raises(ParameterError, match="methods='lasso'"):
        key_drivers(df, "y", NAMES, ["lasso"], progress=False)
    with pytest.raises(ParameterError, match="methods"):
        key_drivers(df, "y", NAMES, "shapley", progress=False)
    with pytest.raises(ParameterError, match="twice"):
        key_drivers(df, "y", NAMES, ["beta", "beta"], progress=False)
    with pytest.raises(ParameterError, match="bootstrap=-1"):
        key_drivers(df, "y", NAMES, bootstrap=-1, progress=False)
    with pytest.raises(ParameterError, match="ci=0"):
        key_drivers(df, "y", NAMES, ci=0, progress=False)
    with pytest.raises(MissingColumnError, match="e"):
        key_drivers(df, "y", [*NAMES, "e"], progress=False)
