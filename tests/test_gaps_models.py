"""Tests of explain_gap5 (OLS + Shapley) and the multilevel gap model."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from servqual.drivers import shapley_from_corr
from servqual.errors import MissingValuesError, ParameterError
from servqual.gaps import (
    UnitTruth,
    explain_gap5,
    multilevel,
    simulate_units,
    unit_scores,
)

ITEMS = range(1, 23)


def test_shapley_matches_subset_refits():
    # brute force: refit OLS on every subset of 4 predictors, Shapley weights
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4)) @ rng.normal(size=(4, 4))
    y = X @ [0.5, -0.2, 0.1, 0.0] + rng.normal(size=200)
    r2 = {}
    for k in range(5):
        for s in itertools.combinations(range(4), k):
            r2[s] = sm.OLS(y, sm.add_constant(X[:, list(s)])).fit().rsquared if s else 0.0
    brute = np.zeros(4)
    for j in range(4):
        others = [i for i in range(4) if i != j]
        for k in range(4):
            w = math.factorial(k) * math.factorial(3 - k) / math.factorial(4)
            for s in itertools.combinations(others, k):
                brute[j] += w * (r2[tuple(sorted((*s, j)))] - r2[s])
    got, _ = shapley_from_corr(np.corrcoef(np.column_stack([X, y]), rowvar=False))
    np.testing.assert_allclose(got, brute, atol=1e-12)
    assert got.sum() == pytest.approx(r2[(0, 1, 2, 3)])


@pytest.fixture(scope="module")
def big():
    # Low respondent noise and many respondents per unit keep the measurement
    # error of the aggregated gaps small (ICC(2) > .95), so OLS on observed
    # unit gaps is nearly unbiased for the true unit-level coefficients.
    truth = UnitTruth(respondent_sd=0.1, item_sd=0.5)
    c, m, s, t = simulate_units(300, 40, 30, truth, seed=1, managers_per_unit=30)
    return unit_scores(c, m, s), t


def test_explain_gap5_recovers_truth(big):
    scores, truth = big
    res = explain_gap5(scores)
    # Tolerance 4 robust SEs (false-failure probability 6e-5 per coefficient)
    # plus 0.03 for attenuation: unit means have ICC(2) > .95 here, so the
    # bias is at most ~5% of coefficients <= 0.45.
    coefs = res.coefficients.set_index(["model", "term"])
    want = {("gap5", g): v for g, v in truth.gap5_effects.items()}
    for gap, effects in truth.antecedent_effects.items():
        want.update({(gap, k): v for k, v in effects.items()})
    assert len(want) == 19
    for key, v in want.items():
        est, se = coefs.loc[key, "estimate"], coefs.loc[key, "se"]
        assert abs(est - v) < 4 * se + 0.03, (key, est, v)
    agree = scores.agreement.set_index("measure")
    assert (agree.loc[["ME", "SS", "CP", "DP", "COM", "OP"], "icc2"] > 0.95).all()
    # Shapley shares sum to the R^2 of each model
    fit = res.fit.set_index("model")["r2"]
    for model, sub in res.importance.groupby("model"):
        assert sub["shapley"].sum() == pytest.approx(fit[model])
    assert "Shapley" in str(res.summary())


def test_explain_gap5_is_robust_ols(big):
    scores, _ = big
    res = explain_gap5(scores, dimension="reliability", antecedents=False, cov_type="HC1")
    t = scores.table
    X = sm.add_constant(t[[f"gap{k}_reliability" for k in range(1, 5)]].to_numpy())
    ref = sm.OLS(t["gap5_reliability"].to_numpy(), X).fit(cov_type="HC1")
    np.testing.assert_allclose(res.coefficients["estimate"], ref.params)
    np.testing.assert_allclose(res.coefficients["se"], ref.bse)
    assert set(res.coefficients["model"]) == {"gap5"}


def test_explain_gap5_flags_unreliable_unit_means():
    # 2 managers per unit and large respondent noise: ICC(2) of ME falls below .70
    truth = UnitTruth(respondent_sd=0.8)
    c, m, s, _ = simulate_units(40, 10, 2, truth, seed=2, managers_per_unit=2)
    with pytest.warns(UserWarning, match=r"ICC\(1\) of P-E"):  # the noise also shows here
        scores = unit_scores(c, m, s)
    icc2 = scores.agreement.set_index("measure").loc["ME", "icc2"]
    assert icc2 < 0.70
    with pytest.warns(UserWarning, match=f"ME {icc2:.2f}"):
        res = explain_gap5(scores, antecedents=False)
    assert any("ICC(2) below .70" in w for w in res.warnings)


def test_explain_gap5_bad_input(big):
    scores, _ = big
    with pytest.raises(TypeError, match="UnitScores"):
        explain_gap5(scores.table)
    with pytest.raises(ParameterError, match="dimension='speed'"):
        explain_gap5(scores, dimension="speed")
    table = scores.table.copy()
    table.loc[3, "gap2_overall"] = np.nan
    from dataclasses import replace

    with pytest.raises(MissingValuesError, match="U004"):
        explain_gap5(replace(scores, table=table))


@pytest.fixture(scope="module")
def study():
    c, m, s, t = simulate_units(60, 15, 4, seed=8)
    return c, m, s, t, unit_scores(c, m, s)


def test_multilevel_matches_hand_fit(study):
    c, m, s, _, scores = study
    res = multilevel(scores)
    # by hand from the raw frames: customer mean P - E, unit gaps from unit item means
    long = pd.DataFrame(
        {
            "unit": c["unit_id"],
            "sat": c[["SAT1", "SAT2", "SAT3"]].mean(axis=1),
            "pe": np.mean([c[f"P{i}"] - c[f"E{i}"] for i in ITEMS], axis=0),
        }
    )

    def means(frame, pre):
        return frame.groupby("unit_id")[[f"{pre}{i}" for i in ITEMS]].mean().to_numpy()

    e, me, ss = means(c, "E"), means(m, "ME"), means(m, "SS")
    cp, dp = means(m, "CP"), means(s, "DP")
    ug = pd.DataFrame(
        {
            "g1": (me - e).mean(1),
            "g2": (ss - me).mean(1),
            "g3": (dp - ss).mean(1),
            "g4": (dp - cp).mean(1),
        },
        index=sorted(c["unit_id"].unique()),
    )
    long = long.join(ug, on="unit")
    hand = smf.mixedlm("sat ~ pe + g1 + g2 + g3 + g4", long, groups=long["unit"]).fit(reml=True)
    np.testing.assert_allclose(res.fixed["estimate"], hand.fe_params.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(res.fixed["se"], hand.bse_fe.to_numpy(), rtol=1e-5)
    v = res.variance.set_index("model")
    assert v.loc["full", "unit_var"] == pytest.approx(float(hand.cov_re.iloc[0, 0]), rel=1e-5)
    null = smf.mixedlm("sat ~ 1", long, groups=long["unit"]).fit(reml=True)
    tau, sig = float(null.cov_re.iloc[0, 0]), null.scale
    assert res.unit_share == pytest.approx(tau / (tau + sig), rel=1e-5)
    assert "Fixed effects" in str(res.summary())


def test_multilevel_recovery_small():
    # 12 studies (the full 100-study check is validation/gap_multilevel.py).
    # With nominal 95% coverage, P(<= 8 of 12 CIs cover) = 0.002 per
    # coefficient, so requiring >= 9 of 12 fails only if coverage is poor.
    truth = UnitTruth()
    want = {"Intercept": truth.sat_intercept, "PE": truth.sat_pe, **truth.sat_gap_effects}
    assert stats.binom.cdf(8, 12, 0.95) < 0.003
    hits = dict.fromkeys(want, 0)
    taus = []
    for child in np.random.SeedSequence(99).spawn(12):
        c, m, s, _ = simulate_units(60, 15, 4, truth, seed=child)
        res = multilevel(unit_scores(c, m, s))
        f = res.fixed.set_index("term")
        for k, v in want.items():
            hits[k] += bool(f.loc[k, "ci_low"] <= v <= f.loc[k, "ci_high"])
        assert not res.warnings and res.variance["converged"].all()
        taus.append(res.variance.set_index("model").loc["full", "unit_var"])
    assert all(h >= 9 for h in hits.values()), hits
    # random-intercept variance: truth 0.09; SD of one estimate ~0.03, of the
    # mean of 12 ~0.01, so +-0.035 is > 3 SE.
    assert np.mean(taus) == pytest.approx(truth.sat_unit_sd**2, abs=0.035)


def test_multilevel_bad_input(study):
    *_, scores = study
    with pytest.raises(ParameterError, match="gaps="):
        multilevel(scores, gaps=("gap9",))
    with pytest.raises(ParameterError, match="outcome='NPS'"):
        multilevel(scores, outcome="NPS")
    from dataclasses import replace

    cust = scores.customers.copy()
    cust.loc[5, "SAT"] = np.nan
    with pytest.raises(MissingValuesError, match=r"1 customer\(s\).*rows \[5\]"):
        multilevel(replace(scores, customers=cust))
    res = multilevel(scores, outcome="LOY", gaps=("gap4",), reml=False)
    assert res.fixed["term"].tolist() == ["Intercept", "PE", "gap4"] and res.method == "ML"


def test_multilevel_dimension_uses_dimension_scores(study):
    c, m, s, _, scores = study
    res = multilevel(scores, dimension="reliability", gaps=("gap1", "gap3"))
    rel = range(5, 10)
    long = scores.customers[["unit_id", "SAT"]].copy()
    long["pe"] = np.mean([c[f"P{i}"] - c[f"E{i}"] for i in rel], axis=0)
    t = scores.table.set_index("unit_id")
    long = long.join(t[["gap1_reliability", "gap3_reliability"]], on="unit_id")
    hand = smf.mixedlm(
        "SAT ~ pe + gap1_reliability + gap3_reliability", long, groups=long["unit_id"]
    ).fit(reml=True)
    np.testing.assert_allclose(res.fixed["estimate"], hand.fe_params.to_numpy(), rtol=1e-6)
