"""The one place where inputs are validated.

Modelled on scikit-learn's ``check_array`` and ``_param_validation``:
parameter constraints are declared as data (:class:`Interval`,
:class:`Options`) and checked by :func:`check_params`; data frames go through
:func:`check_frame`.  Every failure raises a typed error from
:mod:`servqual.errors` whose message names the parameter, column, row or value.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import (
    CollinearityError,
    ConstantItemError,
    DataError,
    DuplicateColumnError,
    DuplicateIndexError,
    EmptyDataError,
    InputTypeError,
    InsufficientDataError,
    MissingColumnError,
    MissingValuesError,
    NonNumericError,
    OutOfRangeError,
    ParameterError,
)

__all__ = [
    "check_data",
    "check_unique_index",
    "check_collinear",
    "check_identical",
    "check_weights",
    "check_memory",
    "Interval",
    "Options",
    "check_params",
    "check_frame",
    "check_rng",
    "check_columns",
    "check_scale",
    "as_1d_numeric",
    "as_py",
]


@dataclass(frozen=True)
class Interval:
    """A numeric constraint ``low <(=) x <(=) high``; ``None`` means unbounded.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"``.
    ``integer=True`` also requires a whole number.  NaN and infinities never
    match, unbounded sides included (an infinite market size or period count
    is an input error, not a limit).
    """

    low: float | None = None
    high: float | None = None
    closed: str = "both"
    integer: bool = False

    def contains(self, x) -> bool:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            return False
        if not np.isfinite(x):
            return False
        if self.integer and float(x) != int(x):
            return False
        lo_ok = self.low is None or (
            x >= self.low if self.closed in ("both", "left") else x > self.low
        )
        hi_ok = self.high is None or (
            x <= self.high if self.closed in ("both", "right") else x < self.high
        )
        return bool(lo_ok and hi_ok)

    def describe(self) -> str:
        kind = "an integer" if self.integer else "a number"
        lb = "[" if self.closed in ("both", "left") else "("
        rb = "]" if self.closed in ("both", "right") else ")"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"{kind} in {lb}{lo}, {hi}{rb}"


@dataclass(frozen=True)
class Options:
    """A constraint: the value must be one of ``values``."""

    values: tuple

    def contains(self, x) -> bool:
        try:
            return x in self.values
        except TypeError:
            return False

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


def check_params(params: Mapping[str, object], constraints: Mapping[str, object]) -> None:
    """Check each ``params[name]`` against ``constraints[name]``.

    A constraint is an :class:`Interval`, :class:`Options`, a type (or tuple of
    types), ``None`` (meaning the value may be ``None``) or a list of those, any
    of which may match.

    Examples
    --------
    >>> check_params({"retention": 0.9}, {"retention": Interval(0, 1, closed="left")})
    >>> check_params({"retention": 1.0}, {"retention": Interval(0, 1, closed="left")})
    Traceback (most recent call last):
    ...
    servqual.errors.ParameterError: retention=1.0 is invalid: expected a number in [0, 1).
    """
    for name, constraint in constraints.items():
        if name not in params:
            continue
        value = params[name]
        options = constraint if isinstance(constraint, list) else [constraint]
        if any(_matches(value, c) for c in options):
            continue
        expected = " or ".join(_describe(c) for c in options)
        raise ParameterError(f"{name}={value!r} is invalid: expected {expected}.")


def _matches(value, c) -> bool:
    if c is None:
        return value is None
    if isinstance(c, (Interval, Options)):
        return c.contains(value)
    if isinstance(c, type) or (isinstance(c, tuple) and all(isinstance(t, type) for t in c)):
        return isinstance(value, c)
    if callable(c):
        return bool(c(value))
    raise TypeError(f"unknown constraint {c!r}")


def _describe(c) -> str:
    if c is None:
        return "None"
    if isinstance(c, (Interval, Options)):
        return c.describe()
    if isinstance(c, type):
        return f"an instance of {c.__name__}"
    if isinstance(c, tuple):
        return "an instance of " + "/".join(t.__name__ for t in c)
    return getattr(c, "__doc__", None) or repr(c)


def check_rng(seed) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from ``seed``.

    ``seed`` may be ``None`` (fresh entropy), an int, a :class:`SeedSequence`
    or a Generator (returned as is).  The global NumPy state is never used.

    Examples
    --------
    >>> bool(check_rng(1).integers(10) == check_rng(1).integers(10))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (np.random.SeedSequence, numbers.Integral)):
        if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed < 0:
            raise ParameterError(f"seed={seed!r} is invalid: expected a non-negative integer.")
        return np.random.default_rng(seed)
    raise ParameterError(
        f"seed={seed!r} is invalid: expected None, a non-negative int, a SeedSequence "
        "or a numpy.random.Generator."
    )


def check_data(data, *, name: str = "data", allow_empty: bool = False) -> pd.DataFrame:
    """The input gate: ``data`` must be a non-empty DataFrame with flat column names.

    Raises :class:`InputTypeError` for None, arrays, lists, dicts and Series
    (saying what to pass instead), :class:`DataError` for MultiIndex columns
    and :class:`EmptyDataError` for a frame without rows or columns.

    Examples
    --------
    >>> check_data(None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    servqual.errors.InputTypeError: data is None: expected a pandas DataFrame ...
    """
    if data is None:
        raise InputTypeError(
            f"{name} is None: expected a pandas DataFrame with one column per survey item."
        )
    if not isinstance(data, pd.DataFrame):
        hint = ""
        if isinstance(data, (np.ndarray, list, tuple)):
            hint = " (wrap it: pandas.DataFrame(values, columns=[...]) names the items)"
        elif isinstance(data, dict):
            hint = " (pandas.DataFrame(your_dict) makes one)"
        elif isinstance(data, pd.Series):
            hint = " (series.to_frame() makes one)"
        elif isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
            hint = " (read the file first: servqual.read_survey(path))"
        raise InputTypeError(f"{name} must be a pandas DataFrame, got {type(data).__name__}{hint}.")
    if isinstance(data.columns, pd.MultiIndex):
        example = data.columns[0] if data.shape[1] else ()
        raise DataError(
            f"{name} has MultiIndex (multi-level) column names such as {example!r}; "
            "flatten them first, e.g. df.columns = ['_'.join(map(str, c)) for c in df.columns]."
        )
    if not allow_empty and (data.shape[0] == 0 or data.shape[1] == 0):
        raise EmptyDataError(
            f"{name} is empty: it has {data.shape[0]} row(s) and {data.shape[1]} column(s)."
        )
    return data


def check_unique_index(data: pd.DataFrame, *, why: str = "rows are matched by label") -> None:
    """Raise :class:`DuplicateIndexError` naming a repeated row label.

    Call it where duplicated labels would change the result (joins, resampling
    by label); ``why`` says what depends on them.
    """
    dup = data.index.duplicated()
    if dup.any():
        lab = as_py(data.index[np.flatnonzero(dup)[0]])
        raise DuplicateIndexError(
            f"row label {lab!r} occurs more than once ({int(dup.sum())} duplicated label(s)), "
            f"but {why}; reset the index first (data.reset_index(drop=True))."
        )


def check_collinear(frame: pd.DataFrame, columns: Sequence[str] | None = None, *,
                    tol: float = 1e-10) -> None:  # fmt: skip
    """Raise :class:`CollinearityError` for identical or perfectly collinear columns.

    Identical (or perfectly correlated) pairs are named both; a larger
    collinear set is named as the columns that a least-squares fit on the
    others reproduces exactly.
    """
    cols = list(frame.columns if columns is None else columns)
    x = frame[cols].to_numpy(dtype=float)
    x = x[np.all(np.isfinite(x), axis=1)]
    if x.shape[0] < 2 or len(cols) < 2:
        return
    xc = x - x.mean(axis=0)
    sd = np.sqrt((xc**2).sum(axis=0))
    ok = sd > 0
    z = np.where(ok, xc / np.where(ok, sd, 1.0), 0.0)
    r = z.T @ z
    for i in range(len(cols)):
        for j in range(i + 1, len(cols)):
            if ok[i] and ok[j] and abs(r[i, j]) > 1 - tol:
                how = "identical" if np.allclose(x[:, i], x[:, j]) else "perfectly correlated"
                raise CollinearityError(
                    f"columns {cols[i]!r} and {cols[j]!r} are {how} (r = {r[i, j]:.6f}); "
                    "drop one of them."
                )
    zz = z[:, ok]
    if zz.shape[1] and np.linalg.matrix_rank(zz, tol=np.sqrt(tol) * max(zz.shape)) < zz.shape[1]:
        names = [c for c, k in zip(cols, ok) if k]
        # the columns explained exactly by the others
        bad = []
        for k, c in enumerate(names):
            others = np.delete(zz, k, axis=1)
            coef, *_ = np.linalg.lstsq(others, zz[:, k], rcond=None)
            if np.sum((zz[:, k] - others @ coef) ** 2) < np.sqrt(tol):
                bad.append(c)
        raise CollinearityError(
            f"columns {bad} are perfectly collinear (each is an exact linear combination of "
            "the others); drop one of them."
        )


def check_identical(x: np.ndarray, names: Sequence[str]) -> None:
    """Raise :class:`CollinearityError` naming two columns of ``x`` with identical values.

    Cheaper than :func:`check_collinear` (no correlation matrix): columns are
    grouped by their sums and compared exactly.  NaN compares equal to NaN.

    Examples
    --------
    >>> import numpy as np
    >>> check_identical(np.array([[1.0, 1.0], [2.0, 2.0]]), ["a", "b"])
    Traceback (most recent call last):
    ...
    servqual.errors.CollinearityError: columns 'a' and 'b' are identical; drop one of them.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] == 0:
        return
    key = np.round(np.nansum(x, axis=0), 8)
    seen: dict[float, list[int]] = {}
    for j, k in enumerate(key.tolist()):
        for i in seen.get(k, []):
            if np.array_equal(x[:, i], x[:, j], equal_nan=True):
                raise CollinearityError(
                    f"columns {names[i]!r} and {names[j]!r} are identical; drop one of them."
                )
        seen.setdefault(k, []).append(j)


def _fmt_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def memory_limit() -> float:
    """Bytes a single result may take: 80% of physical memory (``SERVQUAL_MAX_MEMORY``
    in bytes overrides)."""
    import os

    env = os.environ.get("SERVQUAL_MAX_MEMORY")
    if env:
        return float(env)
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX
        total = 16 * 1024**3
    return 0.8 * total


def check_memory(n_bytes: float, *, what: str, hint: str = "") -> None:
    """Raise :class:`ParameterError` when ``what`` would need more than :func:`memory_limit`.

    The guard runs before any allocation, so an absurd size (``n=10**13``)
    stops at once with the estimate instead of running until killed.

    Examples
    --------
    >>> check_memory(1e6, what="a small frame")
    >>> check_memory(1e20, what="simulate_survey(n=10**17)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    servqual.errors.ParameterError: simulate_survey(n=10**17) would need about ... of memory...
    """
    limit = memory_limit()
    if n_bytes > limit:
        raise ParameterError(
            f"{what} would need about {_fmt_bytes(n_bytes)} of memory, more than the "
            f"{_fmt_bytes(limit)} available to it (80% of this machine's memory)"
            + (f"; {hint}" if hint else "")
            + "."
        )


def check_weights(weights, data: pd.DataFrame | None = None, *, n: int | None = None,
                  name: str = "weights") -> np.ndarray | None:  # fmt: skip
    """Respondent weights as a float array, or ``None``.

    ``weights`` is a column name of ``data`` or an array-like of one weight per
    row.  Weights must be finite, non-negative and not all zero; a NaN weight
    is named with its row.
    """
    if weights is None:
        return None
    label = name
    if isinstance(weights, str):
        if data is None:
            raise ParameterError(f"{name}={weights!r} names a column, but no data frame was given.")
        check_columns(data, [weights], what=f"{name} column")
        s = data[weights]
        label = f"weight column {weights!r}"
    else:
        s = pd.Series(np.asarray(weights).ravel() if not isinstance(weights, pd.Series)
                      else weights.to_numpy())  # fmt: skip
        if data is not None:
            s.index = data.index if len(s) == len(data) else s.index
    rows = n if n is not None else (len(data) if data is not None else len(s))
    if len(s) != rows:
        raise ParameterError(f"{label} has {len(s)} value(s); expected one per row ({rows}).")
    if isinstance(s.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(s.dtype) \
            or s.dtype == bool:  # fmt: skip
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna().to_numpy() & s.notna().to_numpy()
        if bad.any() or s.dtype == bool:
            mask = bad if bad.any() else np.ones(len(s), bool)
            raise NonNumericError(f"{label}: {_first_bad(s, mask)} is not a numeric weight.")
        s = conv
    w = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(w).any():
        raise MissingValuesError(
            f"{label} is missing at {_first_bad(s, np.isnan(w))}: every row needs a weight "
            "(give 0 to leave a row out)."
        )
    if not np.all(np.isfinite(w)):
        raise OutOfRangeError(
            f"{label} holds an infinite weight at {_first_bad(s, ~np.isfinite(w))}."
        )
    if (w < 0).any():
        raise OutOfRangeError(f"{label} holds a negative weight at {_first_bad(s, w < 0)}.")
    if not (w > 0).any():
        raise OutOfRangeError(
            f"{label} is zero for every row: at least one positive weight needed."
        )
    return w


def check_columns(data: pd.DataFrame, columns: Iterable[str], *, what: str = "column") -> None:
    """Raise :class:`MissingColumnError` naming every requested column not in ``data``."""
    check_data(data, allow_empty=True)
    dup = data.columns[data.columns.duplicated()].unique().tolist()
    if dup:
        raise DuplicateColumnError(f"duplicated column(s) {dup}: each column name must be unique.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        avail = ", ".join(map(str, list(data.columns)[:12]))
        more = " ..." if data.shape[1] > 12 else ""
        raise MissingColumnError(
            f"{what}(s) {missing} not found in the data; available columns: {avail}{more}."
        )


def as_py(v):
    """Plain Python scalar for messages (``3`` rather than ``np.int64(3)``)."""
    return v.item() if isinstance(v, np.generic) else v


def _first_bad(series: pd.Series, mask: np.ndarray) -> str:
    pos = np.flatnonzero(mask)[0]
    idx = as_py(series.index[pos])
    return f"row {idx!r} (value {as_py(series.iloc[pos])!r})"


def _check_complete_block(block, columns, frame, data, scale, min_rows, allow_constant, integer):
    """:func:`check_frame`'s row and column checks for a block without missing values:
    vectorised, and the per-column messages only when a check fails."""
    need = max(min_rows, 2 if not allow_constant else 1)
    if block.shape[0] < need:
        raise InsufficientDataError(
            f"only {block.shape[0]} row(s) in the data; this analysis needs at least {need} "
            "complete rows."
        )
    bad_int = integer and bool(np.any(block != np.round(block)))
    lo_hi = scale is not None
    if lo_hi and not isinstance(scale, Mapping):
        lo, hi = scale
        out_of_scale = bool(np.any((block < lo) | (block > hi)))
    else:
        out_of_scale = lo_hi
    constant = not allow_constant and bool(np.any(block.min(axis=0) == block.max(axis=0)))
    if bad_int or out_of_scale or constant:  # the column-by-column path names the culprit
        for col in columns:
            v = frame[col].to_numpy()
            if integer and np.any(v != np.round(v)):
                raise OutOfRangeError(
                    f"column {col!r} must hold whole numbers: "
                    f"{_first_bad(frame[col], v != np.round(v))}."
                )
            if scale is not None:
                lo, hi = scale[col] if isinstance(scale, Mapping) else scale
                bad = (v < lo) | (v > hi)
                if bad.any():
                    raise OutOfRangeError(
                        f"column {col!r}: {_first_bad(data[col], bad)} is outside the "
                        f"declared scale {lo:g}-{hi:g}."
                    )
            if not allow_constant and v.min() == v.max():
                raise ConstantItemError(
                    f"column {col!r} is constant (every value is {v.min():g}); "
                    "it carries no information."
                )


def check_frame(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    missing: str = "raise",
    scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    min_rows: int = 1,
    allow_constant: bool = False,
    integer: bool = False,
) -> pd.DataFrame:
    """Validate and return ``data[columns]`` as a float frame.

    Parameters
    ----------
    data : DataFrame
    columns : list of str, optional
        Columns to keep (all by default).  Missing columns raise
        :class:`MissingColumnError`.
    missing : {"raise", "allow"}
        ``"raise"`` raises :class:`MissingValuesError` naming the columns and
        counts of missing values; ``"allow"`` keeps NaN for the caller to handle
        (and report).
    scale : (low, high) or mapping of column -> (low, high), optional
        Values outside raise :class:`OutOfRangeError` naming column, row, value.
    min_rows : int
        Fewer complete rows raise :class:`InsufficientDataError`.
    allow_constant : bool
        Unless true, constant or all-missing columns raise :class:`ConstantItemError`.
    integer : bool
        Require whole numbers (e.g. Likert codes, counts).

    Examples
    --------
    >>> import pandas as pd
    >>> check_frame(pd.DataFrame({"a": [1, 2, 3]}), ["a"]).dtypes.iloc[0]
    dtype('float64')
    """
    check_params({"missing": missing}, {"missing": Options(("raise", "allow"))})
    check_data(data, allow_empty=True)
    if columns is None:
        columns = list(data.columns)
    columns = list(columns)
    if len(set(columns)) != len(columns):
        dup = sorted({c for c in columns if columns.count(c) > 1})
        raise DuplicateColumnError(f"column(s) {dup} requested more than once.")
    check_columns(data, columns)
    if data.shape[0] == 0 or not columns:
        raise EmptyDataError(
            "the data frame is empty: "
            + ("it has no rows." if data.shape[0] == 0 else "no columns were selected.")
        )
    # one (rows x columns) float block filled column by column: no second copy when the
    # frame is built (a dict of columns would be consolidated into a new block)
    block = np.empty((data.shape[0], len(columns)), dtype=float, order="F")
    dtypes = data.dtypes
    if data.columns.is_unique and all(
        isinstance(dtypes[c], np.dtype) and dtypes[c].kind in "fiu" for c in columns
    ):
        # plain NumPy numeric columns (the usual survey frame): one conversion, and
        # the per-column loop below only for the error message of an infinite value
        block[:] = data[columns].to_numpy(dtype=float)
        fast = not np.isinf(block).any()
    else:
        fast = False
    for k, col in enumerate([] if fast else columns):
        s = data[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if s.dtype == bool:
            s = s.astype(float)
        if not pd.api.types.is_numeric_dtype(s.dtype):
            conv = pd.to_numeric(s, errors="coerce")
            bad = conv.isna().to_numpy() & s.notna().to_numpy()
            if bad.any():
                raise NonNumericError(
                    f"column {col!r} is not numeric: {_first_bad(s, bad)} cannot be read as "
                    "a number."
                )
            s = conv
        values = s.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise OutOfRangeError(
                f"column {col!r} holds an infinite value at {_first_bad(s, np.isinf(values))}."
            )
        block[:, k] = values
    frame = pd.DataFrame(block, index=data.index, columns=pd.Index(columns), copy=False)
    nan = np.isnan(block)
    if not nan.any():  # complete data: the column checks at NumPy speed
        _check_complete_block(block, columns, frame, data, scale, min_rows, allow_constant, integer)
        return frame
    na = frame.isna()
    counts = na.sum()
    if missing == "raise" and counts.any():
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
        first = na.any(axis=1).to_numpy().nonzero()[0][0]
        raise MissingValuesError(
            f"missing values in column(s) {detail} "
            f"(first at row {as_py(frame.index[first])!r}); "
            "impute them or choose a missing-data policy."
        )
    n_complete = int((~na.any(axis=1)).sum())
    if frame.shape[0] < max(min_rows, 2 if not allow_constant else 1):
        need = max(min_rows, 2 if not allow_constant else 1)
        raise InsufficientDataError(
            f"only {frame.shape[0]} row(s) in the data; this analysis needs at least {need} "
            "complete rows."
        )
    for col in columns:
        v = frame[col].to_numpy()
        ok = ~np.isnan(v)
        if not ok.any():
            raise ConstantItemError(f"column {col!r} is entirely missing.")
        if integer and np.any(v[ok] != np.round(v[ok])):
            raise OutOfRangeError(
                f"column {col!r} must hold whole numbers: "
                f"{_first_bad(frame[col], ok & (v != np.round(v)))}."
            )
        if scale is not None:
            lo, hi = scale[col] if isinstance(scale, Mapping) else scale
            bad = ok & ((v < lo) | (v > hi))
            if bad.any():
                raise OutOfRangeError(
                    f"column {col!r}: {_first_bad(data[col], bad)} is outside the "
                    f"declared scale {lo:g}-{hi:g}."
                )
        if not allow_constant and np.nanmin(v) == np.nanmax(v):
            raise ConstantItemError(
                f"column {col!r} is constant (every value is {np.nanmin(v):g}); "
                "it carries no information."
            )
    if n_complete < min_rows:
        raise InsufficientDataError(
            f"only {n_complete} complete row(s) in columns {columns}; at least {min_rows} needed."
        )
    return frame


#: conventional missing codes: runs of 9s (9 itself is a valid point of many scales)
_NINES = (-9999.0, -999.0, -99.0, -9.0, 99.0, 999.0, 9999.0)


def suspect_missing_codes(values: pd.Series) -> tuple:
    """Conventional missing codes (-9, -99, -999, 99, 999, ...) in a column whose other
    answers are integers on a 2-11 point range that excludes them; else ``()``.

    Examples
    --------
    >>> suspect_missing_codes(pd.Series([1, 5, 7, -99, 3]))
    (-99,)
    >>> suspect_missing_codes(pd.Series([0, 50, 99, 100]))  # a 0-100 answer, not a code
    ()
    """
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return ()
    v = values.dropna()
    found = [c for c in _NINES if (v == c).any()]
    if not found:
        return ()
    rest = v[~v.isin(found)].to_numpy(dtype=float)
    if rest.size < 2 or not np.all(rest == np.round(rest)):
        return ()
    lo, hi = rest.min(), rest.max()
    if not (lo < hi and hi - lo <= 10):
        return ()
    return tuple(int(c) for c in found if not lo <= c <= hi)


def check_scale(scale) -> tuple[float, float]:
    """Validate a response scale ``(low, high)`` with ``low < high``."""
    try:
        lo, hi = scale
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ParameterError(f"scale={scale!r} is invalid: expected a pair (low, high).") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ParameterError(f"scale={scale!r} is invalid: expected finite low < high.")
    return lo, hi


def as_1d_numeric(values, *, name: str = "values", missing: str = "raise") -> np.ndarray:
    """Return ``values`` (list, array or Series) as a 1-D float array, validated.

    Non-numeric entries raise :class:`NonNumericError` and missing values
    :class:`MissingValuesError` (unless ``missing="allow"``), naming ``name``.
    """
    s = pd.Series(values) if not isinstance(values, pd.Series) else values
    if s.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional.")
    if s.shape[0] == 0:
        raise EmptyDataError(f"{name} is empty.")
    frame = check_frame(s.rename(name).to_frame(), [name], missing=missing, allow_constant=True)
    return frame[name].to_numpy()
