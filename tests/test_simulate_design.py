"""The simulator knows the truth: segments, waves and an informative design.

Long versions: ``validation/tracking_recovery.py`` (writes validation/results/).
"""

import numpy as np
import pandas as pd
import pytest

from servqual import simulate_survey
from servqual.compare import compare, z_difference
from servqual.errors import ParameterError
from servqual.metrics import nps
from servqual.simulate import Truth
from servqual.simulate_design import SurveyDesign
from servqual.weighting import nps_estimate

DESIGN = SurveyDesign({"retail": 0.8, "business": 0.2}, sample={"retail": 0.5, "business": 0.5},
                      segment_shift={"business": -1.0}, waves=2,
                      wave_shift={2: {"reliability": 0.6, "responsiveness": 0.4}})  # fmt: skip


def test_design_columns_and_known_weights():
    df, truth = simulate_survey(400, seed=1, design=DESIGN)
    assert len(df) == 800 and df["wave"].value_counts().tolist() == [400, 400]
    w = df.groupby("segment")["weight"].first()
    assert w["retail"] == pytest.approx(1.6) and w["business"] == pytest.approx(0.4)
    tt = DESIGN.truth_table(truth)
    pop = tt[(tt.segment == "population") & (tt.wave == 1)]["nps"].item()
    seg = tt[tt.wave == 1].set_index("segment")["nps"]
    assert pop == pytest.approx(0.8 * seg["retail"] + 0.2 * seg["business"])
    assert seg["business"] < seg["retail"] - 20  # satisfaction differs by segment
    # the shift moves wave 2 up, and the truth says by how much
    assert tt[(tt.segment == "retail") & (tt.wave == 2)]["nps"].item() > seg["retail"] + 5
    # without a design the old frame is unchanged (same seed, same bits)
    a, _ = simulate_survey(50, seed=3)
    b, _ = simulate_survey(50, seed=3)
    assert a.equals(b) and "wave" not in a


def test_ltr_distribution_is_the_truth():
    # 60,000 answers of one segment: each category share within 4 SE of its probability
    d = SurveyDesign({"s": 1.0})
    df, truth = simulate_survey(60_000, seed=2, design=d)
    p = d.ltr_probabilities(truth, "s")
    obs = np.bincount(df["LTR"], minlength=11) / len(df)
    assert np.all(np.abs(obs - p) < 4 * np.sqrt(p * (1 - p) / len(df)) + 1e-12)
    t = d.true_topbox(truth, "s")
    f = (df["SAT1"] >= 6).mean()
    assert abs(f - t) < 4 * np.sqrt(t * (1 - t) / len(df))


def test_weighted_nps_unbiased_where_unweighted_is_biased():
    df, truth = simulate_survey(20_000, seed=5, design=DESIGN)
    w1 = df[df.wave == 1]
    true = DESIGN.true_nps(truth, None, 1)
    weighted = nps(w1["LTR"], weights=w1["weight"])
    plain = nps(w1["LTR"])
    assert abs(weighted.nps - true) < 3 * weighted.se  # unbiased: within 3 SE
    assert plain.nps - true < -10 * plain.se  # business over-sampled: far too low


def _draws(rng, probs, n, reps):
    """reps samples of n 0-10 answers from the exact answer probabilities."""
    return rng.choice(11, size=(reps, n), p=probs)


def _nps_parts(y):
    """NPS and trinomial SE of each row of y (reps, n), as servqual.weighting.nps_estimate."""
    pp, pd_ = (y >= 9).mean(axis=1), (y <= 6).mean(axis=1)
    return 100 * (pp - pd_), 100 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / y.shape[1])


def test_nps_difference_test_level_power_and_coverage():
    # 1,000 simulated pairs of waves of n = 300 from the simulator's exact LTR distribution
    truth = Truth()
    d = SurveyDesign({"s": 1.0}, waves=2, wave_shift={2: {"reliability": 1.0, "assurance": 0.6}})
    rng = np.random.default_rng(20)
    reps, n = 1000, 300
    p1, p2 = d.ltr_probabilities(truth, "s", 1), d.ltr_probabilities(truth, "s", 2)
    # the vectorised test is compare()'s NPS test
    a, b = _draws(rng, p1, n, 1)[0], _draws(rng, p2, n, 1)[0]
    row = compare(pd.DataFrame({"y": np.r_[a, b], "g": np.repeat(["a", "b"], n)}), "y", "g")
    (ea, sa), (eb, sb) = _nps_parts(a[None]), _nps_parts(b[None])
    assert row.table.loc[0, "p"] == pytest.approx(z_difference(ea, sa, eb, sb)[3][0], abs=1e-12)

    def run(pa, pb):
        (ea, sa), (eb, sb) = (
            _nps_parts(_draws(rng, pa, n, reps)),
            _nps_parts(_draws(rng, pb, n, reps)),
        )
        return z_difference(ea, sa, eb, sb)

    null = run(p1, p1)
    level = np.mean(null[3] < 0.05)
    assert 0.035 <= level <= 0.065  # SE of a rate near 0.05 over 1,000: 0.007
    delta = d.true_nps(truth, "s", 1) - d.true_nps(truth, "s", 2)
    alt = run(p1, p2)
    cover = np.mean((alt[4] <= delta) & (delta <= alt[5]))
    assert 0.93 <= cover <= 0.97
    # power: the normal approximation at the true NPS values, +-0.05
    from scipy import stats

    def var(p):
        pp, pd_ = p[9:].sum(), p[:7].sum()
        return 1e4 * (pp + pd_ - (pp - pd_) ** 2) / n

    z = abs(delta) / np.sqrt(var(p1) + var(p2))
    power = stats.norm.sf(1.959964 - z) + stats.norm.cdf(-1.959964 - z)
    assert power > 0.6
    assert abs(np.mean(alt[3] < 0.05) - power) < 0.05


def test_weighted_ci_coverage_under_informative_design():
    truth = Truth()
    rng = np.random.default_rng(9)
    reps, n = 1000, 400
    segs = DESIGN.segments
    probs = [DESIGN.ltr_probabilities(truth, s, 1) for s in segs]
    true = DESIGN.true_nps(truth, None, 1)
    hit = 0
    for _ in range(reps):
        s = rng.choice(2, size=n, p=[DESIGN.sample[x] for x in segs])
        y = np.where(s == 0, rng.choice(11, n, p=probs[0]), rng.choice(11, n, p=probs[1]))
        w = np.array([DESIGN.weight(x) for x in segs])[s]
        e = nps_estimate(y, w)  # the estimator of metrics.nps(weights=)
        hit += abs(e.estimate - true) <= 1.959964 * e.se
    assert 0.93 <= hit / reps <= 0.97


def test_design_bad_inputs():
    with pytest.raises(ParameterError, match="population"):
        SurveyDesign({"a": 0.5, "b": 0.4})
    with pytest.raises(ParameterError, match="sample"):
        SurveyDesign({"a": 0.5, "b": 0.5}, sample={"a": 1.0})
    with pytest.raises(ParameterError, match="unknown segment.*'c'"):
        SurveyDesign({"a": 1.0}, segment_shift={"c": 1.0})
    with pytest.raises(ParameterError, match=r"wave\(s\) \[3\]"):
        SurveyDesign({"a": 1.0}, waves=2, wave_shift={3: {"tangibles": 1.0}})
    with pytest.raises(ParameterError, match="'speed'"):
        simulate_survey(
            10, seed=1, design=SurveyDesign({"a": 1.0}, waves=2, wave_shift={2: {"speed": 1.0}})
        )
