"""Shared pieces of the property-based suite (``tests/test_fuzz_*.py``).

Profiles: ``ci`` (default; 6 fixed examples per test: the three fuzz files take
about 10 s of CPU, 299 tests), ``long`` (150 random examples per test, run by
``validation/fuzz_long.py``, results in ``validation/results/fuzz_long.txt``) and
``dev`` (40 random examples, for a quick local search).  Choose with the
environment variable ``SERVQUAL_FUZZ_PROFILE``.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from servqual.errors import ServqualError

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("ci", max_examples=6, derandomize=True, database=None, **_COMMON)
settings.register_profile("long", max_examples=150, **_COMMON)  # validation/fuzz_long.py
settings.register_profile("dev", max_examples=40, **_COMMON)  # a quick local search
settings.load_profile(os.environ.get("SERVQUAL_FUZZ_PROFILE", "ci"))

# ------------------------------------------------------------------ dirty frames

MUTATIONS = (
    "nan_cell",
    "inf_cell",
    "ninf_cell",
    "text_cell",
    "out_of_scale",
    "negative",
    "nullable_int",
    "nullable_float",
    "categorical",
    "string_dtype",
    "bool_column",
    "zero_rows",
    "one_row",
    "two_rows",
    "constant_column",
    "identical_columns",
    "collinear_columns",
    "duplicated_column_name",
    "integer_column_names",
    "duplicated_index",
    "shuffled_string_index",
    "all_missing_column",
)


@st.composite
def dirty_frames(draw, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with one to three mutations applied at drawn rows and columns."""
    d = frame.copy()
    num = [c for c in d.columns if pd.api.types.is_numeric_dtype(d[c])]
    for kind in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        if d.shape[0] == 0 or d.shape[1] == 0 or not num:
            break
        num = [c for c in num if c in d.columns and pd.api.types.is_numeric_dtype(d[c])]
        if not num:
            break
        col = draw(st.sampled_from(num))
        row = draw(st.integers(0, d.shape[0] - 1))
        i = d.index[row]
        if kind == "nan_cell":
            d[col] = d[col].astype(float)
            d.loc[i, col] = np.nan
        elif kind in ("inf_cell", "ninf_cell"):
            d[col] = d[col].astype(float)
            d.loc[i, col] = np.inf if kind == "inf_cell" else -np.inf
        elif kind == "text_cell":
            d[col] = d[col].astype(object)
            d.loc[i, col] = draw(st.sampled_from(["n/a", "", "seven", "5 "]))
        elif kind == "out_of_scale":
            d[col] = d[col].astype(float)
            d.loc[i, col] = draw(st.sampled_from([99.0, 11.0, 1e9]))
        elif kind == "negative":
            d[col] = d[col].astype(float)
            d.loc[i, col] = -draw(st.sampled_from([1.0, 3.0, 1e6]))
        elif kind == "nullable_int":
            if np.all(np.mod(d[col].dropna(), 1) == 0):
                d[col] = d[col].astype("Int64")
                d.loc[i, col] = pd.NA
        elif kind == "nullable_float":
            d[col] = d[col].astype("Float64")
            d.loc[i, col] = pd.NA
        elif kind == "categorical":
            d[col] = d[col].astype("category")
        elif kind == "string_dtype":
            d[col] = d[col].astype(str).astype("string")
        elif kind == "bool_column":
            d[col] = d[col] > d[col].median()
        elif kind == "zero_rows":
            d = d.iloc[:0]
        elif kind == "one_row":
            d = d.iloc[:1]
        elif kind == "two_rows":
            d = d.iloc[:2]
        elif kind == "constant_column":
            d[col] = d[col].iloc[0]
        elif kind == "all_missing_column":
            d[col] = np.nan
        elif kind == "identical_columns" and len(num) > 1:
            other = draw(st.sampled_from([c for c in num if c != col]))
            d[other] = d[col]
        elif kind == "collinear_columns" and len(num) > 2:
            a, b, c = draw(st.permutations(num))[:3]
            d[c] = d[a].astype(float) + d[b].astype(float)
        elif kind == "duplicated_column_name" and len(num) > 1:
            other = draw(st.sampled_from([c for c in num if c != col]))
            d = d.rename(columns={other: col})
        elif kind == "integer_column_names":
            d.columns = range(d.shape[1])
        elif kind == "duplicated_index":
            d.index = [d.index[0]] * min(2, len(d)) + list(d.index[2:])
        elif kind == "shuffled_string_index":
            d = d.sample(frac=1, random_state=draw(st.integers(0, 99)))
            d.index = [f"r{k}" for k in range(len(d))]
    return d


NON_FRAMES = st.sampled_from(
    [None, [], {}, "survey.csv", 3.0, np.ones((4, 3)), [[1, 2], [3, 4]], pd.Series([1.0, 2.0])]
)

# ------------------------------------------------------------------ sanity checks


def _frames(res):
    """Every DataFrame / Series / array / float reachable from a result."""
    if isinstance(res, (pd.DataFrame, pd.Series, np.ndarray, float, int, np.floating)):
        yield "value", res
        return
    if isinstance(res, tuple):
        for k, v in enumerate(res):
            yield from ((f"[{k}]{n}", x) for n, x in _frames(v))
        return
    if isinstance(res, dict):
        for k, v in res.items():
            if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray, float, np.floating)):
                yield str(k), v
        return
    for name in dir(res):
        if name.startswith("_"):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                v = getattr(res, name)
        except Exception:  # noqa: BLE001 - properties that raise on a missing part
            continue
        if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray, float, np.floating)):
            yield name, v


_LOWER = ("ci_lower", "lower", "ci_low", "lo")
_UPPER = ("ci_upper", "upper", "ci_high", "hi")
_EST = ("estimate", "est", "value", "mean", "index", "nps", "csat", "share")
_STATS = ("F", "statistic", "chi2")  # may be infinite for a perfect fit (with a warning)
_SHARE = ("share", "proportion", "p_value", "pvalue")


def check_sane(res) -> None:
    """A result passes: no infinities, ordered intervals containing their estimate,
    shares and p-values in [0, 1]."""
    assert res is not None
    for name, v in _frames(res):
        if isinstance(v, (float, int, np.floating)):
            assert name in _STATS or not np.isinf(v), f"{name} is infinite"
            continue
        frame = v.to_frame() if isinstance(v, pd.Series) else v
        if isinstance(frame, np.ndarray):
            if frame.dtype.kind == "f":
                assert not np.isinf(frame).any(), f"{name} holds an infinite value"
            continue
        numeric = frame.select_dtypes("number")
        vals = numeric.to_numpy(dtype=float, na_value=np.nan)
        bad = [c for c in numeric.columns if str(c) in _STATS]
        keep = [k for k, c in enumerate(numeric.columns) if c not in bad]
        assert not np.isinf(vals[:, keep]).any(), f"{name} holds an infinite value"
        cols = {str(c).lower(): c for c in frame.columns}
        lo = next((cols[c] for c in _LOWER if c in cols), None)
        hi = next((cols[c] for c in _UPPER if c in cols), None)
        if lo is not None and hi is not None:
            a = pd.to_numeric(frame[lo], errors="coerce").to_numpy(float)
            b = pd.to_numeric(frame[hi], errors="coerce").to_numpy(float)
            ok = np.isfinite(a) & np.isfinite(b)
            assert np.all(a[ok] <= b[ok] + 1e-9), f"{name}: an interval has lower > upper"
            est = next((cols[c] for c in _EST if c in cols), None)
            if est is not None:
                e = pd.to_numeric(frame[est], errors="coerce").to_numpy(float)
                ok &= np.isfinite(e)
                tol = 1e-9 * (1 + np.abs(e[ok]))
                assert np.all((a[ok] <= e[ok] + tol) & (e[ok] <= b[ok] + tol)), (
                    f"{name}: an interval excludes its estimate {est!r}"
                )
        for c in _SHARE:
            if c in cols and pd.api.types.is_numeric_dtype(frame[cols[c]]):
                s = frame[cols[c]].to_numpy(float, na_value=np.nan)
                s = s[np.isfinite(s)]
                assert np.all((s >= -1e-12) & (s <= 1 + 1e-12)), f"{name}.{c} outside [0, 1]"


def assert_typed_error_or_sane(call, *args, **kwargs):
    """Run ``call``: a typed servqual error passes; a result must be sane."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = call(*args, **kwargs)
        except ServqualError:
            return None
    check_sane(res)
    return res
