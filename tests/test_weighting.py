"""Respondent weights: weighted means, NPS, CSAT (against R survey), raking, bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import servqual as sq
from servqual import metrics as M
from servqual import weighting as W
from servqual.errors import (
    ConvergenceWarning,
    DataError,
    DegenerateResultWarning,
    InsufficientDataError,
    MissingValuesError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
)


@pytest.fixture(scope="module")
def mobi():
    df = sq.load_dataset("mobi").copy()
    # the made-up weight of validation/weights_survey.R: w_i = 1 + ((37 i) mod 11) / 5
    df["w"] = 1 + ((37 * np.arange(1, len(df) + 1)) % 11) / 5
    return df


# R 4.2.2, survey 4.1.1, validation/weights_survey.R:
#   d <- svydesign(ids = ~1, weights = ~w, data = mobi)
#   svymean(~CUSA1 + CUSA2 + PERQ1, d)
R_MEAN = {"CUSA1": 8.00439121756487, "CUSA2": 7.17045908183633, "PERQ1": 7.98642714570858}
R_SE = {"CUSA1": 0.0815762440252329, "CUSA2": 0.1168628125822373, "PERQ1": 0.0906362647703298}


def test_weighted_means_equal_r_survey(mobi):
    r = W.weighted_means(mobi, list(R_MEAN), weights="w")
    for c in R_MEAN:
        assert r.table.loc[c, "mean"] == pytest.approx(R_MEAN[c], abs=1e-8)
        assert r.table.loc[c, "se"] == pytest.approx(R_SE[c], abs=1e-8)
    # Kish: n_eff = (sum w)^2 / sum w^2, deff = n / n_eff (brute force)
    w = mobi["w"].to_numpy()
    assert r.table.loc["CUSA1", "n_eff"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert r.table.loc["CUSA1", "deff"] == pytest.approx(250 * (w**2).sum() / w.sum() ** 2)
    assert r.weighted and "Weighted means" in str(r.summary())
    assert r.provenance.options["weights"] == "w"


def test_weighted_nps_equals_r_survey(mobi):
    # svymean(~nps, d) with nps = 100 * ((CUSL3 >= 9) - (CUSL3 <= 6))
    r = M.nps(mobi["CUSL3"], weights=mobi["w"])
    assert r.nps == pytest.approx(14.9301397205589, abs=1e-8)
    assert r.se == pytest.approx(5.18231566632087, abs=1e-8)
    assert r.weighted and r.n == 250
    assert r.n_eff == pytest.approx(227.38069355364712, rel=1e-12)
    assert r.pct_promoters - r.pct_detractors == pytest.approx(r.nps)
    assert "effective n" in str(r.summary())


def test_weighted_csat_equals_r_survey(mobi):
    # svymean(~top2, d) and svyciprop(~top2, d, method = "logit") with top2 = CUSA1 >= 9
    r = M.csat(mobi["CUSA1"], weights=mobi["w"], scale=(1, 10))
    assert r.csat / 100 == pytest.approx(0.267864271457086, abs=1e-8)
    assert r.se / 100 == pytest.approx(0.0294935547294016, abs=1e-8)
    assert r.ci_lower / 100 == pytest.approx(0.213881508288937, abs=1e-8)
    assert r.ci_upper / 100 == pytest.approx(0.329756702452446, abs=1e-8)
    assert "logit CI" in str(r.summary())


def test_equal_weights_reduce_to_unweighted(mobi):
    ones = np.ones(len(mobi))
    a, b = M.nps(mobi["CUSL3"]), M.nps(mobi["CUSL3"], weights=ones * 3.0)
    assert b.nps == pytest.approx(a.nps, abs=1e-12)
    # the linearised SE is the trinomial SE times sqrt(n / (n - 1))
    assert b.se == pytest.approx(a.se * np.sqrt(250 / 249), rel=1e-12)
    assert b.n_eff == pytest.approx(250) and b.deff == pytest.approx(1.0)
    c = M.csat(mobi["CUSA1"], weights=ones, scale=(1, 10))
    assert c.csat == pytest.approx(M.csat(mobi["CUSA1"], scale=(1, 10)).csat)


def test_zero_weight_drops_the_respondent(mobi):
    w = mobi["w"].to_numpy().copy()
    w[:10] = 0.0
    full = M.nps(mobi["CUSL3"].iloc[10:], weights=w[10:])
    zero = M.nps(mobi["CUSL3"], weights=w)
    assert zero.nps == pytest.approx(full.nps, abs=1e-12)


def test_nps_missing_answer_drops_its_weight(mobi):
    s = mobi["CUSL3"].astype(float).copy()
    s.iloc[3] = np.nan
    with pytest.warns(Warning, match="missing"):
        r = M.nps(s, weights=mobi["w"], missing="omit")
    ref = M.nps(s.drop(s.index[3]), weights=mobi["w"].drop(mobi.index[3]))
    assert r.nps == pytest.approx(ref.nps, abs=1e-12) and r.n_missing == 1


def test_weighted_cov_corr_brute_force():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(40, 3)), rng.uniform(0.2, 3, 40)
    m = (w[:, None] * x).sum(0) / w.sum()
    c = sum(wi * np.outer(xi - m, xi - m) for wi, xi in zip(w, x)) / w.sum()
    assert np.allclose(W.weighted_cov(x, w), c, atol=1e-14)
    d = np.sqrt(np.diag(c))
    assert np.allclose(W.weighted_corr(x, w), c / np.outer(d, d), atol=1e-14)
    # ddof=1: equal weights give np.cov; the result does not depend on the weights' scale
    assert np.allclose(W.weighted_cov(x, None, ddof=1), np.cov(x, rowvar=False), atol=1e-14)
    assert np.allclose(W.weighted_cov(x, 7 * w, ddof=1), W.weighted_cov(x, w, ddof=1))


# ----------------------------------------------------------------- raking
def _sample(n=600, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sex": rng.choice(["f", "m"], n, p=[0.7, 0.3]),
            "age": rng.choice(["18-34", "35-54", "55+"], n, p=[0.5, 0.3, 0.2]),
            "region": rng.choice(list("NSEW"), n, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )


TARGETS = {
    "sex": {"f": 0.51, "m": 0.49},
    "age": {"18-34": 0.3, "35-54": 0.35, "55+": 0.35},
    "region": {"N": 0.25, "S": 0.25, "E": 0.25, "W": 0.25},
}


def test_rake_reproduces_every_margin():
    df = _sample()
    r = W.rake(df, TARGETS)
    assert r.converged
    w = r.weights
    assert w.sum() == pytest.approx(len(df), rel=1e-12)
    for col, margin in TARGETS.items():
        shares = w.groupby(df[col]).sum() / w.sum()
        for cat, t in margin.items():
            assert shares[cat] == pytest.approx(t, abs=1e-8)
    assert np.allclose(r.margins["achieved"], r.margins["target"], atol=1e-8)
    assert r.n_eff == pytest.approx(W.kish_neff(w)) and r.deff == pytest.approx(len(df) / r.n_eff)
    assert r.max_weight == pytest.approx(w.max() / w.mean())
    assert "Raking" in str(r.summary())


def test_rake_counts_and_base_weights():
    df = _sample()
    counts = {k: {c: 1000 * s for c, s in m.items()} for k, m in TARGETS.items()}
    base = np.where(df["sex"] == "f", 1.0, 2.0)
    r = W.rake(df, counts, weights=base, total=1000)
    assert r.weights.sum() == pytest.approx(1000)
    shares = r.weights.groupby(df["age"]).sum() / 1000
    assert shares["55+"] == pytest.approx(0.35, abs=1e-8)


def test_rake_one_margin_is_poststratification():
    df = _sample()
    r = W.rake(df, {"sex": TARGETS["sex"]})
    n_f = (df["sex"] == "f").sum()
    # post-stratification weight = target share / sample share
    assert r.weights[df["sex"] == "f"].iloc[0] == pytest.approx(0.51 * len(df) / n_f, rel=1e-12)
    assert r.iterations == 1


def test_rake_trimming_caps_weights_and_warns():
    df = _sample()
    free = W.rake(df, TARGETS)
    # a cap at half the largest raked weight is still feasible: margins met, deff smaller
    r = W.rake(df, TARGETS, trim=0.5 * free.max_weight)
    assert r.converged and r.n_trimmed > 0
    assert r.max_weight <= 0.5 * free.max_weight * (1 + 1e-8)
    assert np.allclose(r.margins["achieved"], r.margins["target"], atol=1e-8)
    assert r.deff < free.deff
    # a cap of 1.2 x the mean cannot meet these margins: flagged, not hidden
    with pytest.warns(ConvergenceWarning, match="trim at 1.2"):
        bad = W.rake(df, TARGETS, trim=1.2, max_iter=50)
    assert not bad.converged and bad.warnings and bad.max_error > 1e-3


def test_rake_on_real_data_mobi(mobi):
    # rake the mobi sample to a made-up population where loyalty (CUSL3 >= 8) is 40 %
    df = mobi.assign(loyal=np.where(mobi["CUSL3"] >= 8, "yes", "no"))
    r = W.rake(df, {"loyal": {"yes": 0.4, "no": 0.6}})
    share = r.weights[df["loyal"] == "yes"].sum() / r.weights.sum()
    assert share == pytest.approx(0.4, abs=1e-10)
    m = W.weighted_means(df, ["CUSA1"], weights=r.weights.to_numpy())
    # the weighted mean is the 40/60 mix of the two groups' means (brute force)
    by = df.groupby("loyal")["CUSA1"].mean()
    assert m.table.loc["CUSA1", "mean"] == pytest.approx(0.4 * by["yes"] + 0.6 * by["no"])
    n = M.nps(df["CUSL3"], weights=r.weights)
    assert n.deff > 1


# ----------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "weights, exc, match",
    [
        ([1.0, -1.0, 1.0, 1.0], OutOfRangeError, "negative weight at row 1"),
        ([1.0, np.nan, 1.0, 1.0], MissingValuesError, "missing at row 1"),
        ([0.0, 0.0, 0.0, 0.0], OutOfRangeError, "zero for every row"),
        ([1.0, np.inf, 1.0, 1.0], OutOfRangeError, "infinite weight"),
        ([1.0, 1.0, 1.0], ParameterError, "3 value"),
        (["a", "b", "c", "d"], NonNumericError, "not a numeric weight"),
        ("wt", DataError, "wt"),
    ],
)
def test_bad_weights_named(weights, exc, match):
    df = pd.DataFrame({"q": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(exc, match=match):
        W.weighted_means(df, "q", weights=weights)


def test_bad_weights_in_metrics():
    with pytest.raises(OutOfRangeError, match="negative"):
        M.nps([9, 10, 3], weights=[1, -2, 1])
    with pytest.raises(ParameterError, match="2 value"):
        M.csat([5, 4, 3], weights=[1, 1])
    with pytest.raises(OutOfRangeError, match="every non-missing answer"):
        with pytest.warns(Warning, match="missing"):
            M.nps([9, np.nan, 3], weights=[0, 1, 0], missing="omit")
    with pytest.raises(ParameterError, match="names a column"):
        M.nps([9, 10], weights="w")


def test_one_respondent_has_no_se():
    with pytest.warns(DegenerateResultWarning, match="'q' has a single answer"):
        r = W.weighted_means(pd.DataFrame({"q": [3.0]}), "q", weights=[2.0])
    assert r.table.loc["q", "mean"] == 3.0 and np.isnan(r.table.loc["q", "se"])
    assert r.warnings


def test_rake_segment_with_one_respondent_flagged():
    df = _sample(60)
    df.loc[0, "region"] = "Z"
    targets = {"region": {"N": 0.3, "S": 0.3, "E": 0.2, "W": 0.1, "Z": 0.1}}
    with pytest.warns(DegenerateResultWarning, match="category 'Z' has a single respondent"):
        r = W.rake(df, targets)
    assert r.weights.iloc[0] == pytest.approx(0.1 * 60)  # one person = 10 % of the population
    assert r.warnings


def test_rake_bad_inputs_named():
    df = _sample(50)
    with pytest.raises(DataError, match=r"'region' holds category .* no target"):
        W.rake(df, {"region": {"N": 0.5, "S": 0.5}})
    with pytest.raises(InsufficientDataError, match=r"no respondent in category 'X'"):
        W.rake(df, {"sex": {"f": 0.4, "m": 0.4, "X": 0.2}})
    with pytest.raises(ParameterError, match=r"targets\['sex'\]\['f'\] = -0.1"):
        W.rake(df, {"sex": {"f": -0.1, "m": 1.1}})
    with pytest.raises(ParameterError, match="different totals"):
        W.rake(df, {"sex": {"f": 30, "m": 20}, "age": {"18-34": 10, "35-54": 10, "55+": 10}})
    bad = df.copy()
    bad.loc[7, "sex"] = None
    with pytest.raises(MissingValuesError, match=r"'sex' is missing at row 7"):
        W.rake(bad, {"sex": {"f": 0.5, "m": 0.5}})
    with pytest.raises(DataError, match="'nope'"):
        W.rake(df, {"nope": {"a": 1}})
    with pytest.raises(ParameterError, match="trim"):
        W.rake(df, {"sex": {"f": 0.5, "m": 0.5}}, trim=0.5)
    with pytest.raises(ParameterError, match="targets"):
        W.rake(df, {})


def test_csi_item_weights_renamed_and_respondent_weights(mobi):
    items = ["CUSA1", "CUSA2", "CUSA3"]
    new = M.csi(mobi, items, item_weights={"CUSA1": 2, "CUSA2": 1, "CUSA3": 1})
    with pytest.warns(FutureWarning, match="item_weights"):
        old = M.csi(mobi, items, weights={"CUSA1": 2, "CUSA2": 1, "CUSA3": 1})
    assert old.index == new.index
    # respondent weights: the index is built from the weighted item means (R svymean above)
    r = M.csi(mobi, items, weights="w")
    means = W.weighted_means(mobi, items, weights="w").table["mean"].to_numpy()
    assert r.index == pytest.approx(100 * np.mean((means - 1) / 9), abs=1e-12)
    assert r.items["mean"].iloc[0] == pytest.approx(R_MEAN["CUSA1"], abs=1e-8)
    with pytest.raises(OutOfRangeError, match="negative weight at row 0"):
        M.csi(mobi, items, weights=-mobi["w"])
    # bootstrap resamples carry the weights: a respondent with weight 0 never matters
    w0 = mobi["w"].to_numpy().copy()
    w0[0] = 0.0
    moved = mobi.copy()
    moved.loc[0, items] = 10
    a = M.csi(mobi, items, weights=w0, n_boot=50, seed=1, progress=False)
    b = M.csi(moved, items, weights=w0, n_boot=50, seed=1, progress=False)
    assert (a.ci_lower, a.ci_upper) == pytest.approx((b.ci_lower, b.ci_upper), abs=1e-12)


def test_reusable_estimates_match_the_metrics(mobi):
    w = mobi["w"].to_numpy()
    for weights in (None, w):
        e = W.nps_estimate(mobi["CUSL3"].to_numpy(), weights)
        r = M.nps(mobi["CUSL3"], weights=weights)
        assert (e.estimate, e.se, e.n_eff, e.deff) == pytest.approx((r.nps, r.se, r.n_eff, r.deff))
        s = W.share_estimate(mobi["CUSA1"].to_numpy() >= 9, weights)
        c = M.csat(mobi["CUSA1"], weights=weights, scale=(1, 10))
        assert (100 * s.estimate, 100 * s.se) == pytest.approx((c.csat, c.se))
    m = W.mean_estimate(mobi["CUSA2"].to_numpy(), w)
    assert (m.estimate, m.se) == pytest.approx((R_MEAN["CUSA2"], R_SE["CUSA2"]), abs=1e-8)


def test_raking_removes_the_bias_of_an_informative_sample():
    # population: segment "a" is 30 % and scores 2 points higher; the sample has 70 % "a".
    # Raked to the known 30/70 margin, the weighted mean is unbiased for the population
    # mean (4.0 + 0.3 * 2 = 4.6) while the raw mean (about 5.4) is off by ~0.8, i.e.
    # ~10 SEs at n = 2000; the weighted mean must sit within 3 of its linearised SEs.
    rng = np.random.default_rng(2024)
    n = 2000
    seg = np.where(rng.random(n) < 0.7, "a", "b")
    y = np.where(seg == "a", 6.0, 4.0) + rng.normal(0, 1.5, n)
    df = pd.DataFrame({"seg": seg, "y": y})
    r = W.rake(df, {"seg": {"a": 0.3, "b": 0.7}})
    est = W.mean_estimate(df["y"].to_numpy(), r.weights.to_numpy())
    raw = W.mean_estimate(df["y"].to_numpy())
    assert abs(est.estimate - 4.6) < 3 * est.se
    assert abs(raw.estimate - 4.6) > 10 * raw.se
    # Kish: deff = 1 + cv^2 of the two weights 0.3/0.7 and 0.7/0.3 (in sample shares)
    assert est.deff == pytest.approx(r.deff) and est.deff > 1.5
