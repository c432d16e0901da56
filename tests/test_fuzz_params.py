"""Property-based: bad parameters and arbitrary scalar inputs (issue #14).

Scalar and vector functions get arbitrary numbers (NaN, infinities, huge,
negative), text, None and booleans; the option vocabulary (``seed``,
``n_jobs``, ``ci``, ``n_boot``/``bootstrap``, ``missing``) gets invalid values
on the data functions.  Outcome: a typed servqual error or a sane result.
"""

import numpy as np
import pytest
from _api import DATA_CALLS
from _fuzz import assert_typed_error_or_sane, check_sane
from hypothesis import given
from hypothesis import strategies as st

from servqual import gaps, kano, measurement, metrics, retention, wom
from servqual.errors import ServqualError

ANY = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.sampled_from([None, True, "x", "", [], [1.0], {"a": 1}]),
)
PROB = st.one_of(st.floats(-0.5, 1.5), ANY)
VECTOR = st.one_of(
    st.lists(st.one_of(st.integers(-3, 12), st.floats(-1, 11)), min_size=0, max_size=30),
    st.lists(ANY, max_size=8),
    ANY,
)

SCALAR_CALLS = {
    "nps": (st.tuples(VECTOR), metrics.nps),
    "csat": (st.tuples(VECTOR), metrics.csat),
    "nps_se": (st.tuples(PROB, PROB, ANY), metrics.nps_se),
    "wilson_interval": (st.tuples(ANY, ANY), metrics.wilson_interval),
    "kano.classify": (st.tuples(VECTOR, VECTOR), kano.classify),
    "fong_test": (st.tuples(ANY, ANY, ANY), kano.fong_test),
    "icc_oneway": (
        st.integers(2, 20).flatmap(
            lambda n: st.tuples(
                st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=n, max_size=n),
                st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n),
            )
        ),
        gaps.icc_oneway,
    ),
    "rwg_j": (
        st.tuples(
            st.lists(st.lists(st.integers(1, 7), min_size=2, max_size=2), max_size=6).map(np.array),
            ANY,
        ),
        gaps.rwg_j,
    ),
    "difference_score_reliability": (
        st.tuples(PROB, PROB, PROB, ANY, ANY),
        measurement.difference_score_reliability,
    ),
    "feldt_ci": (
        st.tuples(PROB, ANY, ANY),
        lambda a, n, k: measurement.feldt_ci(a, n=n, k=k),
    ),
    "composite_reliability": (st.tuples(VECTOR), measurement.composite_reliability),
    "ave": (st.tuples(VECTOR), measurement.ave),
    "fit_bass": (st.tuples(VECTOR), wom.fit_bass),
    "steady_state": (st.tuples(PROB, ANY, PROB), wom.steady_state),
    "bass_discrete": (st.tuples(ANY, PROB, PROB, ANY), wom.bass_discrete),
    "clv": (st.tuples(ANY, PROB, PROB), retention.clv),
    "fit_sbg": (st.tuples(VECTOR), retention.fit_sbg),
}


@pytest.mark.parametrize("name", sorted(SCALAR_CALLS))
@given(data=st.data())
def test_arbitrary_arguments_give_typed_errors_or_sane_results(name, data):
    strategy, call = SCALAR_CALLS[name]
    assert_typed_error_or_sane(call, *data.draw(strategy, label="args"))


BAD_OPTIONS = {
    "seed": [-1, "x", 1.5, [1, 2]],
    "n_jobs": [0, 1.5, "2", None],
    "ci": [0, 1, -0.5, 2, float("nan"), "0.9"],
    "missing": ["bogus", None, 3],
    "n_boot": [1, 5, -1, 2.5, "100"],
    "bootstrap": [1, 5, -1, 2.5, "100"],
}


def _accepts(name, option):
    import inspect

    from _api import DATA_CALLS  # noqa: F401 - the functions behind the names

    fn = {
        "seed": ("csi", "key_drivers", "forest_importance", "stated_vs_derived", "what_if",
                 "servqual_vs_servperf", "pls.fit", "pls.predict", "sem.fit",
                 "compare_drivers", "driver_stability"),
        "n_jobs": ("csi", "key_drivers", "forest_importance", "stated_vs_derived", "what_if",
                   "servqual_vs_servperf", "pls.fit", "sem.fit", "compare_drivers",
                   "driver_stability"),
        "ci": ("csi", "key_drivers", "stated_vs_derived", "what_if", "servqual_vs_servperf",
               "pls.fit", "sem.fit", "reliability", "gap_profile", "compare", "compare_paired",
               "compare_drivers", "track", "trend", "driver_stability", "composite_profile"),
        "missing": ("csi", "reliability", "validate", "kano", "ipa", "ols", "key_drivers",
                    "pls.fit", "pls.predict", "sem.fit"),
        "n_boot": ("csi", "what_if", "servqual_vs_servperf", "compare_drivers",
                   "driver_stability"),
        "bootstrap": ("key_drivers", "stated_vs_derived", "pls.fit"),
    }  # fmt: skip
    del inspect
    return name in fn[option]


OPTION_CASES = [
    (name, opt, bad)
    for opt, values in BAD_OPTIONS.items()
    for name in sorted(DATA_CALLS)
    if _accepts(name, opt)
    for bad in values
]


@pytest.mark.parametrize("name, option, bad", OPTION_CASES)
def test_invalid_options_raise_typed_errors(name, option, bad):
    make, call = DATA_CALLS[name]
    with pytest.raises(ServqualError, match=option if option != "bootstrap" else "n_boot|boot"):
        call(make(), **{option: bad})


def test_sanity_checker_catches_bad_results():
    import pandas as pd

    with pytest.raises(AssertionError, match="excludes its estimate"):
        check_sane(pd.DataFrame({"estimate": [1.0], "ci_lower": [0.0], "ci_upper": [0.5]}))
    with pytest.raises(AssertionError, match="share outside"):
        check_sane(pd.DataFrame({"share": [1.5]}))
    with pytest.raises(AssertionError, match="infinite"):
        check_sane(pd.DataFrame({"x": [np.inf]}))
    check_sane(pd.DataFrame({"estimate": [1.0], "ci_lower": [0.5], "ci_upper": [1.5]}))
