"""Tests of servqual.metrics (NPS, CSAT, CSI)."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from servqual import metrics as M
from servqual.errors import (
    DegenerateResultWarning,
    EmptyDataError,
    MissingColumnError,
    MissingDataWarning,
    MissingValuesError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
)


def test_nps_reference_case():
    # Issue 4 reference (trinomial SE, Rocks 2016): p_P = 1/2, p_D = 1/6, n = 100
    # -> NPS 33.3 points, SE 7.45 points.
    assert M.nps_se(1 / 2, 1 / 6, 100) == pytest.approx(7.4536, abs=1e-4)
    # Same proportions from raw answers at n = 600 (300 promoters, 100 detractors):
    r = M.nps([9] * 150 + [10] * 150 + [7] * 100 + [8] * 100 + list(range(7)) * 14 + [0, 6])
    assert r.n == 600 and r.n_promoters == 300 and r.n_detractors == 100
    assert r.nps == pytest.approx(100 / 3)
    assert r.se == pytest.approx(7.4536 / np.sqrt(6), abs=1e-4)
    assert r.ci_lower == pytest.approx(r.nps - 1.959964 * r.se, abs=1e-5)
    assert r.ci_upper == pytest.approx(r.nps + 1.959964 * r.se, abs=1e-5)
    assert r.pct_promoters == pytest.approx(50.0)
    assert "Net Promoter Score" in str(r.summary())
    assert r.to_frame().loc[0, "n_passives"] == 200


def test_nps_se_matches_bootstrap_brute_force():
    # The trinomial SE is the SD of the NPS over repeated samples: check by simulation
    rng = np.random.default_rng(3)
    p = np.array([0.2, 0.3, 0.5])  # detractor, passive, promoter
    draws = rng.multinomial(400, p, size=20000)
    sims = 100 * (draws[:, 2] - draws[:, 0]) / 400
    # Monte-Carlo SE of an SD with 20,000 draws is ~0.5% -> 3% tolerance
    assert M.nps_se(0.5, 0.2, 400) == pytest.approx(sims.std(), rel=0.03)


def test_nps_edge_and_bad_input():
    with pytest.warns(DegenerateResultWarning, match="zero-width"):
        r = M.nps([10, 10, 9])
    assert r.nps == 100.0 and r.se == 0.0 and r.ci_upper == 100.0
    assert any("zero-width" in w for w in r.warnings)
    with pytest.raises(OutOfRangeError, match=r"row 1 \(value 11\)"):
        M.nps([3, 11])
    with pytest.raises(OutOfRangeError, match="-1"):
        M.nps(pd.Series([3, -1]))
    with pytest.raises(OutOfRangeError, match="whole numbers.*8.5"):
        M.nps([8.5, 9])
    with pytest.raises(NonNumericError, match="'ten'"):
        M.nps([9, "ten"])
    # yes/no answers are not 0-10 scores: True/False must not count as 1/0
    with pytest.raises(NonNumericError, match="row 1 holds the boolean False"):
        M.nps([9, False, True])
    with pytest.raises(NonNumericError, match="boolean True"):
        M.csat(pd.Series([True, False]), scale=(1, 5))
    with pytest.raises(MissingValuesError, match="row 1"):
        M.nps([9, np.nan], missing="raise")
    # default "available": dropped, counted and warned about
    with pytest.warns(MissingDataWarning, match="1 missing"):
        r = M.nps([9, np.nan, 0, 10])
    assert r.n == 3 and r.n_missing == 1 and r.nps == pytest.approx(100 / 3) and r.warnings
    with pytest.warns(FutureWarning, match="omit"), pytest.warns(MissingDataWarning):
        r = M.nps([9, np.nan, 0, 10], missing="omit")
    assert r.n_missing == 1
    with pytest.raises(EmptyDataError):
        M.nps([])
    with pytest.raises(ParameterError, match="ci=1.5"):
        M.nps([9], ci=1.5)
    with pytest.raises(ParameterError, match="missing='drop'"):
        M.nps([9], missing="drop")
    with pytest.raises(ParameterError, match="p_promoters"):
        M.nps_se(1.2, 0, 10)
    with pytest.raises(ParameterError, match="at most 1"):
        M.nps_se(0.7, 0.6, 10)
    with pytest.raises(ParameterError, match="n=0"):
        M.nps_se(0.5, 0.1, 0)


@pytest.mark.parametrize("k,n", [(0, 10), (6, 10), (30, 100), (97, 100), (412, 1000)])
def test_wilson_against_statsmodels(k, n):
    # reference: statsmodels.stats.proportion.proportion_confint(method="wilson")
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    got = M.wilson_interval(k, n)
    assert got == pytest.approx((lo, hi), abs=1e-12)
    lo90, hi90 = proportion_confint(k, n, alpha=0.10, method="wilson")
    assert M.wilson_interval(k, n, ci=0.9) == pytest.approx((lo90, hi90), abs=1e-12)


def test_csat_top2box():
    x = [5, 4, 4, 3, 2, 5, 1, 4, 5, 3]
    r = M.csat(x)
    assert r.n_satisfied == 6 and r.threshold == 4
    lo, hi = proportion_confint(6, 10, method="wilson")
    assert (r.csat, r.ci_lower, r.ci_upper) == pytest.approx((60.0, 100 * lo, 100 * hi))
    r7 = M.csat([7, 6, 5, 6, 1], scale=(1, 7), top=2)
    assert r7.n_satisfied == 3 and r7.threshold == 6
    r1 = M.csat([7, 6, 5, 6, 1], scale=(1, 7), top=1)
    assert r1.n_satisfied == 1
    assert "CSAT" in str(r.summary())


def test_csat_bad_input():
    with pytest.raises(OutOfRangeError, match=r"value 6\).*1-5"):
        M.csat([5, 6], scale=(1, 5))
    with pytest.raises(OutOfRangeError, match="value 0"):
        M.csat([0, 4], scale=(1, 5))
    with pytest.raises(ParameterError, match="top=5"):
        M.csat([1, 5], top=5)
    with pytest.raises(ParameterError, match="top=0"):
        M.csat([1, 5], top=0)
    with pytest.raises(ParameterError, match="scale"):
        M.csat([1, 5], scale=(5, 1))
    with pytest.raises(MissingValuesError):
        M.csat([1, None], missing="raise")
    with pytest.raises(ParameterError, match="k=11"):
        M.wilson_interval(11, 10)
    with pytest.raises(ParameterError, match="n=0"):
        M.wilson_interval(0, 0)


def test_csi_formula_brute_force():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(1, 11, size=(200, 3)), columns=["a", "b", "c"])
    w = {"a": 0.5, "b": 0.3, "c": 0.2}
    r = M.csi(df, ["a", "b", "c"], item_weights=w, scale=(1, 10))
    means = df.mean()
    by_hand = 100 * sum(w[c] * (means[c] - 1) for c in w) / (9 * sum(w.values()))
    assert r.index == pytest.approx(by_hand, abs=1e-12)
    assert r.items["weight"].sum() == pytest.approx(1.0)
    assert r.items.set_index("item").loc["b", "score"] == pytest.approx(100 * (means["b"] - 1) / 9)
    # all answers at the top / bottom of the scale give 100 / 0
    top = pd.DataFrame({"a": [10, 10], "b": [10, 10]})
    with pytest.warns(DegenerateResultWarning, match="top of the 1-10 scale"):
        assert M.csi(top, ["a", "b"]).index == 100.0
    with pytest.warns(DegenerateResultWarning, match="bottom"):
        r0 = M.csi(top - 9, ["a", "b"])
    assert r0.index == 0.0 and r0.warnings
    # equal weights from a sequence
    equal = M.csi(df, ["a", "b"], item_weights=[1, 1]).index
    assert equal == pytest.approx(M.csi(df, ["a", "b"]).index)


def test_csi_bootstrap_reproducible():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.integers(1, 11, size=(150, 2)), columns=["a", "b"])
    r1 = M.csi(df, ["a", "b"], n_boot=200, seed=5, progress=False)
    r2 = M.csi(df, ["a", "b"], n_boot=200, seed=5, progress=False, n_jobs=2)
    assert (r1.ci_lower, r1.ci_upper) == (r2.ci_lower, r2.ci_upper)
    assert r1.ci_lower < r1.index < r1.ci_upper
    assert "bootstrap CI" in str(r1.summary())


def test_csi_bad_input():
    seeded = pd.DataFrame({"a": [1, 5, 7, 3], "b": [2, 2, 6, 5]})
    for seed in (-1, "x"):
        with pytest.raises(ParameterError, match=f"seed={seed!r} is invalid"):
            M.csi(seeded, ["a", "b"], scale=(1, 7), n_boot=40, seed=seed, progress=False)
    df = pd.DataFrame({"a": [1, 5, 11], "b": [2, 3, 4]})
    with pytest.raises(OutOfRangeError, match=r"'a'.*value 11"):
        M.csi(df, ["a", "b"])
    with pytest.raises(MissingColumnError, match="zz"):
        M.csi(df, ["zz"])
    with pytest.raises(ParameterError, match="no weight for"):
        M.csi(df, ["a", "b"], item_weights={"a": 1}, scale=(1, 11))
    with pytest.raises(ParameterError, match="3 values"):
        M.csi(df, ["a", "b"], item_weights=[1, 2, 3], scale=(1, 11))
    with pytest.raises(ParameterError, match=r"weights\['b'\]=-1"):
        M.csi(df, ["a", "b"], item_weights=[1, -1], scale=(1, 11))
    with pytest.raises(ParameterError, match="all zero"):
        M.csi(df, ["a", "b"], item_weights=[0, 0], scale=(1, 11))
    with pytest.raises(ParameterError, match="items is empty"):
        M.csi(df, [])
    with pytest.raises(ParameterError, match="n_boot"):
        M.csi(df, ["b"], n_boot=-1)
    dfm = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [2, 3, 4]})
    with pytest.raises(MissingValuesError, match="'a'"):
        M.csi(dfm, ["a", "b"], missing="raise")
    with pytest.warns(MissingDataWarning):
        r = M.csi(dfm, ["a", "b"])  # default "available": each item's own answers
    assert r.items["n"].tolist() == [2, 3]
    assert r.items["mean"].tolist() == [2.0, 3.0]
    with pytest.warns(MissingDataWarning, match="1 of 3 respondents dropped"):
        r = M.csi(dfm, ["a", "b"], missing="listwise")
    assert r.items["n"].tolist() == [2, 2]
    assert r.items["mean"].tolist() == [2.0, 3.0]
