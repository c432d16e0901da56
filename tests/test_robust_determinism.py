"""Same seed, bit-identical result, whatever ``n_jobs`` (issue #14).

Every function with both ``seed`` and ``n_jobs`` is run at ``n_jobs=1`` and
``n_jobs=2``; every table and array of the result must be *equal*, not close.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from _api import GROUPS, HS, STATED, hs, linear, survey

import servqual
from servqual import drivers, economics, gaps, metrics, pls, sem


def _tables(res):
    out = {}
    for name in dir(res):
        if name.startswith("_"):
            continue
        try:
            with warnings.catch_warnings():  # deprecated aliases (.params, .interval): skipped
                warnings.simplefilter("error", FutureWarning)
                v = getattr(res, name)
        except Exception:  # noqa: BLE001 - properties that need arguments etc.
            continue
        if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray)):
            out[name] = v
    assert out, f"{type(res).__name__} exposes no table"
    return out


def _assert_identical(a, b):
    ta, tb = _tables(a), _tables(b)
    assert ta.keys() == tb.keys()
    for k in ta:
        x, y = ta[k], tb[k]
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=k)
        elif isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=k)
        else:
            pd.testing.assert_series_equal(x, y, check_exact=True, obj=k)


CALLS = {
    "key_drivers": lambda j: drivers.key_drivers(
        linear(), "y", ["a", "b", "c"], ["shapley", "relative_weights", "random_forest"],
        n_boot=40, seed=4, n_jobs=j, progress=False,
        forest_options={"n_estimators": 10, "n_repeats": 1},
    ),
    "forest_importance": lambda j: drivers.forest_importance(
        linear(), "y", ["a", "b", "c"], n_estimators=10, n_repeats=2, seed=4, n_jobs=j
    ),
    "stated_vs_derived": lambda j: drivers.stated_vs_derived(
        survey(), STATED, "SAT1", GROUPS, n_boot=40, seed=4, n_jobs=j, progress=False
    ),
    "sem.fit": lambda j: sem.fit(
        HS, hs(), se="bootstrap", n_boot=40, seed=4, n_jobs=j, progress=False
    ),
    "pls.fit": lambda j: pls.fit(
        pls.ecsi_model(), servqual.load_dataset("mobi"), n_boot=40, seed=4, n_jobs=j,
        progress=False,
    ),
    "csi": lambda j: metrics.csi(
        survey(), ["SAT1", "SAT2", "SAT3"], scale=(1, 7), n_boot=40, seed=4, n_jobs=j,
        progress=False,
    ),
    "what_if": lambda j: economics.what_if(survey(), n_boot=40, seed=4, n_jobs=j, progress=False),
    "servqual_vs_servperf": lambda j: gaps.servqual_vs_servperf(
        gaps.simulate_units(12, 8, 3, seed=2)[0], n_boot=40, seed=4, n_jobs=j, progress=False
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_seed_bit_identical_across_n_jobs(name):
    _assert_identical(CALLS[name](1), CALLS[name](2))
