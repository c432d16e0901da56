"""Bad-input catalogue for survey validation (issue 2, section 3).

Each case asserts the error *type* and that the message names the offending
column, row or value.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from servqual import Instrument, load_dataset, simulate_survey, validate
from servqual.errors import (
    ConstantItemError,
    DataError,
    DuplicateColumnError,
    EmptyDataError,
    InsufficientDataError,
    MissingColumnError,
    MissingDataWarning,
    MissingValuesError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
    UnpairedItemError,
)

SQ = Instrument.servqual22()
MOBI = Instrument.ecsi_mobi()


@pytest.fixture(scope="module")
def survey():
    return simulate_survey(60, seed=11)[0]


def _mobi():
    return load_dataset("mobi").astype(float)


def _with(df, col, row, value):
    df = df.copy().astype({col: object})
    df.loc[row, col] = value
    return df


CASES = [
    # (id, frame factory, instrument, kwargs, error type, regex the message must match)
    ("missing item column", lambda s: s.drop(columns=["P5", "E5"]), SQ, {},
     MissingColumnError, r"'P5'"),
    ("missing mobi column", lambda s: _mobi().drop(columns=["PERV2"]), MOBI, {},
     MissingColumnError, r"'PERV2'"),
    ("text in a numeric item", lambda s: _with(s, "P3", 7, "good"), SQ, {},
     NonNumericError, r"'P3'.*row 7.*'good'"),
    ("comma decimal text", lambda s: _with(_mobi(), "CUSA2", 3, "7,5"), MOBI, {},
     NonNumericError, r"'CUSA2'.*row 3.*'7,5'"),
    ("value above scale", lambda s: _with(s, "E9", 4, 8), SQ, {},
     OutOfRangeError, r"'E9'.*row 4.*8.*1-7"),
    ("value below scale", lambda s: _with(_mobi(), "IMAG2", 0, 0), MOBI, {},
     OutOfRangeError, r"'IMAG2'.*row 0.*value 0"),
    ("infinite value", lambda s: _with(s, "P1", 2, np.inf), SQ, {},
     OutOfRangeError, r"'P1'.*infinite"),
    ("constant item", lambda s: s.assign(P12=4), SQ, {},
     ConstantItemError, r"'P12'.*constant.*4"),
    ("all-missing item", lambda s: s.assign(E20=np.nan), SQ, {},
     ConstantItemError, r"'E20'.*entirely missing"),
    ("duplicated column", lambda s: pd.concat([s, s[["P2"]]], axis=1), SQ, {},
     DuplicateColumnError, r"'P2'"),
    ("empty frame", lambda s: s.iloc[:0], SQ, {}, EmptyDataError, r"no rows"),
    ("too few complete rows", lambda s: s.head(3), SQ, {"min_rows": 10},
     InsufficientDataError, r"only 3 complete.*at least 10"),
    ("too few after listwise", lambda s: s.head(4).assign(P1=[1, np.nan, np.nan, 2]), SQ,
     {"missing": "listwise", "min_rows": 3}, InsufficientDataError, r"only 2 complete"),
    ("P without E partner", lambda s: s.drop(columns=["E14"]), SQ, {},
     UnpairedItemError, r"'P14'.*'E14'"),
    ("E without P partner", lambda s: s.drop(columns=["P2"]), SQ, {},
     UnpairedItemError, r"'E2'.*'P2'"),
    ("perceptions only", lambda s: s.drop(columns=SQ.columns("E")), SQ, {},
     UnpairedItemError, r"kinds=\('P',\)"),
    ("missing with raise policy", lambda s: _with(s, "P4", 9, np.nan), SQ, {"missing": "raise"},
     MissingValuesError, r"'P4': 1.*row 9"),
    ("non-integer-like text", lambda s: _with(s, "E1", 0, "n/a"), SQ, {},
     NonNumericError, r"'E1'.*'n/a'"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_catalogue(survey, case):
    _, make, inst, kw, err, pattern = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)
        with pytest.raises(err, match=pattern) as info:
            validate(make(survey), inst, **kw)
    assert isinstance(info.value, (ValueError, TypeError))


def test_catalogue_has_at_least_15_cases():
    assert len(CASES) >= 15


def test_bad_arguments(survey):
    with pytest.raises(ParameterError, match="missing='drop'"):
        validate(survey, SQ, "drop")
    with pytest.raises(TypeError, match="Instrument"):
        validate(survey, "servqual22")
    with pytest.raises(TypeError, match="DataFrame"):
        validate(survey.to_numpy(), SQ)


def test_listwise_reports_every_dropped_row(survey):
    df = survey.copy().astype({"P3": float, "E7": float})
    df.loc[[5, 17], "P3"] = np.nan
    df.loc[17, "E7"] = np.nan
    with pytest.warns(MissingDataWarning, match="dropped 2 of 60"):
        clean, rep = validate(df, SQ, "listwise")
    assert rep.n_input == 60 and rep.n_used == 58 and rep.n_dropped == 2
    assert rep.dropped_rows == (5, 17)
    assert rep.drop_reasons == ("missing P3", "missing P3, E7")
    assert rep.missing["P3"] == 2 and rep.missing["E7"] == 1 and rep.n_missing == 3
    assert 5 not in clean.index and len(clean) == 58
    text = str(rep)
    assert "rows dropped         2" in text and "missing P3, E7" in text


def test_report_policy_keeps_and_counts(survey):
    df = _with(survey, "P3", 5, np.nan)
    clean, rep = validate(df, SQ, "report")
    assert rep.n_used == 60 and rep.n_dropped == 0 and rep.missing["P3"] == 1
    assert np.isnan(clean.loc[5, "P3"])
    assert "kept as NaN" in str(rep)


def test_mean_policy_imputes_item_mean(survey):
    df = _with(survey, "P3", 5, np.nan)
    clean, rep = validate(df, SQ, "mean")
    expected = survey["P3"].drop(5).mean()
    assert clean.loc[5, "P3"] == pytest.approx(expected)
    assert rep.imputed["P3"] == 1 and rep.n_used == 60


def test_servperf_kinds_and_extra_columns(survey):
    perf = survey.drop(columns=SQ.columns("E"))
    clean, rep = validate(perf, SQ, kinds=("P",), extra_columns=["churn"])
    assert "E1" not in rep.columns and "churn" in rep.columns and rep.n_used == 60
    with pytest.raises(DataError):
        validate(perf.assign(churn="x"), SQ, kinds=("P",), extra_columns=["churn"])


def test_html_report(survey):
    _, rep = validate(survey, SQ)
    assert "<table>" in rep._repr_html_()
