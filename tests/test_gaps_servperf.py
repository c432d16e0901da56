"""Tests of the SERVQUAL vs SERVPERF comparison."""

import numpy as np
import pytest
import statsmodels.api as sm

from servqual.errors import MissingColumnError, MissingValuesError, ParameterError
from servqual.gaps import RATER, servqual_vs_servperf, simulate_units


@pytest.fixture(scope="module")
def cust():
    return simulate_units(30, 12, 2, seed=17)[0]


def _composites(c, kind):
    cols = []
    for items in RATER.values():
        p = c[[f"P{i}" for i in items]].to_numpy()
        e = c[[f"E{i}" for i in items]].to_numpy()
        cols.append((p - e if kind == "PE" else p).mean(axis=1))
    return np.column_stack(cols)


def test_r2_and_loo_cv_match_brute_force(cust):
    n = len(cust)
    res = servqual_vs_servperf(cust, folds=n, n_boot=40, seed=0, progress=False)
    y = cust[["SAT1", "SAT2", "SAT3"]].mean(axis=1).to_numpy()
    tab = res.table.set_index("model")
    for model, kind in (("SERVQUAL (P-E)", "PE"), ("SERVPERF (P)", "P")):
        X = sm.add_constant(_composites(cust, kind))
        ols = sm.OLS(y, X).fit()
        assert tab.loc[model, "r2"] == pytest.approx(ols.rsquared, rel=1e-10)
        assert tab.loc[model, "adj_r2"] == pytest.approx(ols.rsquared_adj, rel=1e-10)
        # leave-one-out: PRESS from the hat matrix, e_i / (1 - h_ii)
        h = ols.get_influence().hat_matrix_diag
        press = np.sum((ols.resid / (1 - h)) ** 2)
        cv = 1 - press / np.sum((y - y.mean()) ** 2)
        assert tab.loc[model, "cv_r2"] == pytest.approx(cv, rel=1e-8)
    d = res.difference.set_index("metric")["estimate"]
    assert d["r2"] == pytest.approx(tab["r2"].iloc[0] - tab["r2"].iloc[1])


def test_pe_wins_when_satisfaction_is_driven_by_pe():
    # simulate_units generates satisfaction from the customers' P - E, so the
    # SERVQUAL predictors must explain more; with 1800 customers the CI of
    # the difference excludes 0 (difference ~0.2, CI half-width ~0.03).
    c = simulate_units(90, 20, 2, seed=4)[0]
    res = servqual_vs_servperf(c, predictors="overall", n_boot=300, seed=2, progress=False)
    diff = res.difference.set_index("metric")
    assert (diff["ci_low"] > 0).all()
    t = res.table
    assert ((t["r2_low"] <= t["r2"]) & (t["r2"] <= t["r2_high"])).all()
    assert (t["n_predictors"] == 1).all()
    assert "Cronin" in str(res.summary())


def test_seed_and_n_jobs_invariance(cust):
    a = servqual_vs_servperf(cust, n_boot=40, seed=5, progress=False)
    b = servqual_vs_servperf(cust, n_boot=40, seed=5, progress=False, n_jobs=2)
    np.testing.assert_array_equal(a.table.drop(columns="model"), b.table.drop(columns="model"))


def test_bad_input(cust):
    with pytest.raises(MissingColumnError, match="SAT2"):
        servqual_vs_servperf(cust.drop(columns="SAT2"), progress=False)
    bad = cust.copy()
    bad.loc[3, "E7"] = np.nan
    with pytest.raises(MissingValuesError, match="'E7': 1"):
        servqual_vs_servperf(bad, progress=False)
    with pytest.raises(ParameterError, match="folds=1000"):
        servqual_vs_servperf(cust, folds=1000, progress=False)
    with pytest.raises(ParameterError, match="predictors='items'"):
        servqual_vs_servperf(cust, predictors="items", progress=False)
