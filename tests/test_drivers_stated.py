"""Stated versus derived importance and the rank-claim test."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from servqual import Instrument, simulate_survey
from servqual.drivers import rank_claim, shapley, stated_vs_derived
from servqual.errors import MissingColumnError, OutOfRangeError, ParameterError

GROUPS = {d: [f"P{i}" for i in items] for d, items in Instrument.servqual22().dimensions.items()}
STATED = {d: f"IMP_{d}" for d in GROUPS}


def _managers(n, seed, lead="tangibles"):
    """Managers' allocations with a known mean: Dirichlet shares, largest-remainder
    rounding residue put on the reliability column."""
    shares = {
        "tangibles": 0.15,
        "reliability": 0.25,
        "responsiveness": 0.2,
        "assurance": 0.2,
        "empathy": 0.2,
    }
    shares[lead] += 0.2
    shares["reliability"] -= 0.1
    shares["responsiveness"] -= 0.1
    alpha = 30 * np.array(list(shares.values()))
    a = np.round(np.random.default_rng(seed).dirichlet(alpha, n) * 100)
    a[:, 1] += 100 - a.sum(axis=1)
    return pd.DataFrame(a, columns=list(STATED.values())), shares


@pytest.fixture(scope="module")
def survey():
    df, truth = simulate_survey(2000, seed=11)
    df["SAT"] = df[["SAT1", "SAT2", "SAT3"]].mean(axis=1)
    return df, truth


def test_point_estimates_and_agreement(survey):
    df, truth = survey
    man, _ = _managers(60, 1)
    res = stated_vs_derived(
        df, STATED, "SAT", GROUPS, managers=man, n_boot=200, seed=3, progress=False
    )
    wide = res.wide()
    np.testing.assert_allclose(wide["customers"], df[list(STATED.values())].mean(), rtol=1e-12)
    np.testing.assert_allclose(wide["managers"], man.mean(), rtol=1e-12)
    sh = shapley(df, "SAT", None, groups=GROUPS)
    np.testing.assert_allclose(wide["derived"], 100 * sh["share"], rtol=1e-10)
    agr = res.agreement.set_index("comparison")
    assert agr.loc["customers vs derived", "tau"] == pytest.approx(
        stats.kendalltau(wide["customers"], wide["derived"]).statistic
    )
    assert agr.loc["managers vs derived", "tau"] == pytest.approx(
        stats.kendalltau(wide["managers"], wide["derived"]).statistic
    )
    assert ((agr["ci_lower"] <= agr["tau"]) & (agr["tau"] <= agr["ci_upper"])).all()
    gaps = res.gaps.set_index("dimension")
    np.testing.assert_allclose(gaps["gap"], wide["managers"] - wide["customers"])
    # managers over-weight tangibles by ~20 points relative to customers (11 points):
    # a gap-1 signal whose interval excludes zero
    assert gaps.loc["tangibles", "ci_lower"] > 10
    assert "gap-1" in str(res.summary())


def test_stated_importance_recovers_truth(survey):
    """Customers' mean allocation estimates Truth.stated_importance (Dirichlet mean);
    SD of an allocation is ~sqrt(s(1-s)/21)*100 ≈ 10 points, SE at n=2000 ≈ 0.23;
    tolerance 1 point ≈ 4 SE.  The bootstrap interval covers the truth."""
    df, truth = survey
    res = stated_vs_derived(df, STATED, "SAT", GROUPS, n_boot=200, seed=3, progress=False)
    tab = res.table[res.table.source == "customers"].set_index("dimension")
    for d, s in truth.stated_importance.items():
        assert tab.loc[d, "importance"] == pytest.approx(100 * s, abs=1.0)
    assert res.n_managers == 0 and res.gaps.empty
    assert list(res.agreement["comparison"]) == ["customers vs derived"]


def test_rank_claim(survey):
    df, truth = survey
    cust = rank_claim(df, ["reliability", "responsiveness"], columns=STATED, who="customers")
    assert cust.supported and cust.p_value < 1e-10
    # the IUT p-value is the largest of the paired one-sided t-tests
    diffs = df["IMP_responsiveness"] - df["IMP_assurance"]
    p = stats.ttest_1samp(diffs, 0, alternative="greater").pvalue
    row = cust.comparisons.set_index(["claimed", "other"]).loc[("responsiveness", "assurance")]
    assert row["p_value"] == pytest.approx(p)
    assert cust.p_value == cust.comparisons["p_value"].max()
    wrong = rank_claim(df, ["tangibles"], columns=STATED, test="wilcoxon")
    assert not wrong.supported and wrong.p_value > 0.5
    man, _ = _managers(40, 2)
    m = rank_claim(man, ["tangibles"], columns=STATED, who="managers")
    assert m.supported and m.ranking["rank"]["tangibles"] == 1
    assert "managers" in str(m.summary())


def test_bad_input(survey):
    df, _ = survey
    small = df.head(200)
    bad = small.copy()
    bad.loc[bad.index[4], "IMP_empathy"] += 5
    with pytest.raises(OutOfRangeError, match=r"sum to 100.*row 4.*105"):
        stated_vs_derived(bad, STATED, "SAT", GROUPS, n_boot=0)
    with pytest.raises(OutOfRangeError, match="sum to 100"):
        rank_claim(bad, ["reliability"], columns=STATED)
    neg = small.copy()
    neg.loc[neg.index[2], "IMP_empathy"] = -1
    with pytest.raises(OutOfRangeError, match="IMP_empathy"):
        rank_claim(neg, ["reliability"], columns=STATED)
    with pytest.raises(ParameterError, match="same dimensions"):
        stated_vs_derived(small, STATED, "SAT", {"tangibles": ["P1"]}, n_boot=0)
    with pytest.raises(ParameterError, match="not among"):
        rank_claim(small, ["speed"], columns=STATED)
    with pytest.raises(ParameterError, match="every dimension"):
        rank_claim(small, list(STATED), columns=STATED)
    with pytest.raises(ParameterError, match="test='z'"):
        rank_claim(small, ["reliability"], columns=STATED, test="z")
    with pytest.raises(MissingColumnError, match="manager allocation"):
        stated_vs_derived(small, STATED, "SAT", GROUPS, managers=pd.DataFrame({"a": [1]}), n_boot=0)


def test_same_seed_same_intervals_whatever_n_jobs(survey):
    df, _ = survey
    man, _ = _managers(30, 4)
    kw = dict(managers=man, n_boot=60, seed=8, progress=False)
    one = stated_vs_derived(df.head(500), STATED, "SAT", GROUPS, n_jobs=1, **kw)
    two = stated_vs_derived(df.head(500), STATED, "SAT", GROUPS, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(one.table, two.table)
    pd.testing.assert_frame_equal(one.agreement, two.agreement)
    pd.testing.assert_frame_equal(one.gaps, two.gaps)
