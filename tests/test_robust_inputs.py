"""Every case of issue #14 ends as a typed error naming the culprit, a warning, or a
correct result.  Reference values are recomputed by hand in each test."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _api import DATA_CALLS, GROUPS, HS, SQ, STATED, hs, survey

import servqual
from servqual import drivers, economics, gaps, kano, measurement, metrics, pls, scores, sem, wom
from servqual.errors import (
    CollinearityError,
    DataError,
    DegenerateResultWarning,
    DuplicateIndexError,
    EmptyDataError,
    InputTypeError,
    InsufficientDataError,
    MissingDataWarning,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
    ServqualError,
)

# ----------------------------------------------------------------- the input gate

BAD_DATA = {
    "None": None,
    "ndarray": np.ones((5, 3)),
    "list": [[1, 2], [3, 4]],
    "dict": {"P1": [1, 2, 3]},
    "Series": pd.Series([1.0, 2.0]),
}


@pytest.mark.parametrize("name", sorted(DATA_CALLS))
@pytest.mark.parametrize("kind", sorted(BAD_DATA))
def test_non_frames_are_refused_with_a_typed_error(name, kind):
    _, call = DATA_CALLS[name]
    with pytest.raises(InputTypeError, match="DataFrame"):
        call(BAD_DATA[kind])


@pytest.mark.parametrize("name", sorted(DATA_CALLS))
def test_multiindex_columns_and_empty_frames_are_refused(name):
    make, call = DATA_CALLS[name]
    d = make()
    mi = d.copy()
    mi.columns = pd.MultiIndex.from_tuples([(str(c), "x") for c in d.columns])
    with pytest.raises(DataError, match="MultiIndex"):
        call(mi)
    with pytest.raises((EmptyDataError, InsufficientDataError)):
        call(d.iloc[:0])


@pytest.mark.parametrize("name", ["reliability", "sem.fit", "key_drivers", "what_if"])
def test_two_rows_say_how_many_rows_are_needed_not_constant(name):
    make, call = DATA_CALLS[name]
    with pytest.raises(InsufficientDataError, match=r"only 2 .*row.*at least \d+") as exc:
        call(make().iloc[:2])
    assert "constant" not in str(exc.value)


def test_reliability_and_survey_report_refuse_arrays():
    from servqual.report import survey_report

    for bad in BAD_DATA.values():
        with pytest.raises(InputTypeError):
            servqual.reliability(bad, SQ)
        with pytest.raises(InputTypeError):
            survey_report(bad, SQ)


# ----------------------------------------------------------------- silent results (D)


def test_icc_oneway_reports_dropped_values_and_refuses_inf():
    v = [1.0, 2, 3, 5, 6, 7, np.nan]
    g = ["a", "a", "a", "b", "b", "b", "b"]
    with pytest.warns(MissingDataWarning, match="1 missing value"):
        r = gaps.icc_oneway(v, g)
    # brute force on the six complete values: MSB = 3 * 2^2 * 2 / 1 = 24, MSW = 4 / 4
    assert r["df_within"] == 4 and r["msb"] == pytest.approx(24.0) and r["msw"] == 1.0
    with pytest.raises(OutOfRangeError, match="infinite"):
        gaps.icc_oneway([1.0, 2, np.inf, 5], ["a", "a", "b", "b"])
    with pytest.raises(ParameterError, match="one label per value"):
        gaps.icc_oneway([1.0, 2, 3], ["a", "b"])


def test_rwg_j_needs_two_scale_points():
    x = np.array([[4, 5], [5, 5], [4, 4]])
    for bad in (0, 1, 2.5, -3):
        with pytest.raises(ParameterError, match=f"n_points={bad!r}"):
            gaps.rwg_j(x, bad)
    # James et al. (1984): J(1 - s2/su2) / (J(1 - s2/su2) + s2/su2), su2 = (7^2-1)/12 = 4
    s2 = np.mean([np.var([4, 5, 4], ddof=1), np.var([5, 5, 4], ddof=1)])
    ratio = s2 / 4
    assert gaps.rwg_j(x, 7) == pytest.approx(2 * (1 - ratio) / (2 * (1 - ratio) + ratio))


def test_stated_vs_derived_refuses_duplicated_row_labels():
    d = survey()
    d.index = [0, 0] + list(range(2, len(d)))
    with pytest.raises(DuplicateIndexError, match="row label 0"):
        drivers.stated_vs_derived(d, STATED, "SAT1", GROUPS, n_boot=0)


@pytest.mark.parametrize("value", [99, -1])
def test_what_if_refuses_out_of_scale_ratings(value):
    d = survey()
    d.loc[d.index[3], "P6"] = value
    with pytest.raises(OutOfRangeError, match=rf"'P6'.*{value}.*1-7"):
        economics.what_if(d, n_boot=40, progress=False)


def test_what_if_refuses_a_boolean_rating_column():
    d = survey()
    d["P6"] = d["P6"] > 4
    with pytest.raises(NonNumericError, match="'P6' is boolean"):
        economics.what_if(d, n_boot=40, progress=False)


@pytest.mark.parametrize("size", [1, 2, 39])
def test_bootstrap_below_the_minimum_raises_everywhere(size):
    with pytest.raises(ParameterError, match=f"n_boot={size} is too small.*at least 40"):
        metrics.csi(survey(), ["SAT1", "SAT2"], scale=(1, 7), n_boot=size, progress=False)
    with pytest.raises(ParameterError, match=f"n_boot={size} is too small"):
        pls.fit(pls.ecsi_model(), servqual.load_dataset("mobi"), n_boot=size)
    with pytest.raises(ParameterError, match=f"n_boot={size} is too small"):
        drivers.key_drivers(survey(), "SAT1", ["P1", "P2"], n_boot=size)
    with pytest.raises(ParameterError, match=f"n_boot={size} is too small"):
        economics.what_if(survey(), n_boot=size)
    with pytest.raises(ParameterError, match=f"n_boot={size} is too small"):
        sem.fit(HS, hs(), se="bootstrap", n_boot=size)
    # a 99% interval needs 2 / (1 - 0.99) = 200 replicates
    with pytest.raises(ParameterError, match="at least 200"):
        metrics.csi(survey(), ["SAT1"], scale=(1, 7), n_boot=100, ci=0.99)


@pytest.mark.parametrize("ci", [0, 1, 1.5, -0.1])
def test_ci_levels_outside_the_unit_interval_raise(ci):
    with pytest.raises(ParameterError, match=f"ci={ci!r}"):
        metrics.csi(survey(), ["SAT1"], scale=(1, 7), n_boot=0, ci=ci)


def test_fit_bass_flags_a_flat_series_as_degenerate():
    with pytest.warns(DegenerateResultWarning, match="not identified"):
        f = wom.fit_bass([50] * 12)
    assert any("degenerate" in w for w in f.warnings)
    # a proper diffusion curve is not flagged
    y = 10_000 * np.diff(wom.bass_cdf(np.arange(16), 0.03, 0.4))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateResultWarning)
        assert wom.fit_bass(y).m == pytest.approx(10_000, rel=1e-4)


def test_difference_score_reliability_bounds():
    f = measurement.difference_score_reliability
    for kw, match in [
        ({"r_pp": 1.5}, "r_pp=1.5"),
        ({"sd_p": -1}, "sd_p=-1"),
        ({"r_pe": 1.2}, "r_pe=1.2"),
        ({"r_pe": 1.0}, "zero variance"),
    ]:
        args = {"r_pp": 0.8, "r_ee": 0.8, "r_pe": 0.5, "sd_p": 1.0, "sd_e": 1.0, **kw}
        with pytest.raises(ParameterError, match=match):
            f(**args)
    # Lord (1958): (0.8 + 0.8 - 2*0.5) / (2 - 2*0.5) = 0.6
    assert f(0.8, 0.8, 0.5, 1.0, 1.0) == pytest.approx(0.6)
    # with unequal SDs r_pe = 1 is a valid (if extreme) input
    assert np.isfinite(f(0.8, 0.8, 1.0, 1.0, 2.0))


def test_fornell_larcker_refuses_a_correlation_of_two():
    c = pd.DataFrame([[1, 2.0], [2.0, 1]], index=["a", "b"], columns=["a", "b"])
    with pytest.raises(OutOfRangeError, match=r"corr\['a', 'b'\] = 2.0"):
        measurement.fornell_larcker({"a": 0.5, "b": 0.3}, c)
    ok = pd.DataFrame([[1, 0.6], [0.6, 1]], index=["a", "b"], columns=["a", "b"])
    with pytest.raises(ParameterError, match="AVE of 'a'=1.3"):
        measurement.fornell_larcker({"a": 1.3, "b": 0.3}, ok)


def test_pls_predict_and_mga_check_the_missing_policy():
    mobi = servqual.load_dataset("mobi")
    with pytest.raises(ParameterError, match="missing='bogus'"):
        pls.predict(pls.ecsi_model(), mobi, missing="bogus")
    with pytest.raises(ParameterError, match="missing='bogus'"):
        pls.mga(pls.ecsi_model(), mobi.assign(g=[1, 2] * 125), "g", missing="bogus")


def test_n_jobs_zero_raises():
    mobi = servqual.load_dataset("mobi")
    with pytest.raises(ParameterError, match="n_jobs=0"):
        pls.fit(pls.ecsi_model(), mobi, n_jobs=0)
    with pytest.raises(ParameterError, match="n_jobs=0"):
        sem.fit(HS, hs(), n_jobs=0)
    with pytest.raises(ParameterError, match="n_jobs=0"):
        drivers.forest_importance(survey(), "SAT1", ["P1", "P2"], n_jobs=0)


def test_nan_in_scores_warns():
    d = survey()
    d.loc[d.index[:3], "P1"] = np.nan
    with pytest.warns(MissingDataWarning, match="'P1': 3"):
        out = scores.composites(d, SQ)
    assert out.shape[0] == len(d)


# ----------------------------------------------------------------- internal errors (C)


def test_identical_columns_in_sem_are_named():
    d = hs()
    d["x2"] = d["x1"]
    with pytest.raises(CollinearityError, match="'x1' and 'x2' are identical"):
        sem.fit(HS, d)
    with pytest.raises(CollinearityError, match="'x1' and 'x2' are identical"):
        sem.invariance(HS, d, group="school")


def test_nps_csat_of_none():
    for f in (metrics.nps, metrics.csat):
        with pytest.raises(InputTypeError, match="scores must be a one-dimensional list"):
            f(None)


@pytest.mark.parametrize("bad", ["abc", {"a": 1}, [[1, 2]], [{"a": 1}]])
def test_kano_classify_rejects_non_answers(bad):
    with pytest.raises(ServqualError, match="functional"):
        kano.classify(bad, [1] if not isinstance(bad, str) else [1, 2, 3])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: servqual.simulate_survey(10**13), "simulate_survey.*PiB"),
        (lambda: gaps.simulate_units(10**5, 10**5, 5), "simulate_units.*TiB"),
        (lambda: wom.simulate_customer_base(10**13, 10), "chunk-periods"),
        (
            lambda: wom.simulate_customer_base(10**13, 10, chunk_size=10**9, replicates=2),
            "customer_base.*GiB",
        ),
    ],
)
def test_absurd_sizes_stop_at_once_with_an_estimate(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_memory_limit_can_be_lowered(monkeypatch):
    monkeypatch.setenv("SERVQUAL_MAX_MEMORY", str(10**6))
    with pytest.raises(ParameterError, match="simulate_survey.*MiB.*976.6 KiB"):
        servqual.simulate_survey(10_000)
    assert servqual.simulate_survey(50, seed=1)[0].shape == (50, 84)


# ------------------------------------------- the nine functions brought inside the gate


def test_pls_two_group_functions_refuse_duplicated_row_labels():
    make, _ = DATA_CALLS["pls.mga"]
    d = make()
    d.index = [5, 5] + list(range(2, len(d)))
    for fn in (pls.mga, pls.mga_bootstrap, pls.micom):
        with pytest.raises(DuplicateIndexError, match="row label 5 .*group"):
            fn(pls.ecsi_model(), d, "g", seed=1)


def test_unit_level_functions_need_unit_scores_and_linked_frames():
    c, m, s = gaps.simulate_units(8, 6, 2, seed=1)[:3]
    for fn in (gaps.multilevel, gaps.explain_gap5):
        with pytest.raises(InputTypeError, match="UnitScores result of unit_scores"):
            fn(c)
    with pytest.raises(InputTypeError, match="managers must be a pandas DataFrame, got list"):
        gaps.check_linked(c, [[1, 2]], s)
    with pytest.raises(InputTypeError, match="staff is None"):
        gaps.unit_scores(c, m, None)


def test_multilevel_says_how_many_units_it_needs():
    c, m, s = gaps.simulate_units(6, 6, 2, seed=1)[:3]
    sc = gaps.unit_scores(c, m, s)
    # intercept + 4 unit gaps + the unit variance: 4 + 3 = 7 units needed, 6 given
    with pytest.raises(InsufficientDataError, match=r"needs at least 7 units; the data have 6"):
        gaps.multilevel(sc)
    res = gaps.multilevel(sc, gaps=("gap1",))  # 1 + 3 = 4 units suffice
    assert res.n_units == 6 and res.fixed["term"].tolist() == ["Intercept", "PE", "gap1"]


def test_weighted_servqual_score_checks_its_importance_frame():
    d = survey().head(20)
    imp = d[[f"IMP_{k}" for k in SQ.dimensions]].set_axis(list(SQ.dimensions), axis=1)
    ref = scores.weighted_servqual_score(d, SQ)
    # brute force: sum of dimension gaps x points / 100
    g = scores.dimension_gaps(d, SQ)
    assert np.allclose(ref, (g.to_numpy() * imp.to_numpy()).sum(axis=1) / 100)
    with pytest.raises(DataError, match="importance has 19 row.*data has 20"):
        scores.weighted_servqual_score(d, SQ, imp.iloc[:19])
    with pytest.raises(InputTypeError, match="importance must be .* got int"):
        scores.weighted_servqual_score(d, SQ, 3)
    with pytest.raises(InputTypeError, match="instrument must be a servqual.Instrument"):
        scores.weighted_servqual_score(d, "servqual22")
    # a duplicated row label: the offending row is named, not a pandas error
    bad = imp.copy()
    bad.iloc[1, 0] += 7
    d2, bad.index = d.copy(), [0, 0] + list(range(2, 20))
    d2.index = bad.index
    with pytest.raises(DataError, match=r"row 0 sums to 107"):
        scores.weighted_servqual_score(d2, SQ, bad)


def test_cox_on_too_few_customers_says_how_many_it_needs():
    from servqual import survival

    df = pd.DataFrame({"sat": [1.05, 1.78], "tenure": [9, 3], "churn": [1, 1]})
    with pytest.raises(InsufficientDataError, match=r"only 2 customer.*at least 4 rows"):
        survival.cox(df, ["sat"])


def test_unit_models_follow_a_custom_unit_column():
    """unit_scores(unit="branch") fed multilevel/explain_gap5 a KeyError 'unit_id'."""
    frames = gaps.simulate_units(12, 8, 3, seed=2, managers_per_unit=4)[:3]
    ref = gaps.unit_scores(*frames)
    renamed = [f.rename(columns={"unit_id": "branch"}) for f in frames]
    sc = gaps.unit_scores(*renamed, unit="branch")
    assert sc.unit == "branch" and ref.unit == "unit_id"
    assert sc.gap_table().index.name == "branch"
    pd.testing.assert_frame_equal(sc.gap_table().reset_index(drop=True),
                                  ref.gap_table().reset_index(drop=True))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = gaps.multilevel(sc), gaps.multilevel(ref)
        e1, e2 = gaps.explain_gap5(sc), gaps.explain_gap5(ref)
    pd.testing.assert_frame_equal(a.fixed, b.fixed)
    pd.testing.assert_frame_equal(e1.coefficients, e2.coefficients)


# ------------------------------------------- found by the long fuzz profile (fuzz_long.txt)


def test_unbounded_parameters_refuse_infinity():
    from servqual.customer_base import steady_state

    with pytest.raises(ParameterError, match="acquisition=inf is invalid"):
        steady_state(0.0, float("inf"), 0.0)
    with pytest.raises(ParameterError, match="is invalid"):  # was OverflowError
        kano.fong_test(0.0, 0.0, float("inf"))
    with pytest.raises(ParameterError, match="n_points=inf"):
        gaps.rwg_j(np.array([[1, 1], [1, 1]]), float("inf"))
    with pytest.raises(ParameterError, match=r"n_points=1\.34"):  # was OverflowError
        gaps.rwg_j(np.array([[1, 1], [1, 1]]), 1.3407807929942597e154)


def test_bass_discrete_guards():
    from servqual.diffusion import bass_discrete

    # n_1 = p m = 10; n_2 = (0.1 + 0.5 * 10 / 100) * 90 = 13.5
    assert bass_discrete(2.0, 0.1, 0.5, 100)["adopters"].tolist() == pytest.approx([10.0, 13.5])
    with pytest.raises(ParameterError, match=r"sum to 63 > 1"):  # was a series of inf
        bass_discrete(8, 5.0, 58, 5.0)
    with pytest.raises(ParameterError, match="would need about .* of memory"):
        bass_discrete(5_789_779_833_000, 0.1, 0.5, 100)


def test_kano_classify_refuses_ragged_lists():
    with pytest.raises(InputTypeError, match="dysfunctional must be .* ragged list"):
        kano.classify(0.0, [0.0, []])


def test_life_table_refuses_duplicated_row_labels():
    from servqual import survival

    df = pd.DataFrame({"tenure": [1, 3, 2, 2], "churn": [1, 1, 0, 1]}, index=[0, 0, 2, 3])
    with pytest.raises(DuplicateIndexError, match="row label 0"):
        survival.life_table(df)


def test_clv_overflow_is_refused():
    from servqual import retention

    with pytest.raises(ParameterError, match="beyond the floating-point range"):
        retention.clv(1.3407807929942597e154, 0.0, 1.3407807929942597e154)
    assert retention.clv(100, 0.9, 0.1) == pytest.approx(100 * 1.1 / 0.2)


def test_track_refuses_an_infinite_wave_label():
    from servqual import tracking

    df = pd.DataFrame({"ltr": [10, 9, 3, 8], "wave": [1.0, np.inf, 2.0, 2.0]})
    with pytest.raises(OutOfRangeError, match="column 'wave' holds an infinite value at row 1"):
        tracking.track(df, "ltr", "wave")


def test_cox_singular_information_is_a_typed_error(monkeypatch):
    """The long fuzz profile found a frame whose Cox fit raised a raw LinAlgError
    (validation/results/fuzz_long.txt); the singular fit is simulated here."""
    from statsmodels.duration.hazard_regression import PHReg

    from servqual import survival

    def singular(self, *a, **k):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(PHReg, "fit", singular)
    df = pd.DataFrame({"sat": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0], "tenure": [1, 2, 3, 4, 5, 6],
                       "churn": [1] * 6})  # fmt: skip
    with pytest.raises(InsufficientDataError, match="Cox model of 'churn' on .*'sat'.* cannot"):
        survival.cox(df, ["sat"])


def test_feldt_ci_with_huge_n_and_k():
    """n = k = 2**32 + 1 made scipy's F quantile fail on a 2**64 integer (long fuzz profile)."""
    lo, hi = measurement.feldt_ci(0.0, n=4_294_967_297, k=4_294_967_297)
    assert lo == pytest.approx(0.0, abs=1e-4) and hi == pytest.approx(0.0, abs=1e-4)
    assert measurement.feldt_ci(0.8, n=100, k=5) == pytest.approx((0.731, 0.856), abs=5e-4)
