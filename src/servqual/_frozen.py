"""Immutable tables on frozen result dataclasses.

``@dataclass(frozen=True)`` stops attribute assignment but a DataFrame field
can still be changed in place (``res.table.loc["a", "share"] = 5``), which
would silently alter the stored result.  :class:`CopyOnRead` makes every
DataFrame/Series attribute come back as a copy, every ndarray as a
read-only view and every dict as a read-only mapping of those, so a
result can never be mutated through what it returns.  Nested holders are
protected too: a frozen dataclass held by a result (polychoric moments, a
fitted core) comes back as a shallow copy whose own tables and arrays are
protected the same way, and tuples/lists of tables come back protected
item by item.  Private attributes (leading underscore) are returned as
stored.
"""

from __future__ import annotations

import copy
import dataclasses
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = ["CopyOnRead"]


class CopyOnRead:
    """Mixin for frozen result dataclasses: tables are returned as copies.

    Declare results that hold tables with ``@dataclass(frozen=True, eq=False)``:
    a generated ``__eq__`` would compare DataFrames (ambiguous truth value),
    so results compare by identity.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> import pandas as pd
    >>> @dataclass(frozen=True)
    ... class R(CopyOnRead):
    ...     table: pd.DataFrame
    >>> r = R(pd.DataFrame({"x": [1.0]}))
    >>> t = r.table
    >>> t.loc[0, "x"] = 99.0
    >>> float(r.table.loc[0, "x"])
    1.0
    """

    __slots__ = ()

    def __getattribute__(self, name: str):
        value = object.__getattribute__(self, name)
        if name.startswith("_"):  # private and dunder attributes: the class's own business
            return value
        return _protect(value)


def _protect(value, depth: int = 0):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if isinstance(value, np.ndarray):
        if not value.flags.writeable:
            return value
        view = value.view()
        view.flags.writeable = False
        return view
    if depth >= 4 or isinstance(value, CopyOnRead):  # a CopyOnRead protects itself
        return value
    if isinstance(value, (dict, MappingProxyType)):
        return MappingProxyType({k: _protect(v, depth + 1) for k, v in value.items()})
    if isinstance(value, list):  # a list can be appended to: always a copy
        return [_protect(v, depth + 1) for v in value]
    if isinstance(value, tuple) and any(_mutable(v) for v in value):
        return tuple(_protect(v, depth + 1) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _protected_copy(value, depth)
    return value


def _mutable(value) -> bool:
    return isinstance(value, (pd.DataFrame, pd.Series, np.ndarray, dict)) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type)
    )


def _protected_copy(obj, depth: int):
    """Shallow copy of a (nested, non-result) dataclass with its fields protected."""
    fields = [f.name for f in dataclasses.fields(obj)]
    if not any(_mutable(getattr(obj, n, None)) for n in fields):
        return obj
    dup = copy.copy(obj)
    for n in fields:
        if hasattr(obj, n):
            object.__setattr__(dup, n, _protect(getattr(obj, n), depth + 1))
    return dup
