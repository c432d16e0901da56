"""Immutable tables on frozen result dataclasses.

``@dataclass(frozen=True)`` stops attribute assignment but a DataFrame field
can still be changed in place (``res.table.loc["a", "share"] = 5``), which
would silently alter the stored result.  :class:`CopyOnRead` makes every
DataFrame/Series attribute come back as a copy, every ndarray as a
read-only view and every dict as a read-only mapping of those, so a
result can never be mutated through what it returns.  Private attributes
(leading underscore) are returned as stored.
"""

from __future__ import annotations

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
        if isinstance(value, dict):
            return MappingProxyType({k: _protect(v) for k, v in value.items()})
        return _protect(value)


def _protect(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if isinstance(value, np.ndarray) and value.flags.writeable:
        view = value.view()
        view.flags.writeable = False
        return view
    return value
