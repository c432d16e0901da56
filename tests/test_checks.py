"""Tests of the shared input checks and bootstrap machinery."""

import numpy as np
import pandas as pd
import pytest

from servqual._checks import Interval, Options, check_frame, check_params, check_rng
from servqual._resampling import bca_ci, jackknife, percentile_ci, run_bootstrap
from servqual.errors import (
    ConstantItemError,
    DuplicateColumnError,
    EmptyDataError,
    MissingColumnError,
    MissingValuesError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
)


def test_interval_and_options():
    check_params({"r": 0.0}, {"r": Interval(0, 1, closed="left")})
    with pytest.raises(ParameterError, match=r"r=1\.0.*\[0, 1\)"):
        check_params({"r": 1.0}, {"r": Interval(0, 1, closed="left")})
    with pytest.raises(ParameterError, match="form='x'"):
        check_params({"form": "x"}, {"form": Options(("start", "gls"))})
    with pytest.raises(ParameterError, match="integer"):
        check_params({"n": 2.5}, {"n": Interval(1, None, integer=True)})
    with pytest.raises(ParameterError):
        check_params({"n": True}, {"n": Interval(0, None)})


def test_check_frame_errors_name_column_and_row():
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["1", "x", "3"]}, index=[10, 11, 12])
    with pytest.raises(NonNumericError, match=r"'b'.*row 11.*'x'"):
        check_frame(df)
    with pytest.raises(MissingColumnError, match="'zz'"):
        check_frame(df, ["a", "zz"])
    with pytest.raises(OutOfRangeError, match=r"'a'.*row 12.*3"):
        check_frame(df, ["a"], scale=(1, 2))
    with pytest.raises(MissingValuesError, match=r"'a': 1"):
        check_frame(pd.DataFrame({"a": [1, np.nan, 3]}), ["a"])
    with pytest.raises(ConstantItemError, match="'a'"):
        check_frame(pd.DataFrame({"a": [2, 2, 2]}))
    with pytest.raises(EmptyDataError):
        check_frame(pd.DataFrame({"a": []}))
    dup = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"])
    with pytest.raises(DuplicateColumnError, match="'a'"):
        check_frame(dup)


def test_check_rng_is_deterministic_and_never_global():
    state = np.random.get_state()[1].copy()
    assert check_rng(5).random() == check_rng(5).random()
    np.testing.assert_array_equal(state, np.random.get_state()[1])
    with pytest.raises(ParameterError):
        check_rng("abc")


def test_bootstrap_independent_of_n_jobs_and_batches():
    x = np.random.default_rng(0).normal(size=200)

    def stat(i):
        return [x[i].mean(), x[i].std()]

    a = run_bootstrap(stat, 200, 64, k=2, seed=3, progress=False)
    b = run_bootstrap(stat, 200, 64, k=2, seed=3, n_jobs=2, batch_size=5, progress=False)
    np.testing.assert_array_equal(a.estimates, b.estimates)
    # bootstrap SE of the mean ~ sd/sqrt(n)
    assert abs(a.estimates[:, 0].std() - x.std() / np.sqrt(200)) < 0.02


def test_bootstrap_counts_failures():
    def stat(i):
        if i[0] % 2 == 0:
            raise np.linalg.LinAlgError("singular")
        return [1.0]

    d = run_bootstrap(stat, 50, 40, k=1, seed=1, progress=False)
    assert 0 < d.n_failed < 40
    assert "LinAlgError: singular" in d.messages[0]
    assert np.isnan(d.estimates[d.failed]).all()
    assert "bootstrap replicates failed" in d.warning_text()


def test_bca_equals_percentile_for_symmetric_unbiased_case():
    rng = np.random.default_rng(1)
    x = rng.normal(size=400)
    draws = run_bootstrap(lambda i: [x[i].mean()], 400, 2000, k=1, seed=2, progress=False)
    jack = jackknife(lambda i: [x[i].mean()], 400)
    lo_p, hi_p = percentile_ci(draws.estimates)
    lo_b, hi_b = bca_ci(np.array([x.mean()]), draws.estimates, jack)
    # the mean has zero acceleration and ~no bias: both intervals agree closely
    assert abs(lo_p[0] - lo_b[0]) < 0.01 and abs(hi_p[0] - hi_b[0]) < 0.01
    # and cover the normal-theory interval
    se = x.std(ddof=1) / 20
    assert abs((hi_p[0] - lo_p[0]) - 2 * 1.96 * se) < 0.015


def test_bootstrap_draws_are_read_only_and_seed_checked():
    d = run_bootstrap(lambda i: [float(i.mean())], 30, 10, k=1, seed=4, progress=False)
    with pytest.raises(ValueError, match="read-only"):
        d.estimates[0, 0] = 1.0
    with pytest.raises(ParameterError, match="seed='x'"):
        run_bootstrap(lambda i: [1.0], 30, 10, k=1, seed="x", progress=False)
