"""Tests for servqual.retention: CLV forms, uplift, finite-life NPV, Reichheld-Sasser, sBG."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from servqual import errors
from servqual.retention import (
    clv,
    fit_sbg,
    npv_finite_life,
    npv_survival,
    reichheld_sasser_grid,
    retention_uplift,
)

# Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing
# 21(1), Table 1 (% alive, years 0-7) and the estimates reported with Figure 3.
REGULAR = [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1]
HIGH_END = [100, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1]


def test_clv_forms_match_brute_force_sums():
    m, r, d = 37.0, 0.83, 0.12
    t = np.arange(0, 3000)
    start = np.sum(m * r**t / (1 + d) ** t)  # margin at the start of each period
    gls = np.sum(m * r ** (t + 1) / (1 + d) ** (t + 1))
    assert clv(m, r, d) == pytest.approx(start, rel=1e-12)
    assert clv(m, r, d, form="gls") == pytest.approx(gls, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(d=st.floats(0.0, 0.2), m=st.floats(0.01, 1e6))
def test_start_form_plus_five_points_is_exactly_25pct_when_d_plus_churn_is_quarter(d, m):
    # the start-of-period value ratio is (1 + d - r0) / (1 + d - r1); with
    # d + (1 - r0) = 0.25 and r1 = r0 + 0.05 it is 0.25 / 0.20 = 1.25 exactly.
    r0 = 1 + d - 0.25
    if not 0 <= r0 < 0.95:
        return
    up = clv(m, r0 + 0.05, d) / clv(m, r0, d) - 1
    assert up == pytest.approx(0.25, abs=1e-9)
    tab = retention_uplift(r0, r0 + 0.05, d, forms=["start"])
    assert tab["uplift_pct"].iloc[0] == pytest.approx(25.0, abs=1e-7)


def test_example_085_to_090_at_10pct():
    tab = retention_uplift(0.85, 0.90, 0.10)
    got = dict(zip(tab["form"], tab["uplift_pct"]))
    assert got["start"] == pytest.approx(25.0, abs=1e-10)
    # GLS adds the ratio r1/r0
    assert got["gls"] == pytest.approx(100 * (1.25 * 0.90 / 0.85 - 1), abs=1e-10)
    # survival form with a constant profit = m / (1 + d - r): same ratio as "start"
    assert got["survival"] == pytest.approx(25.0, abs=1e-9)

    # finite life: 1/0.15 -> 1/0.10 years of a constant profit, by hand
    def fl(life):
        full = int(np.floor(life))
        return sum(1.1**-t for t in range(1, full + 1)) + (life - full) * 1.1 ** -(full + 1)

    assert got["finite_life"] == pytest.approx(100 * (fl(10) / fl(1 / 0.15) - 1), abs=1e-9)


def test_npv_finite_life_profile_repeats_and_prorates():
    # 2.5 years, profits 10, 20 then 20 repeating; half of year 3 at discount 0
    assert npv_finite_life([10, 20], 2.5, 0.0) == pytest.approx(10 + 20 + 10)
    by_hand = -5 + 10 / 1.1 + 20 / 1.1**2 + 0.5 * 20 / 1.1**3
    assert npv_finite_life([10, 20], 2.5, 0.1, acquisition_cost=5) == pytest.approx(by_hand)
    # negative first-year profit is allowed (a loss-making first year)
    assert npv_finite_life([-10, 20], 1, 0.0) == pytest.approx(-10)


def test_npv_survival_matches_truncated_sum_with_profile():
    p, r, d = [5.0, 8.0, 12.0], 0.7, 0.08
    t = np.arange(1, 2000)
    prof = np.where(t <= 3, np.array(p + [12.0] * (t.size - 3))[: t.size], 12.0)
    brute = np.sum(prof * r ** (t - 1) / (1 + d) ** t) - 3
    assert npv_survival(p, r, d, acquisition_cost=3) == pytest.approx(brute, rel=1e-12)


def test_reichheld_sasser_grid_values_recomputed():
    g = reichheld_sasser_grid(
        defection=[0.2, 0.1], discount=[0.1], growth=[0.05], acquisition=[0.5]
    )
    for _, row in g.iterrows():
        prof = [1.05**k for k in range(40)]
        before = npv_finite_life(prof, 1 / row.defection, 0.1, 0.5)
        after = npv_finite_life(prof, 1 / (row.defection - 0.05), 0.1, 0.5)
        assert row.uplift_pct == pytest.approx(100 * (after / before - 1), rel=1e-10)
        assert row.in_range == (25 <= row.uplift_pct <= 85)
    # the classic credit-card case (defection 20% -> 15%) lands in the claimed range
    # only with tenure growth and acquisition costs; without them it is below 25%
    plain = reichheld_sasser_grid(defection=[0.2], discount=[0.1], growth=[0.0], acquisition=[0.0])
    assert plain["uplift_pct"].iloc[0] < 25


def test_fit_sbg_reproduces_fader_hardie_2007():
    res = fit_sbg(REGULAR)
    assert (round(res.alpha, 3), round(res.beta, 3)) == (0.704, 1.182)
    high = fit_sbg(HIGH_END)
    assert (round(high.alpha, 3), round(high.beta, 3)) == (0.668, 3.806)
    # counts and percentages give the same estimates (likelihood scales)
    res2 = fit_sbg(np.array(REGULAR) * 10)
    assert res2.alpha == pytest.approx(res.alpha, rel=1e-5)


def test_sbg_retention_survival_and_derl_identities():
    res = fit_sbg(REGULAR)
    a, b = res.alpha, res.beta
    t = np.arange(1, 12)
    # S(t) = prod_{i<=t} r_i
    assert np.allclose(res.survival(t), np.cumprod(res.retention(t)))
    assert np.allclose(res.survival(t), special.beta(a, b + t) / special.beta(a, b))
    fc = res.forecast(12)
    assert fc["observed"].iloc[:8].tolist() == pytest.approx(np.array(REGULAR) / 100)
    # DERL closed form (hypergeometric) vs truncated sum
    for n in (1, 4):
        tt = np.arange(n, 20000)
        brute = np.sum(res.survival(tt) / res.survival(n - 1) * (1 / 1.1) ** (tt - n))
        assert res.derl(0.1, renewals=n - 1) == pytest.approx(brute, rel=1e-8)
    assert "alpha" in str(res.summary())


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: clv(1, 1.0, 0.1), ["retention=1.0", "[0, 1)"]),
        (lambda: clv(1, -0.1, 0.1), ["retention=-0.1"]),
        (lambda: clv(1, 0.9, -0.2), ["1 + discount - retention", "discount=-0.2"]),
        (lambda: clv(-5, 0.9, 0.1), ["margin=-5"]),
        (lambda: clv(5, 0.9, 0.1, form="end"), ["form='end'"]),
        (lambda: retention_uplift(0.8, 0.85, 0.1, profits=[-1.0]), ["profits[0]=-1.0"]),
        (lambda: npv_finite_life([1], 0, 0.1), ["life_years=0"]),
        (lambda: npv_finite_life([1], 2, 0.1, acquisition_cost=-1), ["acquisition_cost=-1"]),
        (lambda: reichheld_sasser_grid(defection=[0.04]), ["defection=0.04"]),
    ],
)
def test_bad_parameters_raise_parameter_error(call, words):
    with pytest.raises(errors.ParameterError) as exc:
        call()
    for w in words:
        assert w in str(exc.value)


def test_fit_sbg_bad_input():
    with pytest.raises(errors.DataError, match=r"increases at period 2 \(50.0 -> 60.0\)"):
        fit_sbg([100, 50, 60, 40])
    with pytest.raises(errors.InsufficientDataError, match="at least 3"):
        fit_sbg([100, 50])
    with pytest.raises(errors.MissingValuesError):
        fit_sbg([100, np.nan, 40])


def test_fit_sbg_flags_boundary_estimates():
    # constant retention 0.8 is a homogeneous geometric: the sBG MLE runs off to
    # alpha, beta -> infinity with alpha / (alpha + beta) -> 0.2 (the churn rate)
    with pytest.warns(errors.ImproperSolutionWarning, match="boundary"):
        res = fit_sbg([1000, 800, 640, 512, 409.6])
    assert res.alpha / (res.alpha + res.beta) == pytest.approx(0.2, abs=1e-3)
    assert any("not identified" in w for w in res.warnings)
    # retention falling with tenure (0.5 then 0): also the geometric limit
    with pytest.warns(errors.ImproperSolutionWarning):
        fit_sbg([100, 50, 0])
    # nobody lost: alpha -> 0
    with pytest.warns(errors.ImproperSolutionWarning):
        assert fit_sbg([100, 100, 100]).alpha < 1e-3
    # the Fader-Hardie data are interior: no warning
    assert fit_sbg(REGULAR).warnings == ()


def test_more_bad_parameters():
    with pytest.raises(errors.ParameterError, match=r"acquisition_cost=-5"):
        retention_uplift(0.8, 0.85, 0.1, acquisition_cost=-5, forms=["start"])
    with pytest.raises(errors.ParameterError, match=r"target=\(85, 25\)"):
        reichheld_sasser_grid(target=(85, 25))
