"""Frozen results hand out copies of their tables and arrays: in-place edits do not stick."""

import numpy as np
import pandas as pd
import pytest

import servqual
from servqual import gaps
from servqual.economics import what_if
from servqual.retention import fit_sbg
from servqual.wom import complaint_funnel, simulate_customer_base


def _results():
    df, _ = servqual.simulate_survey(300, seed=1)
    cust, man, staff, _ = gaps.simulate_units(12, 10, 4, seed=2, managers_per_unit=4)
    scores = gaps.unit_scores(cust, man, staff)
    return {
        "funnel": complaint_funnel(100),
        "sbg": fit_sbg([100, 63.1, 46.8, 38.2, 32.6]),
        "sim": simulate_customer_base(200, 3, seed=1, progress=False),
        "what_if": what_if(df, n_boot=40, seed=1, progress=False),
        "unit_scores": scores,
        "explain": gaps.explain_gap5(scores, antecedents=False),
        "servperf": gaps.servqual_vs_servperf(cust, n_boot=40, seed=1, progress=False),
    }


def test_tables_and_arrays_are_returned_as_copies():
    checked = 0
    for name, res in _results().items():
        for attr in vars(res):
            if attr.startswith("_"):
                continue
            value = getattr(res, attr)
            if isinstance(value, pd.DataFrame):
                before = value.copy()
                num = value.select_dtypes("number").columns
                if len(num) == 0 or len(value) == 0:
                    continue
                value.loc[value.index[0], num[0]] = -12345.0
                pd.testing.assert_frame_equal(getattr(res, attr), before, obj=f"{name}.{attr}")
                checked += 1
            elif isinstance(value, np.ndarray) and value.size:
                before = value.copy()
                try:  # arrays come back read-only (or as copies): either way nothing sticks
                    value.flat[0] = -12345.0
                except ValueError as exc:
                    assert "read-only" in str(exc)
                np.testing.assert_array_equal(getattr(res, attr), before)
                checked += 1
    # funnel.table, sbg.observed, sim.paths, what_if.table/draws/path, unit_scores (4),
    # explain (3), servperf (2)
    assert checked >= 14


def test_copy_on_read_keeps_frozen_assignment_error():
    res = complaint_funnel(100)
    with pytest.raises(AttributeError):
        res.iceberg = 3.0


def test_validation_report_tables_are_copies():
    df, _ = servqual.simulate_survey(60, seed=1)
    df.loc[[1, 2], "P3"] = np.nan
    _, rep = servqual.validate(df, servqual.Instrument.servqual22(), missing="report")
    rep.missing.iloc[:] = 0
    assert rep.n_missing == 2 and rep.missing["P3"] == 2
