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
    with pytest.raises(ParameterError, match="se='bootstrap'"):
        sem.fit(MODEL, hs, weights="w", se="bootstrap")
    with pytest.raises(ParameterError, match="missing='fiml'"):
        sem.fit(MODEL, hs, weights="w", missing="fiml")
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


# cfa(model, data = HS, sampling.weights = "w", group = "school"), lavaan 0.6.14 (weights
# normalised over both groups; each group's size in the objective is its weight total)
MG_EST = [
    0.4516243538, 0.6516906637, 1.1478259545, 0.8324047601, 1.0747347169, 0.9030306494,
    0.4416450420, 1.3552688944, 0.9375619424, 0.4238945429, 0.4849806698, 0.3494439965,
    0.8216607877, 0.5538378650, 0.6535871043, 0.9800563013, 1.0121249439, 0.4114831102,
    0.5149955157, 0.1836438388, 0.1833128498, 4.9269784147, 6.0618705036, 2.5557553957,
    2.7925659518, 3.9746402878, 1.9217882819, 4.4190491135, 5.5708273381, 5.4699440432,
    0.6497415416, 0.8408887426, 0.9892071275, 0.9442184016, 1.1669426399, 1.1873911738,
    0.6823896929, 0.8119716257, 0.5419561560, 0.3492171412, 0.4342424664, 0.4224103497,
    0.6504239049, 0.6010142782, 0.4217813391, 0.7663230955, 0.9849731868, 0.4553787707,
    0.4789127162, 0.3170091814, 0.2452863029, 4.8792399915, 6.1993114002, 1.9683435348,
    3.2953328233, 4.6914690130, 2.4492294254, 3.9423172855, 5.4883703137, 5.2625605702,
]  # fmt: skip
MG_SE = [
    0.2736248481, 0.2998282949, 0.1202205261, 0.1108801235, 0.2545003057, 0.2966665573,
    0.3788855469, 0.2155327227, 0.2131143340, 0.1014330151, 0.1198833455, 0.0708978015,
    0.1573345505, 0.1064127688, 0.1412291033, 0.4380480682, 0.2198931443, 0.1709866015,
    0.2336338597, 0.0831650699, 0.0952181980, 0.1079690230, 0.1120951202, 0.1027629208,
    0.1086482434, 0.1218198722, 0.0938338638, 0.0984900112, 0.0909822476, 0.0869313204,
    0.1493791794, 0.1824474900, 0.1009146918, 0.0972547258, 0.1901535946, 0.5470043666,
    0.1684489656, 0.1217764285, 0.1215560263, 0.0798927292, 0.0893964204, 0.0785979224,
    0.2092412202, 0.3140767803, 0.2798520111, 0.2146610657, 0.1904443254, 0.2334350954,
    0.1329754263, 0.1204798943, 0.1210200049, 0.1120704163, 0.0936617376, 0.0950606520,
    0.1058801387, 0.1095329734, 0.1033429030, 0.0976846902, 0.1055755123, 0.0937073374,
]  # fmt: skip


def test_weighted_multigroup_cfa_equals_lavaan(hs):
    res = sem.fit(MODEL, hs, weights="w", group="school")
    p = res.params
    p = p[p["se"].notna()]
    assert len(p) == len(MG_EST)
    assert np.allclose(p["est"], MG_EST, atol=1e-4)
    assert np.allclose(p["se"], MG_SE, atol=1e-3)
    # fitMeasures(fit, "chisq")
    assert res.fit_indices["chi2"] == pytest.approx(140.6408221665, abs=1e-5)


# R 4.2.2, lavaan 0.6.14, validation/weights_lavaan.R:
#   cfa(model, data = HS, sampling.weights = "w", estimator = "MLR")
#   (se = "robust.huber.white", test = "yuan.bentler.mplus", information = "observed"):
#   estimates and SEs as EST/SE above; fitMeasures():
MLR_FIT = {"chi2": 94.4917637503, "chi2_scaled": 76.8381425684,
           "scaling_factor": 1.2297507539, "baseline_chi2_scaled": 717.1236227226,
           "cfi_scaled": 0.9224250330, "tli_scaled": 0.8836375495, "rmsea_scaled": 0.0855233891,
           "cfi_robust": 0.9274938526, "tli_robust": 0.8912407789,
           "rmsea_robust": 0.0948404162}  # fmt: skip


def test_weighted_mlr_equals_lavaan(hs, weighted):
    r = sem.fit(MODEL, hs, weights="w", estimator="MLR")
    assert r.estimator == "MLR" and r.se == "robust"
    p = r.params
    p = p[p["se"].notna()]
    assert np.abs(p["est"].to_numpy() - EST).max() < 1e-4
    assert np.abs(p["se"].to_numpy() - SE).max() < 1e-3
    # the same estimates and sandwich SEs as the weighted ML fit; MLR adds the scaled test
    assert np.allclose(r.params["se"], weighted.params["se"], atol=1e-10, equal_nan=True)
    for k, v in MLR_FIT.items():
        assert r.fit_indices[k] == pytest.approx(v, abs=1e-4), k
    assert r.robust_test["scaling_factor"] == pytest.approx(1.2297507539, abs=1e-4)
    assert not any("unscaled" in w for w in r.warnings)


def test_weighted_sem_refuses_fiml_mlm_and_wlsmv(hs):
    for kw in ({"missing": "fiml"}, {"estimator": "MLR", "missing": "fiml"},
               {"estimator": "MLM"}, {"estimator": "WLSMV"}):  # fmt: skip
        with pytest.raises(ParameterError, match="estimator='ML' or 'MLR' with listwise"):
            sem.fit(MODEL, hs, weights="w", **kw)
