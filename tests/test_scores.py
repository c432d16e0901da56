"""SERVQUAL scores checked against hand computation."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from servqual import Instrument, simulate_survey
from servqual.errors import DataError, ParameterError
from servqual.scores import (
    composites,
    dimension_gaps,
    gap_profile,
    item_gaps,
    servqual_score,
    weighted_servqual_score,
    zone_of_tolerance,
)

SQ = Instrument.servqual22()


@pytest.fixture(scope="module")
def df():
    return simulate_survey(400, seed=3)[0]


def test_composites_are_item_means_with_reverse_keying():
    inst = Instrument.from_mapping({"a": ["x1", "x2"], "b": ["x3"]}, scale=(1, 5), reverse=["x2"])
    data = pd.DataFrame({"x1": [1, 5, 3], "x2": [5, 1, 2], "x3": [2, 3, 4]})
    c = composites(data, inst, kind=None)
    # x2 reverse keyed on 1-5: 6 - x
    assert c["a"].tolist() == [1.0, 5.0, 3.5]
    assert c["b"].tolist() == [2.0, 3.0, 4.0]


def test_missing_item_gives_nan_unless_min_items():
    inst = Instrument.from_mapping({"a": ["x1", "x2"]}, scale=(1, 5))
    data = pd.DataFrame({"x1": [1, 5], "x2": [np.nan, 3]})
    assert np.isnan(composites(data, inst, None).loc[0, "a"])
    assert composites(data, inst, None, min_items=1).loc[0, "a"] == 1.0


def test_gap_scores_by_hand(df):
    g = item_gaps(df, SQ)
    p, e = df[SQ.columns("P")].to_numpy(), df[SQ.columns("E")].to_numpy()
    np.testing.assert_array_equal(g.to_numpy(), p - e)
    dg = dimension_gaps(df, SQ)
    rel = (p[:, 4:9] - e[:, 4:9]).mean(axis=1)  # items 5-9
    np.testing.assert_allclose(dg["reliability"], rel)
    np.testing.assert_allclose(servqual_score(df, SQ), dg.mean(axis=1))


def test_weighted_score(df):
    w = {"tangibles": 10, "reliability": 40, "responsiveness": 20, "assurance": 20, "empathy": 10}
    dg = dimension_gaps(df, SQ)
    expected = sum(dg[d] * w[d] for d in w) / 100
    np.testing.assert_allclose(weighted_servqual_score(df, SQ, w), expected)
    # per-respondent allocations from IMP_ columns
    per = weighted_servqual_score(df, SQ)
    imp = df[[f"IMP_{d}" for d in dg.columns]].to_numpy()
    np.testing.assert_allclose(per, (dg.to_numpy() * imp).sum(axis=1) / 100)
    imp_frame = df[[f"IMP_{d}" for d in dg.columns]].rename(columns=lambda c: c[4:])
    imp_frame.loc[0, "reliability"] = imp_frame.loc[0, "reliability"] - 10
    with pytest.raises(DataError, match="sum to 100: row 0 sums to 90"):
        weighted_servqual_score(df, SQ, imp_frame)
    with pytest.raises(ParameterError, match="empathy"):
        weighted_servqual_score(df, SQ, {k: v for k, v in w.items() if k != "empathy"})


def test_zone_of_tolerance():
    inst = Instrument.from_mapping({"speed": ["1", "2"]}, prefixes={"P": "P", "A": "A", "D": "D"})
    data = pd.DataFrame({"P1": [2, 5, 7], "P2": [2, 5, 7], "A1": [3, 3, 3], "A2": [3, 3, 3],
                         "D1": [6, 6, 6], "D2": [6, 6, 6]})  # fmt: skip
    z = zone_of_tolerance(data, inst)
    assert z["msa_speed"].tolist() == [-1, 2, 4]
    assert z["mss_speed"].tolist() == [-4, -1, 1]
    assert z["zone_speed"].tolist() == ["below", "within", "above"]
    with pytest.raises(ParameterError, match="'A'"):
        zone_of_tolerance(data, Instrument.servqual22())
    bad = data.assign(A1=7, A2=7)
    with pytest.raises(DataError, match="'speed' at row 0"):
        zone_of_tolerance(bad, inst)


def test_gap_profile_ci_matches_t_interval(df):
    prof = gap_profile(df, SQ)
    g = dimension_gaps(df, SQ)["empathy"].to_numpy()
    lo, hi = stats.t.interval(0.95, len(g) - 1, loc=g.mean(), scale=stats.sem(g))
    assert prof.loc["empathy", "gap"] == pytest.approx(g.mean())
    assert prof.loc["empathy", "gap_ci_lower"] == pytest.approx(lo)
    assert prof.loc["empathy", "gap_ci_upper"] == pytest.approx(hi)
    np.testing.assert_allclose(prof["gap"], prof["P"] - prof["E"])
