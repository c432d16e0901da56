"""Read-only access to the tables and arrays held by frozen result dataclasses.

A frozen dataclass stops attribute assignment, but a DataFrame or ndarray
stored on it could still be changed in place (``res.table.loc[0, "x"] = 1``)
and would silently change the result.  :class:`CopyOnRead` returns a copy of
every public DataFrame, Series or ndarray attribute on access.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CopyOnRead"]

_MUTABLE = (pd.DataFrame, pd.Series, np.ndarray)


class CopyOnRead:
    """Mixin: public DataFrame/Series/ndarray attributes are returned as copies.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class R(CopyOnRead):
    ...     table: pd.DataFrame
    >>> r = R(pd.DataFrame({"x": [1, 2]}))
    >>> r.table.loc[0, "x"] = 99
    >>> int(r.table.loc[0, "x"])
    1
    """

    __slots__ = ()

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if not name.startswith("_") and isinstance(value, _MUTABLE):
            return value.copy()
        return value
