"""key_drivers: all methods side by side with bootstrap intervals."""

import numpy as np
import pandas as pd
import pytest

from servqual._resampling import replicate_seeds, resample_indices
from servqual.drivers import key_drivers, ols, relative_weights, shapley, shapley_from_corr
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
        n_boot=0,
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
        df, "y", NAMES, ["shapley", "relative_weights"], n_boot=40, seed=9, progress=False
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
    kw = dict(n_boot=200, seed=4, progress=False)
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
        n_boot=40,
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
    with pytest.raises(ParameterError, match="n_boot=-1"):
        key_drivers(df, "y", NAMES, n_boot=-1, progress=False)
    with pytest.raises(ParameterError, match="ci=0"):
        key_drivers(df, "y", NAMES, ci=0, progress=False)
    with pytest.raises(MissingColumnError, match="e"):
        key_drivers(df, "y", [*NAMES, "e"], progress=False)


def test_recovers_simulated_driver_ranking():
    """Acceptance: at n = 5,000 the estimated dimension ranking equals the true
    one (Spearman ρ = 1) for well-separated weights.  The population Shapley
    values of the composites (exact, from Truth.implied_composites) are
    0.027/0.165/0.118/0.081/0.056, several bootstrap SEs (~0.006) apart; the
    estimates must match them within 0.02 (~3 SE)."""
    from scipy import stats

    from servqual import Instrument, Truth, simulate_survey
    from servqual.scores import composites

    weights = {
        "tangibles": 0.02,
        "reliability": 0.42,
        "responsiveness": 0.28,
        "assurance": 0.17,
        "empathy": 0.08,
    }
    truth = Truth(satisfaction_weights=weights)
    df, truth = simulate_survey(5000, truth=truth, seed=2024)
    inst = Instrument.servqual22()
    comp = composites(df, inst, kind="P")
    comp["SAT"] = df[["SAT1", "SAT2", "SAT3"]].mean(axis=1)
    dims = list(truth.dimensions)
    true = [truth.satisfaction_weights[d] for d in dims]
    res = key_drivers(comp, "SAT", dims, n_boot=100, seed=1, progress=False)
    for method in ("shapley", "relative_weights", "beta"):
        est = res.wide()[method].loc[dims]
        assert stats.spearmanr(est, true).statistic == pytest.approx(1.0)
    groups = {d: [f"P{i}" for i in items] for d, items in inst.dimensions.items()}
    item_level = shapley(df.assign(SAT=comp["SAT"]), "SAT", None, groups=groups)
    assert stats.spearmanr(item_level["importance"].loc[dims], true).statistic == pytest.approx(1)
    _, cov = truth.implied_composites("P")
    sd = np.sqrt(np.diag(cov))
    corr = (cov / np.outer(sd, sd)).loc[[*dims, "satisfaction"], [*dims, "satisfaction"]]
    population = shapley_from_corr(corr.to_numpy())[0]
    np.testing.assert_allclose(res.wide()["shapley"].loc[dims], population, atol=0.02)


def test_bca_intervals_from_leave_one_out_refits():
    """ci_method="bca": Efron's BCa with the acceleration from leave-one-out Shapley
    values recomputed here by dropping each row and calling shapley()."""
    from servqual._resampling import bca_ci

    df = _data(60, 5)
    res = key_drivers(
        df, "y", NAMES, ["shapley"], n_boot=200, ci_method="bca", seed=2, progress=False
    )
    point = shapley(df, "y", NAMES)["importance"].to_numpy()
    jack = np.array([shapley(df.drop(index=i), "y", NAMES)["importance"] for i in df.index])
    lo, hi = bca_ci(point, res.draws["shapley"], jack, 0.95)
    np.testing.assert_allclose(res.table["ci_lower"], lo, atol=1e-12)
    np.testing.assert_allclose(res.table["ci_upper"], hi, atol=1e-12)
    pct = key_drivers(df, "y", NAMES, ["shapley"], n_boot=200, seed=2, progress=False)
    np.testing.assert_allclose(pct.draws["shapley"], res.draws["shapley"])
    assert not np.allclose(pct.table["ci_lower"], lo)
    assert res.ci_method == "bca" and "bca" in str(res.summary())
    with pytest.raises(ParameterError, match="ci_method='basic'"):
        key_drivers(df, "y", NAMES, ci_method="basic", progress=False)


def test_groups_of_predictors():
    """Group Shapley equals shapley(groups=...); a group's relative weight is the sum
    of its items' raw weights (they are additive); bootstrap draws sum to R²."""
    df = _data(300, 6)
    groups = {"ab": ["a", "b"], "cd": ["c", "d"]}
    res = key_drivers(
        df,
        "y",
        None,
        ["shapley", "relative_weights"],
        groups=groups,
        n_boot=50,
        seed=1,
        progress=False,
    )
    wide = res.wide()
    assert list(wide.index) == ["ab", "cd"]
    np.testing.assert_allclose(
        wide["shapley"], shapley(df, "y", None, groups=groups)["importance"], atol=1e-12
    )
    rw = relative_weights(df, "y", NAMES)["importance"]
    np.testing.assert_allclose(wide["relative_weights"], [rw.a + rw.b, rw.c + rw.d], atol=1e-12)
    np.testing.assert_allclose(
        res.draws["shapley"].sum(axis=1), res.draws["relative_weights"].sum(axis=1), atol=1e-10
    )
    with pytest.raises(ParameterError, match="cannot be computed for groups"):
        key_drivers(df, "y", None, ["shapley", "beta"], groups=groups, progress=False)
