"""Henseler's bootstrap MGA and MICOM: brute-force references through the public API."""

import numpy as np
import pandas as pd
import pytest

from servqual import pls
from servqual._resampling import replicate_seeds, resample_indices
from servqual.pls.invariance import henseler_p

MODEL = """
Image        =~ IMAG1 + IMAG2 + IMAG3
Value        =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Value
"""


@pytest.fixture(scope="module")
def data():
    df, _ = pls.simulate_ecsi(300, seed=9)
    df["g"] = np.where(np.arange(300) % 3 == 0, "x", "y")
    return df


def test_henseler_p_equals_the_double_sum():
    rng = np.random.default_rng(1)
    d1, d2 = rng.normal(0.3, 0.1, size=(40, 3)), rng.normal(0.25, 0.12, size=(55, 3))
    got = henseler_p(d1, d2)
    for k in range(3):
        m1, m2 = d1[:, k].mean(), d2[:, k].mean()
        s = sum(1.0 for a in d1[:, k] for b in d2[:, k] if 2 * m1 - a - 2 * m2 + b > 0)
        assert got[k] == pytest.approx(1 - s / (40 * 55), abs=1e-15)


def test_bootstrap_mga_replicates_are_within_group_refits(data):
    res = pls.mga_bootstrap(MODEL, data, "g", n_boot=40, seed=5, progress=False)
    g1 = (data["g"] == "x").to_numpy()
    fit1 = pls.fit(MODEL, data[g1], progress=False)
    fit2 = pls.fit(MODEL, data[~g1], progress=False)
    paths = res.paths.set_index(["source", "target"])
    for (s, t), row in paths.iterrows():
        e1 = fit1.paths.set_index(["source", "target"]).loc[(s, t), "estimate"]
        e2 = fit2.paths.set_index(["source", "target"]).loc[(s, t), "estimate"]
        assert row["group_1"] == pytest.approx(e1, abs=1e-6)
        assert row["group_2"] == pytest.approx(e2, abs=1e-6)
    # replicate 7 resamples each group within itself
    idx = resample_indices(replicate_seeds(5, 40)[7], len(data), g1.astype(int))
    assert np.all(g1[idx] == g1)
    r1 = pls.fit(MODEL, data.iloc[idx[g1]], progress=False).paths["estimate"].to_numpy()
    r2 = pls.fit(MODEL, data.iloc[idx[~g1]], progress=False).paths["estimate"].to_numpy()
    k = len(res.table)
    is_path = (res.table["kind"] == "path").to_numpy()
    row = res.draws.estimates[7]
    np.testing.assert_allclose(row[:k][is_path], r1, atol=1e-6)
    np.testing.assert_allclose(row[k:][is_path], r2, atol=1e-6)
    assert 0 <= res.table["p_value"].min() and res.table["p_value"].max() <= 1
    np.testing.assert_allclose(
        res.table["p_value"],
        np.minimum(1, 2 * np.minimum(res.table["p_one_sided"], 1 - res.table["p_one_sided"])),
    )
    assert res.provenance.seed == 5


def test_micom_statistics_brute_force(data):
    res = pls.micom(MODEL, data, "g", n_perm=60, seed=2)
    g1 = (data["g"] == "x").to_numpy()
    items = list(pls.parse_model(MODEL).items)
    f1 = pls.fit(MODEL, data[g1], progress=False)
    f2 = pls.fit(MODEL, data[~g1], progress=False)
    pooled = pls.fit(MODEL, data, progress=False)
    t = res.table.set_index("construct")
    for c in ("Image", "Value", "Satisfaction"):
        o1 = f1.outer[f1.outer["construct"] == c]
        o2 = f2.outer[f2.outer["construct"] == c]
        y1 = data[o1["item"]].to_numpy() @ o1["weight_unstd"].to_numpy()
        y2 = data[o2["item"]].to_numpy() @ o2["weight_unstd"].to_numpy()
        assert t.loc[c, "c"] == pytest.approx(np.corrcoef(y1, y2)[0, 1], abs=1e-8)
        y = pooled.scores[c].to_numpy()
        assert t.loc[c, "mean_difference"] == pytest.approx(y[g1].mean() - y[~g1].mean(), abs=1e-10)
        assert t.loc[c, "log_variance_ratio"] == pytest.approx(
            np.log(y[g1].var(ddof=1) / y[~g1].var(ddof=1)), abs=1e-10
        )
    assert set(items) <= set(data.columns)
    assert (t["c_p_value"] >= 1 / 61).all()


def test_micom_detects_a_mean_shift(data):
    # the Image items of group x shifted by +0.8 SD: the composite means differ
    # (about 0.8 * 1.5 pooled SD units before standardisation; permutation p at its floor)
    shifted = data.copy()
    g1 = (shifted["g"] == "x").to_numpy()
    for it in ("IMAG1", "IMAG2", "IMAG3"):
        shifted.loc[g1, it] += 0.8 * shifted[it].std()
    res = pls.micom(MODEL, shifted, "g", n_perm=99, seed=3).table.set_index("construct")
    assert res.loc["Image", "mean_p_value"] == pytest.approx(1 / 100)
    assert res.loc["Image", "mean_difference"] > 0.5
    assert not res.loc["Image", "equal_means_variances"]
    # the shift is a constant: compositional invariance still holds (c close to 1)
    assert res.loc["Image", "c"] > 0.99
    assert isinstance(pls.micom(MODEL, data, "g", n_perm=20, seed=1).to_frame(), pd.DataFrame)
