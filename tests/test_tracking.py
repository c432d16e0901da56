"""Tracking: metrics by wave, control charts, trend, driver stability (servqual.tracking)."""

import numpy as np
import pandas as pd
import pytest

from servqual.errors import (
    InsufficientDataError,
    MissingColumnError,
    MissingValuesError,
    ParameterError,
)
from servqual.metrics import nps
from servqual.tracking import control_chart, driver_stability, track, trend, western_electric

Z = 1.959963984540054


@pytest.fixture
def waves():
    rng = np.random.default_rng(11)
    n = 1500
    wave = np.repeat(np.arange(1, 11), n // 10)
    ltr = np.clip(rng.integers(0, 11, n) + (wave == 9) * 3, 0, 10)  # wave 9 jumps
    return pd.DataFrame({"ltr": ltr, "wave": wave, "seg": rng.choice(["x", "y"], n),
                         "w": rng.uniform(0.5, 2, n)})  # fmt: skip


def test_track_equals_nps_per_wave(waves):
    t = track(waves, "ltr", "wave").table
    for wv, r in t.set_index("wave").iterrows():
        ref = nps(waves.loc[waves.wave == wv, "ltr"])
        assert r["estimate"] == pytest.approx(ref.nps, abs=1e-12)
        assert r["se"] == pytest.approx(ref.se, abs=1e-12)
        assert r["ci_lower"] == pytest.approx(ref.nps - Z * ref.se, abs=1e-9)
    tw = track(waves, "ltr", "wave", weights="w").table
    sub = waves[waves.wave == 3]
    ref = nps(sub["ltr"], weights=sub["w"])
    assert tw.loc[2, "estimate"] == pytest.approx(ref.nps, abs=1e-12)
    assert tw.loc[2, "se"] == pytest.approx(ref.se, abs=1e-12)
    seg = track(waves, "ltr", "wave", segment="seg").table
    assert len(seg) == 20 and list(seg.columns[:2]) == ["wave", "segment"]
    sub = waves[(waves.wave == 4) & (waves.seg == "y")]
    row = seg[(seg.wave == 4) & (seg.segment == "y")].iloc[0]
    assert row["estimate"] == pytest.approx(nps(sub["ltr"]).nps, abs=1e-12)


def test_track_topbox_wilson_at_effective_n(waves):
    t = track(waves, "ltr", "wave", metric="topbox", top_box=9, weights="w").table.iloc[0]
    sub = waves[waves.wave == 1]
    w, f = sub["w"].to_numpy(), (sub["ltr"] >= 9).to_numpy()
    p, n = w @ f / w.sum(), w.sum() ** 2 / (w @ w)
    # Wilson: the p0 with |p - p0| = z sqrt(p0 (1 - p0) / n), solved as a quadratic
    a, b, c = 1 + Z * Z / n, -(2 * p + Z * Z / n), p * p
    roots = sorted(np.roots([a, b, c]))
    assert (t["ci_lower"], t["ci_upper"]) == pytest.approx(roots, abs=1e-12)
    assert t["estimate"] == pytest.approx(p) and t["n_eff"] == pytest.approx(n)


def test_western_electric_rules_by_hand():
    assert western_electric([0, 0, 3.1, 0]).to_numpy()[:, 0].tolist() == [0, 0, 1, 0]
    r = western_electric([0, 2.5, -0.5, 2.1, 0])
    assert r["rule2"].tolist() == [False, False, False, True, False]
    assert not western_electric([2.5, 0, -2.5, 0]).rule2.any()  # opposite sides
    r = western_electric([1.5, 1.2, 0.3, 1.1, 1.9, 0])
    assert r["rule3"].tolist() == [False] * 4 + [True, False]
    r = western_electric([0.1] * 7 + [-0.1] + [0.2] * 8)
    assert r["rule4"].tolist() == [False] * 15 + [True]
    assert not western_electric(np.tile([0.5, -0.5], 10)).any(axis=None)


def test_nps_chart_has_trinomial_limits_and_flags_the_jump(waves):
    ch = control_chart(waves, "ltr", "wave")
    v = waves["ltr"].to_numpy()
    pp, pd_ = np.mean(v >= 9), np.mean(v <= 6)
    centre = 100 * (pp - pd_)
    sd = 100 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / 150)
    t = ch.table
    assert ch.center == pytest.approx(centre)
    assert t["ucl"].to_numpy() == pytest.approx(np.full(10, min(centre + 3 * sd, 100)))
    assert t["lcl"].to_numpy() == pytest.approx(np.full(10, centre - 3 * sd))
    assert ch.violations["wave"].tolist() == [9]
    assert bool(t.loc[8, "rule1"])
    assert "out of control" in str(ch.summary()) and "<table" in ch._repr_html_()


def test_p_chart_and_imr_chart(waves):
    ch = control_chart(waves, "ltr", "wave", metric="topbox", top_box=9)
    f = (waves["ltr"] >= 9).to_numpy()
    pbar = f.mean()
    assert ch.kind == "p" and ch.center == pytest.approx(pbar)
    assert ch.table["ucl"].iloc[0] == pytest.approx(pbar + 3 * np.sqrt(pbar * (1 - pbar) / 150))
    ch = control_chart(waves, "ltr", "wave", metric="mean")
    x = waves.groupby("wave")["ltr"].mean().to_numpy()
    mrbar = np.abs(np.diff(x)).mean()
    assert ch.kind == "imr"
    assert ch.table["ucl"].iloc[0] == pytest.approx(x.mean() + 2.66 * mrbar, rel=1e-3)
    assert ch.table["mr_ucl"].iloc[0] == pytest.approx(3.267 * mrbar)
    assert np.isnan(ch.table["moving_range"].iloc[0])


def test_trend_is_precision_weighted_least_squares():
    rng = np.random.default_rng(4)
    n = np.array([100, 400, 200, 300, 250])
    wave = np.repeat(np.arange(5), n)
    y = rng.normal(3 + 0.2 * wave, 1.0)
    df = pd.DataFrame({"y": y, "wave": wave})
    r = trend(df, "y", "wave", metric="mean")
    m = df.groupby("wave")["y"].agg(["mean", "std", "count"])
    se = m["std"] / np.sqrt(m["count"])
    slope = np.polyfit(np.arange(5), m["mean"], 1, w=1 / se)[0]
    v = 1 / se.to_numpy() ** 2
    t = np.arange(5.0)
    tbar = v @ t / v.sum()
    assert r.slope == pytest.approx(slope, abs=1e-10)
    assert r.se == pytest.approx(np.sqrt(1 / (v @ (t - tbar) ** 2)), abs=1e-12)
    assert r.ci_lower < 0.2 < r.ci_upper  # the true slope, 0.2, within the interval
    assert "per wave" in str(r.summary())


def test_driver_stability_ranks_and_change():
    rng = np.random.default_rng(8)
    n = 300
    x = rng.normal(size=(3 * n, 3))
    wave = np.repeat([1, 2, 3], n)
    y = x[:, 0] + 0.6 * x[:, 1] + 0.2 * x[:, 2] + rng.normal(size=3 * n)
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=y, wave=wave)
    r = driver_stability(df, "y", ["a", "b", "c"], "wave", n_boot=100, seed=3)
    assert r.kendall_w == pytest.approx(1.0)
    assert r.rank_correlation["spearman"].tolist() == [1.0, 1.0]
    t = r.table
    assert (t["ci_lower"] <= t["share"]).all() and (t["share"] <= t["ci_upper"]).all()
    assert r.change.group_a == 1 and r.change.group_b == 3
    # a swap between waves lowers the concordance and is detected as a change
    y2 = np.where(wave == 3, x[:, 1] + 0.2 * x[:, 0], y) + 0 * rng.normal(size=3 * n)
    r2 = driver_stability(df.assign(y=y2), "y", ["a", "b", "c"], "wave", n_boot=100, seed=3)
    assert r2.kendall_w < 0.9 and r2.change.top_b == "b"
    assert r2.change.table.loc["a", "ci_lower"] > 0


def test_tracking_bad_inputs(waves):
    with pytest.raises(MissingColumnError, match="wave column.*'wav'"):
        track(waves, "ltr", "wav")
    with pytest.raises(MissingColumnError, match="segment column.*'segment'"):
        track(waves, "ltr", "wave", segment="segment")
    with pytest.raises(MissingValuesError, match="'seg' is missing at row 5"):
        track(waves.assign(seg=waves.seg.where(waves.index != 5)), "ltr", "wave", segment="seg")
    with pytest.raises(InsufficientDataError, match="1 wave"):
        control_chart(waves[waves.wave == 1], "ltr", "wave")
    with pytest.raises(InsufficientDataError, match="at least 3"):
        trend(waves[waves.wave < 3], "ltr", "wave")
    with pytest.raises(ParameterError, match="metric"):
        track(waves, "ltr", "wave", metric="median")


# ------------------------------------------------ found by the dirty-frame fuzz (issue #14)
def _waves3(n=90):
    rng = np.random.default_rng(9)
    df = pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"])
    df["wave"] = np.repeat([1, 2, 3], n // 3)
    df["y"] = df.a + 0.5 * df.b + rng.normal(size=n)
    return df


def test_driver_stability_with_a_missing_wave_label():
    # a nullable wave column with a missing label was a raw ValueError ("Cannot mask with
    # non-boolean array containing NA"); the unlabelled row is left out
    df = _waves3()
    df["wave"] = df["wave"].astype("Int64")
    df.loc[0, "wave"] = pd.NA
    r = driver_stability(df, "y", ["a", "b"], "wave", n_boot=40, seed=1, progress=False)
    assert r.table["wave"].tolist() == [1, 1, 2, 2, 3, 3]


def test_driver_stability_without_any_wave_label():
    # was a raw ValueError from np.vstack of nothing
    df = _waves3()
    df["wave"] = np.nan
    with pytest.raises(InsufficientDataError, match=r"wave column 'wave' has no wave labels"):
        driver_stability(df, "y", ["a", "b"], "wave", n_boot=40, seed=1, progress=False)


def test_driver_stability_interval_holds_its_share():
    # an outcome unrelated to the drivers (R² near 0): with 40 replicates the percentile
    # interval of wave 2's share of 'a' (0.0102) started above it, at 0.0113.  The interval
    # is widened to include the share, with a warning naming the wave and the driver.
    rng = np.random.default_rng(9)
    df = pd.DataFrame({"wave": np.repeat([1, 2, 3], 30), "y": rng.integers(0, 11, 90)})
    df["a"] = rng.normal(size=90)
    df["b"] = rng.normal(size=90)
    from servqual.errors import DegenerateResultWarning

    with pytest.warns(DegenerateResultWarning, match=r"wave 2: the bootstrap interval of 'a'"):
        r = driver_stability(df, "y", ["a", "b"], "wave", n_boot=40, seed=1, progress=False)
    t = r.table
    assert (t["ci_lower"] <= t["share"]).all() and (t["share"] <= t["ci_upper"]).all()
    assert any("wave 2" in w for w in r.warnings)
