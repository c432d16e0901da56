"""Sampling weights in CB-SEM against lavaan 0.6.14 ``sampling.weights``."""

from __future__ import annotations

import numpy as np
import pytest

import servqual as sq
from servqual import sem
from servqual.errors import OutOfRangeError, ParameterError

MODEL = "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"

# R 4.2.2, lavaan 0.6.14, validation/weights_lavaan.R:
#   HS$w <- 0.5 + ((13 * HS$id) %% 7) / 3
#   cfa(model, data = HS, sampling.weights = "w")
#   (defaults: se = "robust.huber.white", information = "observed" (hessian))
LABELS = (
    "visual=~x2, visual=~x3, textual=~x5, textual=~x6, speed=~x8, speed=~x9, x1~~x1, x2~~x2, "
    "x3~~x3, x4~~x4, x5~~x5, x6~~x6, x7~~x7, x8~~x8, x9~~x9, visual~~visual, "
    "textual~~textual, speed~~speed, visual~~textual, visual~~speed, textual~~speed"
).split(", ")
EST = [0.5564790540, 0.7646233831, 1.0956638696, 0.8925584617, 1.1069894109, 1.0974406004,
       0.5880187197, 1.0941029323, 0.8137414396, 0.3876156432, 0.4679342680, 0.3950846257,
       0.7949865354, 0.5930005540, 0.5143215664, 0.8473439967, 1.0621923392, 0.4332103678,
       0.4439181765, 0.2814200797, 0.1767314623]  # fmt: skip
SE = [0.1403230606, 0.1619765689, 0.0727774712, 0.0698682830, 0.1376649672, 0.2841956970,
      0.1603649086, 0.1177836600, 0.1207882739, 0.0657543225, 0.0745598441, 0.0516433798,
      0.1152888242, 0.1434776953, 0.1379687513, 0.1975800596, 0.1512342553, 0.1348032139,
      0.1333925153, 0.0700544288, 0.0702545381]  # fmt: skip


@pytest.fixture(scope="module")
def hs():
    df = sq.load_dataset("holzinger_swineford").copy()
    df["w"] = 0.5 + ((13 * df["id"]) % 7) / 3
    return df


@pytest.fixture(scope="module")
def weighted(hs):
    return sem.fit(MODEL, hs, weights="w")


def test_weighted_cfa_equals_lavaan_sampling_weights(weighted):
    p = weighted.params
    p = p[p["se"].notna()]
    got = dict(zip(p["lhs"] + p["op"] + p["rhs"], zip(p["est"], p["se"])))
    assert list(got) == LABELS
    for lab, e, s in zip(LABELS, EST, SE):
        assert got[lab][0] == pytest.approx(e, abs=1e-4), lab
        assert got[lab][1] == pytest.approx(s, abs=1e-3), lab
    assert weighted.se == "robust"
    # fitMeasures(fit, "chisq") = 94.4917637503496, df = 24 (same call)
    assert weighted.fit_indices["chi2"] == pytest.approx(94.4917637503496, abs=1e-6)
    assert weighted.fit_indices["df"] == 24
    assert any("unscaled" in w for w in weighted.warnings)


def test_weights_scale_free_and_equal_weights_give_ml(hs, weighted):
    doubled = sem.fit(MODEL, hs, weights=3.0 * hs["w"].to_numpy())
    assert np.allclose(doubled.params["est"], weighted.params["est"], atol=1e-10)
    plain = sem.fit(MODEL, hs)
    ones = sem.fit(MODEL, hs, weights=np.ones(len(hs)))
    assert np.allclose(ones.params["est"], plain.params["est"], atol=1e-8)


def test_weighted_sem_bad_inputs(hs):
    with pytest.raises(ParameterError, match="group='school'"):
        sem.fit(MODEL, hs, weights="w", group="school")
    with pytest.raises(ParameterError, match="se='bootstrap'"):
        sem.fit(MODEL, hs, weights="w", se="bootstrap")
    with pytest.raises(OutOfRangeError, match="negative weight at row 4"):
        sem.fit(MODEL, hs, weights=np.where(hs.index == 4, -1.0, 1.0))


def test_weighted_cfa_with_means_equals_lavaan(hs):
    # cfa(model, data = HS, sampling.weights = "w", meanstructure = TRUE), lavaan 0.6.14:
    # loadings and variances as above; the intercepts x1 ~ 1 ... x9 ~ 1:
    est = [4.9038437765, 6.1284760845, 2.2710882462, 3.0362130787, 4.3220244716,
           2.1773928702, 4.1880188950, 5.5308676307, 5.3694434131]  # fmt: skip
    se = [0.0778138441, 0.0734976328, 0.0732806353, 0.0774159663, 0.0850938415,
          0.0712435854, 0.0708516696, 0.0694479444, 0.0643892007]  # fmt: skip
    res = sem.fit(MODEL, hs, weights="w", meanstructure=True)
    p = res.params
    icp = p[p["op"] == "~1"].set_index("lhs").loc[[f"x{i}" for i in range(1, 10)]]
    assert np.allclose(icp["est"], est, atol=1e-4)
    assert np.allclose(icp["se"], se, atol=1e-3)
    free = p[(p["op"] != "~1") & p["se"].notna()]
    assert np.allclose(free["est"], EST, atol=1e-4) and np.allclose(free["se"], SE, atol=1e-3)
    # the intercepts are the weighted means (saturated mean structure)
    w = hs["w"].to_numpy()
    xbar = w @ hs[[f"x{i}" for i in range(1, 10)]].to_numpy() / w.sum()
    assert np.allclose(icp["est"], xbar, atol=1e-6)
