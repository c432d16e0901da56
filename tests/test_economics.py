"""Tests for servqual.economics.what_if."""

import numpy as np
import pytest
import statsmodels.api as sm

import servqual
from servqual import errors
from servqual.economics import what_if
from servqual.retention import clv


@pytest.fixture(scope="module")
def survey():
    df, _ = servqual.simulate_survey(2500, seed=21)
    return df


@pytest.fixture(scope="module")
def result(survey):
    return what_if(survey, n_boot=120, seed=4, progress=False, horizon=8)


def test_point_estimates_recomputed_independently(survey, result):
    inst = servqual.Instrument.servqual22()
    comp = {d: survey[c].mean(axis=1) for d, c in inst.dimension_columns("P").items()}
    X = sm.add_constant(np.column_stack(list(comp.values())))
    sat = survey[["SAT1", "SAT2", "SAT3"]].mean(axis=1).to_numpy()
    b_rel = sm.OLS(sat, X).fit().params[2]  # const, tangibles, reliability, ...
    est = result.table.set_index("quantity")["estimate"]
    assert est["delta_satisfaction"] == pytest.approx(b_rel, rel=1e-8)
    Z = sm.add_constant(sat)
    Z1 = sm.add_constant(sat + b_rel)
    lg = sm.Logit(survey["churn"].to_numpy(), Z).fit(disp=0)
    r0, r1 = 1 - lg.predict(Z).mean(), 1 - lg.predict(Z1).mean()
    assert result.baseline["retention"] == pytest.approx(r0, rel=1e-6)
    assert est["delta_retention"] == pytest.approx(r1 - r0, rel=1e-5)
    pois = sm.GLM(survey["wom_positive"].to_numpy(), Z, family=sm.families.Poisson()).fit()
    neg = sm.GLM(survey["wom_negative"].to_numpy(), Z, family=sm.families.Poisson()).fit()
    dpos = pois.predict(Z1).mean() - pois.predict(Z).mean()
    dneg = neg.predict(Z1).mean() - neg.predict(Z).mean()
    assert est["delta_wom_positive"] == pytest.approx(dpos, rel=1e-6)
    assert est["delta_wom_negative"] == pytest.approx(dneg, rel=1e-6)
    assert est["delta_clv"] == pytest.approx(clv(100, r1, 0.1) - clv(100, r0, 0.1), rel=1e-5)
    # customer base by iteration: acquisition holds the baseline at 10,000
    rho0 = 0.02 * pois.predict(Z).mean() - 0.02 * neg.predict(Z).mean()
    rho1 = rho0 + 0.02 * dpos - 0.02 * dneg
    a = (1 - r0 - rho0) * 10_000
    n0 = n1 = 10_000.0
    npv = 0.0
    for t in range(1, 9):
        n0 = (r0 + rho0) * n0 + a
        n1 = (r1 + rho1) * n1 + a
        npv += 100 * (n1 - n0) / 1.1**t
    assert n0 == pytest.approx(10_000)
    assert est["delta_customers"] == pytest.approx(n1 - n0, rel=1e-5)
    assert est["delta_value"] == pytest.approx(npv, rel=1e-5)
    assert result.path["scenario"].iloc[-1] - result.path["baseline"].iloc[-1] == pytest.approx(
        n1 - n0, rel=1e-5
    )


def test_intervals_bracket_estimates_and_signs_match_truth(result):
    t = result.table.set_index("quantity")
    assert np.all(t["lower"] <= t["estimate"]) and np.all(t["estimate"] <= t["upper"])
    # default Truth: satisfaction lowers churn and negative WOM, raises positive WOM,
    # reliability has the largest satisfaction weight -> all effects clearly signed
    assert t.loc["delta_retention", "lower"] > 0
    assert t.loc["delta_wom_positive", "lower"] > 0
    assert t.loc["delta_wom_negative", "upper"] < 0
    assert t.loc["delta_value", "lower"] > 0
    assert result.draws.shape == (120, 8)
    assert "delta_clv" in str(result.summary())


def test_null_truth_gives_intervals_covering_zero():
    # churn and WOM do not depend on satisfaction or complaint outcomes in this truth,
    # so the true delta retention / delta WOM are 0: the 95% intervals should cover 0.
    zero = {k: 0.0 for k in servqual.Truth().churn_outcome_effects}
    truth = servqual.Truth().replace(
        churn_on_satisfaction=0.0,
        churn_outcome_effects=zero,
        wom_on_satisfaction=0.0,
        wom_outcome_effects=zero,
    )
    df, _ = servqual.simulate_survey(2500, truth, seed=8)
    t = what_if(df, n_boot=120, seed=2, progress=False).table.set_index("quantity")
    for q in ("delta_retention", "delta_wom_positive", "delta_wom_negative"):
        assert t.loc[q, "lower"] <= 0 <= t.loc[q, "upper"], q
    assert t.loc["delta_satisfaction", "lower"] > 0


def test_same_seed_same_draws_whatever_n_jobs(survey):
    a = what_if(survey, n_boot=40, seed=7, progress=False, n_jobs=1)
    b = what_if(survey, n_boot=40, seed=7, progress=False, n_jobs=2)
    assert np.array_equal(a.draws, b.draws)


def test_negbin_option_recomputed_with_statsmodels(survey):
    t = what_if(survey, n_boot=40, seed=1, progress=False, wom_model="negbin").table
    t = t.set_index("quantity")
    # by hand: NB2 regression of each WOM count on satisfaction, average predicted mean
    # before and after the shift in satisfaction (statsmodels NegativeBinomial)
    inst = servqual.Instrument.servqual22()
    comp = np.column_stack([survey[c].mean(axis=1) for c in inst.dimension_columns("P").values()])
    sat = survey[["SAT1", "SAT2", "SAT3"]].mean(axis=1).to_numpy()
    dsat = sm.OLS(sat, sm.add_constant(comp)).fit().params[2]
    Z, Z1 = sm.add_constant(sat), sm.add_constant(sat + dsat)
    for col in ("wom_positive", "wom_negative"):
        nb = sm.NegativeBinomial(survey[col].to_numpy(), Z).fit(disp=0, maxiter=200)
        b = nb.params[:2]
        want = np.exp(Z1 @ b).mean() - np.exp(Z @ b).mean()
        assert t.loc[f"delta_{col}", "estimate"] == pytest.approx(want, rel=1e-5)
    assert t.loc["delta_wom_positive", "estimate"] > 0


def test_bad_input(survey):
    with pytest.raises(errors.ParameterError, match=r"dimension='speed'"):
        what_if(survey, dimension="speed", n_boot=40, progress=False)
    with pytest.raises(errors.MissingColumnError, match="churn"):
        what_if(survey.drop(columns="churn"), n_boot=40, progress=False)
    bad = survey.copy()
    bad.loc[3, "churn"] = 2
    with pytest.raises(errors.OutOfRangeError, match=r"churn column 'churn'.*\[0, 1, 2\]"):
        what_if(bad, n_boot=40, progress=False)
    miss = survey.copy()
    miss.loc[5, "P6"] = np.nan
    with pytest.raises(errors.MissingValuesError, match="P6"):
        what_if(miss, n_boot=40, progress=False, missing="raise")
    with pytest.raises(TypeError, match="DataFrame, got ndarray"):
        what_if(survey.to_numpy(), n_boot=40, progress=False)
    with pytest.raises(errors.ParameterError, match="SAT1, SAT2"):
        what_if(survey.drop(columns=["SAT1", "SAT2", "SAT3"]), n_boot=40, progress=False)
    with pytest.raises(errors.ParameterError, match=r"margin=-1"):
        what_if(survey, margin=-1, n_boot=40, progress=False)


def test_non_convergence_is_flagged_and_failed_replicates_counted(survey):
    # churn perfectly separated by satisfaction: the logit MLE does not exist
    sep = survey.copy()
    sat = sep[["SAT1", "SAT2", "SAT3"]].mean(axis=1)
    sep["churn"] = (sat < sat.median()).astype(int)
    with pytest.warns(errors.ConvergenceWarning), pytest.warns(errors.BootstrapFailureWarning):
        res = what_if(sep, n_boot=40, seed=1, progress=False)
    assert any("did not converge" in w for w in res.warnings)
    assert any("40 of 40 bootstrap replicates failed" in w for w in res.warnings)
    assert np.isnan(res.table["lower"]).all() and np.isnan(res.draws).all()


def test_what_if_roles_on_a_custom_instrument(survey):
    # Issue 11: what_if failed on a custom instrument with "kind='P' is invalid ...".
    # The same data under the user's own names and a kind-less instrument give the
    # same numbers as the simulator's names (same seed, same rows).
    ref = what_if(survey, n_boot=40, seed=3, progress=False, horizon=5)
    inst = servqual.Instrument.servqual22()
    rename = {inst.column(i, "P"): f"q_{i}" for i in inst.items}
    rename.update(
        SAT1="overall",
        SAT2="sat_b",
        SAT3="sat_c",
        wom_positive="praise",
        wom_negative="complaints",
        churn="Churned",
    )
    own = survey.rename(columns=rename)
    own["Churned"] = own["Churned"].map({1: "Yes", 0: "No"})
    custom = servqual.Instrument.from_mapping(
        {d: [f"q_{i}" for i in items] for d, items in inst.dimensions.items()}, scale=inst.scale
    )
    roles = dict(
        instrument=custom,
        satisfaction=["overall", "sat_b", "sat_c"],
        churn="Churned",
        positive="Yes",
        wom_positive="praise",
        wom_negative="complaints",
        progress=False,
    )
    res = what_if(own, **roles, n_boot=40, seed=3, horizon=5)
    assert res.table["estimate"].to_numpy() == pytest.approx(
        ref.table["estimate"].to_numpy(), rel=1e-10
    )
    assert res.table["lower"].to_numpy() == pytest.approx(ref.table["lower"].to_numpy(), rel=1e-10)
    # roles pointing nowhere / ambiguous levels are named
    with pytest.raises(errors.MissingColumnError, match=r"churn column 'churn' not found.*churn="):
        what_if(own, instrument=custom, satisfaction=["overall"], n_boot=40, progress=False)
    without = {k: v for k, v in roles.items() if k != "positive"}
    with pytest.raises(errors.DataError, match=r"'Churned'.*\['No', 'Yes'\].*positive="):
        what_if(own, **without, n_boot=40)
    no_wom = {k: v for k, v in roles.items() if not k.startswith("wom")}
    with pytest.raises(errors.MissingColumnError, match="'wom_positive'.*wom_positive="):
        what_if(own, **no_wom, n_boot=40)
    with pytest.raises(errors.MissingColumnError, match="'happy'"):
        what_if(own, **{**roles, "satisfaction": ["happy"]}, n_boot=40)
    # missing values: listwise on the chain's variables, counted
    gap = own.copy()
    gap.loc[[1, 2], "overall"] = np.nan
    with pytest.warns(errors.MissingDataWarning, match=r"2 of \d+ rows dropped.*'overall': 2"):
        r = what_if(gap, **roles, n_boot=40, seed=3, horizon=5)
    assert r.params["n"] == len(own) - 2 and r.params["n_dropped"] == 2
    assert any("dropped" in w for w in r.warnings)
