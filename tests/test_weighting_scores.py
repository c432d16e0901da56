"""Respondent weights in the gap profile and in reliability (alpha, omega, HTMT)."""

from __future__ import annotations

import numpy as np
import pytest

import servqual as sq
from servqual import measurement, scores
from servqual import weighting as W
from servqual.errors import DuplicateIndexError, OutOfRangeError


@pytest.fixture(scope="module")
def sim():
    df = sq.load_dataset("servqual_sim").iloc[:400].copy()
    df["w"] = np.random.default_rng(5).gamma(3.0, 1.0, len(df))
    return df


def test_weighted_gap_profile_brute_force(sim):
    inst = sq.Instrument.servqual22()
    prof = scores.gap_profile(sim, inst, weights="w")
    gaps = scores.dimension_gaps(sim, inst)
    ref = W.weighted_means(gaps.assign(w=sim["w"]), list(gaps.columns), weights="w").table
    assert np.allclose(prof["gap"], ref["mean"], atol=1e-12)
    assert np.allclose(prof["gap_se"], ref["se"], atol=1e-12)
    assert np.allclose(prof["n_eff"], ref["n_eff"]) and np.allclose(prof["deff"], ref["deff"])
    # equal weights: the unweighted profile (the linearised SE is sd / sqrt(n))
    plain = scores.gap_profile(sim, inst)
    eq = scores.gap_profile(sim, inst, weights=np.full(len(sim), 2.5))
    cols = ["P", "E", "gap", "gap_se", "gap_ci_lower", "gap_ci_upper"]
    assert np.allclose(eq[cols], plain[cols], atol=1e-12)


def test_weighted_reliability_equals_replicated_rows():
    mobi = sq.load_dataset("mobi")
    inst = sq.Instrument.from_mapping(
        {
            "image": [f"IMAG{i}" for i in range(1, 6)],
            "value": ["PERV1", "PERV2"],
            "satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
        },
        scale=(1, 10),
    )
    k = 1 + (np.arange(len(mobi)) * 7) % 3  # weights 1, 2, 3
    rep = mobi.loc[mobi.index.repeat(k)].reset_index(drop=True)
    a = measurement.reliability(mobi, inst, weights=k)
    b = measurement.reliability(rep, inst)
    # scale-free statistics equal those of the data with each row repeated w times
    for col in ["alpha", "alpha_std", "omega", "rho_c", "ave", "max_htmt", "max_htmt2"]:
        assert np.allclose(a.table[col], b.table[col], atol=1e-6), col
    assert not np.allclose(a.table["alpha"], measurement.reliability(mobi, inst).table["alpha"])


def test_weighted_alpha_brute_force():
    mobi = sq.load_dataset("mobi")
    cols = ["CUSA1", "CUSA2", "CUSA3"]
    w = 1 + ((37 * np.arange(1, len(mobi) + 1)) % 11) / 5
    x = mobi[cols].to_numpy(float)

    def wvar(v):
        return w @ (v - w @ v / w.sum()) ** 2 / w.sum()

    alpha = 1.5 * (1 - sum(wvar(x[:, j]) for j in range(3)) / wvar(x.sum(axis=1)))
    assert measurement.cronbach_alpha(mobi, cols, weights=w) == pytest.approx(alpha, abs=1e-12)


def test_weighted_scores_bad_inputs(sim):
    inst = sq.Instrument.servqual22()
    with pytest.raises(OutOfRangeError, match="negative weight at row 2"):
        scores.gap_profile(sim, inst, weights=np.where(sim.index == 2, -1.0, 1.0))
    dup = sq.load_dataset("mobi").iloc[:50]
    dup.index = [0] * 50
    inst2 = sq.Instrument.from_mapping({"sat": ["CUSA1", "CUSA2", "CUSA3"]}, scale=(1, 10))
    with pytest.raises(DuplicateIndexError):
        measurement.reliability(dup, inst2, weights=np.ones(50))
    with pytest.raises(OutOfRangeError, match="zero for every row"):
        measurement.cronbach_alpha(dup, ["CUSA1", "CUSA2"], weights=np.zeros(50))
