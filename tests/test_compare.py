"""Comparisons between segments and waves (servqual.compare).

R references: R 4.2, stats, survey 4.1.1, from ``Rscript validation/compare_r.R``.
"""

import numpy as np
import pandas as pd
import pytest

from servqual.compare import adjust_p, compare, compare_drivers, compare_paired, newcombe_interval
from servqual.errors import (
    DuplicateIndexError,
    InsufficientDataError,
    MissingColumnError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
)

A = [6, 2, 10, 10, 0, 2, 2, 1, 6, 3, 5, 2, 10, 7, 7, 1, 1, 9, 3, 9, 8, 0, 5, 5]
B = [6, 2, 8, 4, 5, 5, 4, 6, 9, 6, 8, 10, 3, 4, 7, 3, 8, 8, 8, 10]
WA = [2.35, 2.26, 0.63, 2.37, 1.8, 2.24, 1.32, 0.94, 2.09, 1.82, 2.06, 0.9, 0.77, 2.03,
      0.54, 2.39, 0.77, 1.7, 1.34, 1.15, 0.84, 2.06, 2.33, 1.96]  # fmt: skip
WB = [1.7, 1.92, 1.57, 1.62, 2.31, 1.07, 0.94, 2.39, 2.39, 1.45, 2.1, 1.99, 2.4, 0.66,
      2.3, 1.5, 1.4, 1.87, 1.73, 1.37]  # fmt: skip


@pytest.fixture
def two():
    return pd.DataFrame({"y": A + B, "g": ["A"] * 24 + ["B"] * 20, "w": WA + WB})


def test_welch_matches_r_t_test(two):
    # R: t.test(a, b)
    r = compare(two, "y", "g", metric="mean").table.iloc[0]
    assert r["difference"] == pytest.approx(-1.45, abs=1e-12)
    assert r["statistic"] == pytest.approx(-1.652258553700990, abs=1e-10)
    assert r["p"] == pytest.approx(0.106128208464268, abs=1e-10)
    assert r["ci_lower"] == pytest.approx(-3.222372744089576, abs=1e-9)
    assert r["ci_upper"] == pytest.approx(0.322372744089576, abs=1e-9)
    assert (r["n_a"], r["n_b"]) == (24, 20)


def test_weighted_mean_matches_r_svyttest(two):
    # R survey 4.1.1: svyttest(y ~ g, svydesign(ids = ~1, weights = ~w)): B - A
    r = compare(two, "y", "g", metric="mean", weights="w").table.iloc[0]
    assert r["difference"] == pytest.approx(-1.831560715336315, abs=1e-10)
    assert r["statistic"] == pytest.approx(-2.091477855875031, abs=1e-8)
    assert r["p"] == pytest.approx(0.042571549557517, abs=1e-8)
    assert r["n_eff_a"] == pytest.approx(sum(WA) ** 2 / sum(x * x for x in WA))


def test_topbox_p_matches_r_prop_test_and_newcombe_interval(two):
    # R: prop.test(c(sum(a >= 9), sum(b >= 9)), c(24, 20), correct = FALSE)$p.value
    r = compare(two, "y", "g", metric="topbox", top_box=9).table.iloc[0]
    assert r["p"] == pytest.approx(0.61740125268132, abs=1e-10)
    lo, hi = newcombe_interval(5 / 24, 24, 3 / 20, 20)
    assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((lo, hi), abs=1e-12)


def test_newcombe_published_example_and_brute_force():
    # Newcombe (1998), Table II, 56/70 - 48/80, method 10: 0.0524 to 0.3339
    lo, hi = newcombe_interval(56 / 70, 70, 48 / 80, 80)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)
    # brute force: Wilson limits are the roots of |p - pi| = z sqrt(pi (1 - pi) / n)
    z = 1.959963984540054

    def wilson(k, n):
        grid = np.linspace(0, 1, 2_000_001)
        ok = np.abs(k / n - grid) <= z * np.sqrt(grid * (1 - grid) / n)
        return grid[ok].min(), grid[ok].max()

    (l1, u1), (l2, u2) = wilson(56, 70), wilson(48, 80)
    d = 56 / 70 - 48 / 80
    assert lo == pytest.approx(d - np.hypot(56 / 70 - l1, u2 - 48 / 80), abs=2e-6)
    assert hi == pytest.approx(d + np.hypot(u1 - 56 / 70, 48 / 80 - l2), abs=2e-6)


def test_nps_difference_uses_trinomial_variance(two):
    r = compare(two, "y", "g").table.iloc[0]
    a, b = np.array(A), np.array(B)

    def parts(v):
        pp, pd_ = np.mean(v >= 9), np.mean(v <= 6)
        return 100 * (pp - pd_), (pp + pd_ - (pp - pd_) ** 2) / v.size

    (na, va), (nb, vb) = parts(a), parts(b)
    se = 100 * np.sqrt(va + vb)
    assert r["difference"] == pytest.approx(na - nb, abs=1e-10)
    assert r["statistic"] == pytest.approx((na - nb) / se, abs=1e-10)
    assert r["ci_upper"] - r["ci_lower"] == pytest.approx(2 * 1.959963984540054 * se, abs=1e-8)


def test_paired_mean_matches_r_paired_t_test():
    # R: t.test(a[1:20], b, paired = TRUE)
    df = pd.DataFrame({"id": list(range(20)) * 2, "wave": [1] * 20 + [2] * 20, "y": A[:20] + B})
    r = compare_paired(df, "y", wave="wave", id="id", metric="mean").table.iloc[0]
    assert r["difference"] == pytest.approx(-1.4, abs=1e-12)
    assert r["statistic"] == pytest.approx(-1.594903083887712, abs=1e-10)
    assert r["p"] == pytest.approx(0.127233330308477, abs=1e-10)
    assert (r["ci_lower"], r["ci_upper"]) == pytest.approx(
        (-3.237248736787779, 0.437248736787779), abs=1e-9
    )


def test_paired_nps_is_mean_change_of_codes_and_links_by_id():
    # rows shuffled: linking is by id, not by position
    df = pd.DataFrame({"id": [3, 1, 2, 4, 1, 2, 3, 4, 9], "wave": [1, 1, 1, 1, 2, 2, 2, 2, 2],
                       "ltr": [10, 9, 5, 8, 10, 6, 5, 7, 0]})  # fmt: skip
    r = compare_paired(df, "ltr", wave="wave", id="id")
    t = r.table.iloc[0]
    # id1: 100-100, id2: -100-(-100), id3: 100-(-100), id4: 0-0 -> changes 0,0,200,0
    assert t["difference"] == pytest.approx(50.0)
    assert t["estimate_a"] == pytest.approx(25.0) and t["estimate_b"] == pytest.approx(-25.0)
    assert "1 answer(s)" in r.warnings[0]


def test_many_segments_holm_and_bh(two):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"y": rng.integers(0, 11, 400), "g": rng.choice(list("wxyz"), 400)})
    raw = compare(df, "y", "g", adjust="none").table
    assert len(raw) == 6
    holm = compare(df, "y", "g", adjust="holm").table
    bh = compare(df, "y", "g", adjust="fdr_bh").table
    p = raw["p"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    holm_brute = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * p[order]))
    assert holm["p_adjusted"].to_numpy()[order] == pytest.approx(holm_brute, abs=1e-12)
    bh_brute = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    assert bh["p_adjusted"].to_numpy()[order] == pytest.approx(np.minimum(bh_brute, 1), abs=1e-12)
    rest = compare(df, "y", "g", pairs="rest").table
    assert rest["group_b"].eq("rest").all() and len(rest) == 4
    assert rest.loc[0, "n_b"] == 400 - rest.loc[0, "n_a"]
    assert adjust_p([0.2, 0.01], "none").tolist() == [0.2, 0.01]


def test_drivers_difference_detects_swapped_top_driver():
    rng = np.random.default_rng(5)
    n = 300
    x = rng.normal(size=(2 * n, 3))
    seg = np.repeat(["north", "south"], n)
    y = np.where(seg == "north", x[:, 0], x[:, 1]) + 0.3 * x[:, 2] + rng.normal(size=2 * n)
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=y, seg=seg)
    r = compare_drivers(df, "y", ["a", "b", "c"], "seg", n_boot=200, seed=2)
    assert (r.top_a, r.top_b) == ("a", "b")
    t = r.table
    assert t.loc["a", "ci_lower"] > 0 and t.loc["b", "ci_upper"] < 0
    assert t.loc["c", "ci_lower"] < 0 < t.loc["c", "ci_upper"]  # same role in both
    assert r.p_top_differs > 0.95
    same = compare_drivers(df, "y", ["a", "b", "c"], "seg", n_boot=200, seed=2, n_jobs=2)
    assert np.array_equal(same.table.to_numpy(), t.to_numpy())
    # point shares = weighted Shapley shares from servqual.drivers
    from servqual.drivers import shapley

    sh = shapley(df[df.seg == "north"], "y", ["a", "b", "c"])
    assert t["share_a"].to_numpy() == pytest.approx(
        (sh["importance"] / sh.r2).to_numpy(), abs=1e-12
    )
    assert "top drivers" in r._repr_html_()


def test_result_summary_and_html(two):
    r = compare(two, "y", "g", weights="w")
    assert "weighted nps" in str(r.summary()) and "<table" in r._repr_html_()
    assert r.provenance.function == "servqual.compare.compare"


# ------------------------------------------------------------ bad inputs
def test_bad_inputs_name_the_culprit(two):
    with pytest.raises(MissingColumnError, match="segmnt"):
        compare(two, "y", "segmnt")
    with pytest.raises(InsufficientDataError, match="'C'.*1 respondent"):
        compare(pd.concat([two, pd.DataFrame({"y": [5], "g": ["C"], "w": [1.0]})]), "y", "g")
    with pytest.raises(InsufficientDataError, match="1 group"):
        compare(two[two.g == "A"], "y", "g")
    with pytest.raises(ParameterError, match="top_box"):
        compare(two, "y", "g", metric="topbox")
    with pytest.raises(ParameterError, match="'Z'"):
        compare(two, "y", "g", groups=["A", "Z"])
    bad = two.assign(y=two.y.astype(object))
    bad.loc[3, "y"] = "ten"
    with pytest.raises(NonNumericError, match="'ten'.*row 3"):
        compare(bad, "y", "g")
    with pytest.raises(ParameterError, match="12.*row 0"):
        compare(two.assign(y=[12] + A[1:] + B), "y", "g")
    with pytest.raises(OutOfRangeError, match="negative weight"):
        compare(two.assign(w=[-1.0] + WA[1:] + WB), "y", "g", weights="w")


def test_paired_bad_inputs():
    df = pd.DataFrame({"id": [1, 2, 3, 4], "wave": [1, 1, 2, 2], "y": [9, 10, 3, 4]})
    with pytest.raises(InsufficientDataError, match="share 0 respondent"):
        compare_paired(df, "y", wave="wave", id="id")
    dup = pd.DataFrame({"id": [1, 1, 1, 2], "wave": [1, 1, 2, 2], "y": [9, 10, 3, 4]})
    with pytest.raises(DuplicateIndexError, match="id 1 appears more than once in wave 1"):
        compare_paired(dup, "y", wave="wave", id="id")
    with pytest.raises(ParameterError, match="exactly two waves"):
        compare_paired(df.assign(wave=[1, 2, 3, 3]), "y", wave="wave", id="id")
    with pytest.raises(MissingColumnError, match="respondent id column"):
        compare_paired(df, "y", wave="wave", id="resp")


def test_driver_comparison_bad_inputs():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "y"])
    df["seg"] = ["x"] * 36 + ["z"] * 4
    with pytest.raises(InsufficientDataError, match="segment 'z'.*4 respondent"):
        compare_drivers(df, "y", ["a", "b"], "seg", n_boot=100, seed=1)
    with pytest.raises(ParameterError, match="two segments"):
        compare_drivers(df.assign(seg=list("xyz") * 13 + ["x"]), "y", ["a", "b"], "seg",
                        n_boot=100)  # fmt: skip


def test_paired_weights_wave_first_second_mean():
    # a panel of 6 with a different weight in each wave; the change d_i weighted by the
    # chosen wave's weight, SE linearised: n/(n-1) sum w²(d - m)² / (sum w)² (svymean)
    ids = [1, 2, 3, 4, 5, 6]
    y1, y2 = [10, 9, 5, 8, 3, 7], [9, 9, 7, 6, 4, 10]
    w1, w2 = [1.0, 2.0, 0.5, 1.5, 3.0, 1.0], [2.0, 1.0, 1.0, 0.5, 1.0, 4.0]
    df = pd.DataFrame({"id": ids * 2, "wave": [1] * 6 + [2] * 6, "y": y1 + y2, "w": w1 + w2})
    d = np.array(y1, float) - np.array(y2, float)
    for how, w in (("first", w1), ("second", w2), ("mean", (np.add(w1, w2)) / 2)):
        w = np.asarray(w, float)
        m = w @ d / w.sum()
        se = np.sqrt(6 / 5 * np.sum(w**2 * (d - m) ** 2)) / w.sum()
        r = compare_paired(df, "y", wave="wave", id="id", metric="mean", weights="w",
                           weights_wave=how).table.iloc[0]  # fmt: skip
        assert r["difference"] == pytest.approx(m, abs=1e-12), how
        assert r["statistic"] == pytest.approx(m / se, abs=1e-10), how
        assert r["n_eff_a"] == pytest.approx(w.sum() ** 2 / (w @ w), abs=1e-12), how
    first = compare_paired(df, "y", wave="wave", id="id", metric="mean", weights="w")
    assert first.table.equals(
        compare_paired(df, "y", wave="wave", id="id", metric="mean", weights="w",
                       weights_wave="first").table)  # fmt: skip
    with pytest.raises(ParameterError, match="weights_wave='last'"):
        compare_paired(df, "y", wave="wave", id="id", weights="w", weights_wave="last")
    zero = df.assign(w=np.where(df.wave == 2, 0.0, df.w))
    with pytest.raises(OutOfRangeError, match="second wave's weights"):
        compare_paired(zero, "y", wave="wave", id="id", weights="w", weights_wave="second")


# ------------------------------------------------ found by the dirty-frame fuzz (issue #14)
def _segments(n=40):
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"])
    df["seg"] = np.tile(["x", "y"], n // 2)
    df["y"] = df.a + 0.5 * df.b + rng.normal(size=n)
    return df


def test_compare_drivers_names_text_in_a_predictor():
    # was a raw ValueError from float conversion ("could not convert string to float")
    df = _segments()
    df["a"] = df["a"].astype(object)
    df.loc[5, "a"] = "seven"
    with pytest.raises(NonNumericError, match=r"'a' holds 'seven' at row 5"):
        compare_drivers(df, "y", ["a", "b"], "seg", n_boot=40, seed=1, progress=False)


def test_compare_drivers_names_an_infinite_target():
    df = _segments()
    df.loc[7, "y"] = np.inf
    with pytest.raises(OutOfRangeError, match=r"'y' holds an infinite value at row 7"):
        compare_drivers(df, "y", ["a", "b"], "seg", n_boot=40, seed=1, progress=False)


def test_compare_paired_with_a_missing_wave_label():
    # a nullable wave column with a missing label was an IndexError (NA in the row mask);
    # the unlabelled row is left out like any row outside the two waves
    df = pd.DataFrame({"id": list(range(6)) * 2, "wave": [1] * 6 + [2] * 6,
                       "ltr": [10, 9, 5, 8, 3, 7, 10, 6, 5, 7, 9, 2]})  # fmt: skip
    df["wave"] = df["wave"].astype("Int64")
    df.loc[0, "wave"] = pd.NA
    r = compare_paired(df, "ltr", wave="wave", id="id")
    assert int(r.table.loc[0, "n_a"]) == 5
    assert any("not in both waves" in w for w in r.warnings)


def test_bootstrap_shares_equal_brute_force_on_the_resampled_rows():
    # a replicate's shares (the driver-share bootstrap's statistic, from one product of
    # its row counts with the cross-products) against Shapley values over all 2^3
    # subsets of the predictors, each R² from weighted least squares on the resample
    from itertools import combinations
    from math import factorial

    from servqual.compare import _batched_shares

    rng = np.random.default_rng(7)
    n = 60
    x = rng.normal(size=(n, 3))
    y = x @ [1.0, 0.5, 0.2] + rng.normal(size=n)
    w = rng.uniform(0.5, 2.0, n)
    counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(4)])
    got = _batched_shares(np.column_stack([x, y]), counts.astype(float), w)
    for j in range(4):
        ww = counts[j] * w  # each drawn row carries its weight

        def r2(sub, ww=ww):
            if not sub:
                return 0.0
            A = np.column_stack([np.ones(n), x[:, list(sub)]]) * np.sqrt(ww)[:, None]
            beta = np.linalg.lstsq(A, y * np.sqrt(ww), rcond=None)[0]
            res = y - np.column_stack([np.ones(n), x[:, list(sub)]]) @ beta
            return 1.0 - (ww @ res**2) / (ww @ (y - ww @ y / ww.sum()) ** 2)

        shap = np.zeros(3)
        for i in range(3):
            rest = [k for k in range(3) if k != i]
            for size in range(3):
                for sub in combinations(rest, size):
                    wt = factorial(size) * factorial(3 - size - 1) / factorial(3)
                    shap[i] += wt * (r2(sub + (i,)) - r2(sub))
        np.testing.assert_allclose(got[j], shap / r2((0, 1, 2)), rtol=0, atol=1e-12)
