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


# R 4.2, survey 4.1.1 (validation/weights_survey.R): servqual_sim rows 1..400, made-up
# w_i = 0.5 + ((29 i) mod 13) / 4; svymean(~<kind>_<dimension>, svydesign(ids = ~1,
# weights = ~w)) with the dimension composites as rowMeans of the items.
R_SURVEY = {
    "P": ([4.588019368947, 4.317400812246, 4.453998750391, 4.606841611996, 4.386441736957],
          [0.053761651251, 0.058104573049, 0.057105464918, 0.054038210751, 0.051945301078]),
    "E": ([4.868556701031, 5.400374882849, 5.175882536707, 5.181193377070, 4.906091846298],
          [0.052164855112, 0.053005643222, 0.051679442167, 0.051531281250, 0.056615415144]),
    "gap": ([-0.280537332084, -1.082974070603, -0.721883786317, -0.574351765073,
             -0.519650109341],
            [0.065136458354, 0.062642648086, 0.067894557012, 0.067248929786,
             0.069990275997]),
}  # fmt: skip


def test_composite_and_gap_profiles_equal_r_survey():
    df = sq.load_dataset("servqual_sim").iloc[:400].copy()
    df["w"] = 0.5 + ((29 * np.arange(1, 401)) % 13) / 4
    inst = sq.Instrument.servqual22()
    w = df["w"].to_numpy()
    kish = w.sum() ** 2 / (w @ w)
    prof = scores.gap_profile(df, inst, weights="w")
    for kind, (mean, se) in R_SURVEY.items():
        t = scores.composite_profile(df, inst, kind, weights="w").table
        assert t.index.name == "dimension" and list(t.index) == list(inst.dimensions)
        assert np.abs(t["mean"].to_numpy() - mean).max() < 1e-8, kind
        assert np.abs(t["se"].to_numpy() - se).max() < 1e-8, kind
        assert np.allclose(t["n_eff"], kish, atol=1e-10)
        assert np.allclose(t["deff"], 400 / kish, atol=1e-12)
        # the gap profile's P, E and gap columns are the same svymean numbers
        assert np.abs(prof[kind].to_numpy() - mean).max() < 1e-8, kind
        assert np.abs(prof[f"{kind}_se"].to_numpy() - se).max() < 1e-8, kind
    with pytest.raises(OutOfRangeError):
        scores.composite_profile(df, inst, "P", weights=-df["w"])
