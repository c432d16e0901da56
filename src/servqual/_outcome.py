"""Binary outcomes given as Yes/No, True/False, 0/1 or labelled codes.

A survey's churn or "would recommend" column rarely arrives as 0/1 floats.
:func:`binary_outcome` turns it into 1.0 (the *positive* level), 0.0 (every
other level) and NaN (missing), naming the column and its levels when the
positive level cannot be told without the user's word.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_columns
from .errors import DataError, InputTypeError, OutOfRangeError, ParameterError

__all__ = ["binary_outcome", "levels_of"]


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


def levels_of(values: pd.Series) -> list:
    """Sorted distinct non-missing values (as plain Python objects)."""
    seen = pd.unique(values.dropna())
    out = [_py(v) for v in seen]
    try:
        return sorted(out)
    except TypeError:  # mixed types: keep order of appearance
        return out


def _same(a, b) -> bool:
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_)) and a == b
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def binary_outcome(data: pd.DataFrame, column: str, positive=None, *, role: str = "outcome"):
    """The column as a float Series: 1 = ``positive``, 0 = any other level, NaN = missing.

    With ``positive=None`` only unambiguous codings are accepted: booleans
    (True is positive) and numbers 0/1 (1 is positive). Anything else
    (``"Yes"``/``"No"``, codes 1/2, three or more levels) needs ``positive``;
    the error names the column and its levels. A named ``positive`` must be one
    of the column's levels; every other level counts as 0.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"Churn": ["Yes", "No", None, "No"]})
    >>> binary_outcome(df, "Churn", positive="Yes").tolist()
    [1.0, 0.0, nan, 0.0]
    """
    if not isinstance(column, str):
        raise ParameterError(f"{role}={column!r} is invalid: expected one column name.")
    check_columns(data, [column])
    s = data[column]
    if isinstance(s, pd.DataFrame):
        raise DataError(f"column {column!r} occurs more than once in the data.")
    levels = levels_of(s)
    miss = s.isna().to_numpy()
    if not levels:
        raise DataError(f"{role} column {column!r} holds no non-missing value.")
    if positive is None:
        if all(isinstance(v, (bool, np.bool_)) for v in levels):
            pos = True
        elif all(
            isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in levels
        ) and set(levels) <= {0, 1}:
            pos = 1
        else:
            shown = levels if len(levels) <= 12 else levels[:12] + ["..."]
            numeric = all(isinstance(v, (int, float, np.number)) for v in levels)
            raise (OutOfRangeError if numeric else DataError)(
                f"{role} column {column!r} is not binary (0/1 or True/False): its levels are "
                f"{shown}; name the positive level, e.g. positive={levels[-1]!r}."
            )
    else:
        if isinstance(positive, (list, tuple, dict, set)):
            raise InputTypeError(
                f"positive={positive!r} is invalid: expected one level of column {column!r} "
                f"(one of {levels})."
            )
        match = [v for v in levels if _same(v, positive)]
        if not match:
            raise ParameterError(
                f"positive={positive!r} is not a level of {role} column {column!r}: its levels "
                f"are {levels}."
            )
        pos = match[0]
    y = np.array([0.0 if m else (1.0 if _same(_py(v), pos) else 0.0) for v, m in zip(s, miss)])
    y[miss] = np.nan
    return pd.Series(y, index=s.index, name=column)
