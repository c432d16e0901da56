"""Ground-truth simulator: determinism, exact implied moments, parameter recovery."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from servqual import Instrument, Truth, load_dataset, simulate_survey
from servqual.datasets import servqual_sim_truth
from servqual.datasets.make_servqual_sim import make
from servqual.errors import ParameterError
from servqual.scores import composites
from servqual.simulate import OUTCOMES, _ordinal_moments

SQ = Instrument.servqual22()


@pytest.fixture(scope="module")
def big():
    return simulate_survey(20_000, seed=2026)


def test_same_seed_same_frame_and_no_global_state():
    before = np.random.get_state()[1].copy()
    a, _ = simulate_survey(300, seed=7)
    b, _ = simulate_survey(300, seed=7)
    c, _ = simulate_survey(300, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    np.testing.assert_array_equal(before, np.random.get_state()[1])
    g = np.random.default_rng(7)
    pd.testing.assert_frame_equal(simulate_survey(300, seed=g)[0], a)


def test_columns_and_ranges():
    df, truth = simulate_survey(2000, seed=1)
    assert df[SQ.columns("P") + SQ.columns("E")].isin(range(1, 8)).all().all()
    assert df["LTR"].between(0, 10).all()
    assert (df[[f"IMP_{d}" for d in truth.dimensions]].sum(axis=1) == 100).all()
    assert set(df["complaint_outcome"].unique()) <= set(OUTCOMES)
    assert (df.loc[df.problem == 0, "complained"] == 0).all()
    assert set(df["segment"]) == {"A", "B"}
    np.testing.assert_array_equal(df["G7"], df["P7"] - df["E7"])
    five, _ = simulate_survey(500, Truth(scale_points=5), seed=1)
    assert five[SQ.columns("P")].isin(range(1, 6)).all().all()
    assert five["P5"].nunique() == 5


def test_hermite_moments_equal_bivariate_normal_brute_force():
    # Exact E[f(X) g(Y)] from bivariate-normal rectangle probabilities (scipy).
    r = 0.71
    cuts = [np.array([-1.2, -0.1, 0.8]), np.array([-1.8, -0.6, 0.3, 1.4])]
    codes = [np.arange(1.0, 5.0), np.arange(1.0, 6.0)]
    _, cov = _ordinal_moments(np.array([[1, r], [r, 1]]), cuts, codes)
    mvn = stats.multivariate_normal(cov=[[1, r], [r, 1]])
    a = np.concatenate([[-10], cuts[0], [10]])
    b = np.concatenate([[-10], cuts[1], [10]])
    F = np.array([[mvn.cdf([x, y]) for y in b] for x in a])
    P = np.diff(np.diff(F, axis=0), axis=1)
    brute = codes[0] @ P @ codes[1] - (codes[0] @ P.sum(1)) * (codes[1] @ P.sum(0))
    assert cov[0, 1] == pytest.approx(brute, abs=1e-7)


def test_composite_correlations_recovered(big):
    """Sample composite correlations vs. the exact population values of Truth.

    Tolerance 0.03: at n = 20,000 the SE of a correlation is at most
    1/sqrt(n) = 0.007, so 0.03 is > 4 SE for every one of the 21 pairs, while
    a generator error (a wrong loading or factor correlation of 0.1) moves the
    composite correlations by more than 0.05.
    """
    df, truth = big
    comp = composites(df, SQ, "P").assign(
        satisfaction=df[["SAT1", "SAT2", "SAT3"]].mean(axis=1),
        loyalty=df[["LOY1", "LOY2"]].mean(axis=1),
    )
    _, cov = truth.implied_composites("P")
    sd = np.sqrt(np.diag(cov))
    implied = cov / np.outer(sd, sd)
    sample = comp[implied.columns].corr()
    diff = (sample - implied).abs().to_numpy()
    assert diff.max() < 0.03
    # the population values are far from trivial (no test passes vacuously)
    assert implied.loc["reliability", "satisfaction"] > 0.4


def test_satisfaction_weights_recovered(big):
    """Standardized OLS weights of the satisfaction composite on the five
    dimension composites vs. those implied by Truth (exact moments).

    Tolerance 0.03: with these predictor correlations (0.3-0.5) the SE of a
    standardized weight at n = 20,000 is about 0.006-0.008 (checked by the
    OLS standard errors below), so 0.03 is about 4 SE.
    """
    df, truth = big
    comp = composites(df, SQ, "P")
    sat = df[["SAT1", "SAT2", "SAT3"]].mean(axis=1)
    z = (comp - comp.mean()) / comp.std()
    y = (sat - sat.mean()) / sat.std()
    X = np.column_stack([np.ones(len(z)), z.to_numpy()])
    beta, *_ = np.linalg.lstsq(X, y.to_numpy(), rcond=None)
    resid = y.to_numpy() - X @ beta
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ X)) * resid.var(ddof=6))[1:]
    assert se.max() < 0.0075
    implied = truth.implied_satisfaction_weights("P")
    est = pd.Series(beta[1:], index=comp.columns)
    assert (est - implied).abs().max() < 0.03
    # default order reliability > responsiveness > assurance > empathy > tangibles
    order = ["reliability", "responsiveness", "assurance", "empathy", "tangibles"]
    assert list(implied.sort_values(ascending=False).index) == order
    assert list(est.sort_values(ascending=False).index) == order


def test_item_moments_match_implied(big):
    df, truth = big
    cols = ["P1", "P6", "E6", "SAT2", "LOY1", "LTR"]
    mean, cov = truth.implied_moments(cols)
    se_mean = np.sqrt(np.diag(cov) / len(df))
    assert (np.abs(df[cols].mean() - mean) < 4 * se_mean).all()


def test_behaviour_shares_follow_truth(big):
    df, truth = big
    prob = df[df.problem == 1]
    c = prob["complained"].mean()
    se = np.sqrt(truth.complain_rate * (1 - truth.complain_rate) / len(prob))
    assert abs(c - truth.complain_rate) < 4 * se
    comp = df[df.complained == 1]
    resolved = comp["complaint_outcome"].isin(["resolved", "resolved_quickly"]).mean()
    assert abs(resolved - truth.resolve_rate) < 4 * np.sqrt(0.24 / len(comp))
    # churn falls and positive WOM rises with satisfaction; silent exit worse than quick fix
    sat = df[["SAT1", "SAT2", "SAT3"]].mean(axis=1)
    assert df.loc[sat <= 3, "churn"].mean() > df.loc[sat >= 6, "churn"].mean() + 0.1
    assert df.loc[sat >= 6, "wom_positive"].mean() > df.loc[sat <= 3, "wom_positive"].mean()
    by = df.groupby("complaint_outcome", observed=True)["churn"].mean()
    assert by["unresolved"] > by["resolved_quickly"]


def test_truth_validation_errors():
    with pytest.raises(ParameterError, match="loadings"):
        Truth(loadings=(1.2,) * 22)
    with pytest.raises(ParameterError, match="residual variance"):
        Truth(satisfaction_weights=dict(tangibles=0.6, reliability=0.6, responsiveness=0.6,
                                        assurance=0.6, empathy=0.6))  # fmt: skip
    with pytest.raises(ParameterError, match="positive-definite"):
        Truth(factor_corr=((1.0, 0.99, -0.99, 0, 0), (0.99, 1, 0.99, 0, 0),
                           (-0.99, 0.99, 1, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, 0, 1)))  # fmt: skip
    with pytest.raises(ParameterError, match="scale_points"):
        Truth(scale_points=1)
    with pytest.raises(ParameterError, match="complain_rate"):
        Truth(complain_rate=1.5)
    with pytest.raises(ParameterError, match="n=0"):
        simulate_survey(0)
    with pytest.raises(TypeError, match="Truth"):
        simulate_survey(10, truth={"scale_points": 5})


def test_truth_round_trip_and_shipped_dataset():
    t = Truth(scale_points=5, pe_corr=0.2)
    assert Truth.from_dict(t.to_dict()) == t
    shipped = load_dataset("servqual_sim")
    fresh, truth = make()
    pd.testing.assert_frame_equal(shipped, fresh, check_dtype=False)
    assert servqual_sim_truth() == truth
