"""The one results convention.

Every public result of servqual is a :class:`Result`, declared with the
:func:`resultclass` decorator::

    @resultclass
    class NPSResult(Result):
        nps: float
        ...

        def summary(self) -> Summary: ...
        def to_frame(self) -> pd.DataFrame: ...

which makes it

* **frozen** and compared by identity (``eq=False``): a generated ``__eq__``
  would compare DataFrames and raise;
* **immutable through what it hands out**: DataFrames and Series come back as
  copies, ndarrays as read-only views, dicts as read-only mappings
  (:class:`~servqual._frozen.CopyOnRead`);
* **readable**: ``summary()`` returns a :class:`~servqual._summary.Summary`
  (text when printed, HTML in a notebook); ``repr()`` is short; a notebook
  shows ``_repr_html_``;
* **tidy**: ``to_frame()`` returns the result's main table as a DataFrame;
* **traceable**: ``provenance`` holds the package version, the seed, n and the
  call's options, recorded by :func:`records_provenance` on the public
  function that made it.

Estimates live in ``.params`` (when a result has them); the inputs that
produced a result live in ``.settings``; a statistic of one kind has one type
everywhere (``r2`` is a float for one equation and a Series indexed by
outcome for several).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from ._frozen import CopyOnRead
from ._summary import Summary
from ._warn import warn

__all__ = ["Result", "resultclass", "Provenance", "records_provenance", "params_is_settings"]

#: options recorded in a result's provenance when the public call has them
_RECORDED = (
    "n_boot",
    "ci",
    "ci_method",
    "seed",
    "n_jobs",
    "missing",
    "weights",
    "estimator",
    "scale",
    "n_perm",
)

#: a result's ``repr`` is at most this many lines of at most this many characters
#: (a notebook shows ``_repr_html_``; the text form stays a glance)
_REPR_LINES = 10
_REPR_WIDTH = 96


@dataclass(frozen=True)
class Provenance:
    """Where a result came from: package version, seed, n and the call's options.

    Examples
    --------
    >>> Provenance(function="servqual.metrics.nps", n=10, seed=None).version  # doctest: +ELLIPSIS
    '...'
    """

    function: str
    n: int | None = None
    seed: object = None
    options: Mapping[str, object] = dataclasses.field(default_factory=dict)
    version: str = dataclasses.field(default_factory=lambda: _version())

    def __post_init__(self):
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def as_dict(self) -> dict:
        """Plain dict (for report footers and workbook metadata)."""
        return {
            "function": self.function,
            "version": self.version,
            "n": self.n,
            "seed": self.seed,
            **{k: v for k, v in self.options.items()},
        }


def _version() -> str:
    from . import __version__

    return __version__


class Result(CopyOnRead):
    """Base of every public result (see the module docstring).

    Subclasses are declared with :func:`resultclass` and implement
    :meth:`summary`; :meth:`to_frame` has a default that suits results with a
    ``table`` attribute or only scalar fields.
    """

    __slots__ = ()

    # -- provenance --------------------------------------------------------
    @property
    def provenance(self) -> Provenance | None:
        """Version, seed, n and options of the call that made this result."""
        return self.__dict__.get("_provenance")

    def _with_provenance(self, prov: Provenance):
        object.__setattr__(self, "_provenance", prov)
        return self

    # -- display -----------------------------------------------------------
    def summary(self) -> Summary:
        """A :class:`~servqual._summary.Summary` of the result."""
        return Summary(type(self).__name__, [("Result", self.to_frame())], self._warning_list())

    def _warning_list(self) -> tuple[str, ...]:
        w = self.__dict__.get("warnings", ())
        return tuple(w) if isinstance(w, (tuple, list)) else ()

    def to_frame(self) -> pd.DataFrame:
        """The result's main table as a tidy DataFrame (a copy)."""
        table = self.__dict__.get("table")
        if isinstance(table, pd.DataFrame):
            return table.copy()
        row = {}
        for f in dataclasses.fields(self):
            v = self.__dict__.get(f.name)
            if isinstance(v, (numbers.Number, str, np.generic)) and not isinstance(v, bool):
                row[f.name] = v
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        lines = str(self.summary()).splitlines()
        if len(lines) > _REPR_LINES:
            more = len(lines) - (_REPR_LINES - 1)
            lines = lines[: _REPR_LINES - 1] + [f"... ({more} more lines: print(result.summary()))"]
        cut = _REPR_WIDTH - 1
        return "\n".join(ln if len(ln) <= _REPR_WIDTH else ln[:cut] + "…" for ln in lines)

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    # results are compared by identity; a subclass must not generate __eq__
    __eq__ = object.__eq__
    __hash__ = object.__hash__


def params_is_settings() -> property:
    """A ``params`` property for results whose ``params`` used to mean their inputs.

    ``.params`` holds estimates only; the inputs that produced a result live in
    ``.settings``.  Results that exposed their inputs as ``.params`` keep it for
    one release: reading it returns ``.settings`` with a :class:`FutureWarning`.

    Examples
    --------
    >>> import warnings
    >>> @resultclass
    ... class Scenario(Result):
    ...     value: float
    ...     settings: dict
    ...     params = params_is_settings()
    >>> r = Scenario(1.0, {"delta": 1})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     r.params["delta"], w[0].category.__name__
    (1, 'FutureWarning')
    """

    def get(self):

        warn(
            f"{type(self).__name__}.params is renamed .settings (the inputs of the call; "
            ".params holds estimates only); .params will be removed in the next release.",
            FutureWarning,
        )
        return self.settings

    return property(get, doc="Deprecated name of ``settings`` (the call's inputs).")


def resultclass(cls=None, /):
    """Declare a result: ``dataclass(frozen=True, eq=False, repr=False)`` on a :class:`Result`.

    Examples
    --------
    >>> @resultclass
    ... class Mean(Result):
    ...     value: float
    ...     n: int
    >>> r = Mean(2.5, 4)
    >>> r.to_frame()
       value  n
    0    2.5  4
    >>> r == Mean(2.5, 4)
    False
    """

    def wrap(c):
        if not issubclass(c, Result):
            raise TypeError(f"{c.__name__} must derive from servqual._result.Result")
        return dataclass(frozen=True, eq=False, repr=False)(c)

    return wrap if cls is None else wrap(cls)


def _n_of(value) -> int | None:
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        return int(value.shape[0])
    return None


def _recordable(v):
    if v is None or isinstance(v, (bool, numbers.Number, str)):
        return v
    if isinstance(v, (tuple, list)) and all(isinstance(x, (numbers.Number, str)) for x in v):
        return tuple(v)
    if isinstance(v, (np.ndarray, pd.Series)):
        return f"<{type(v).__name__} of {len(v)}>"
    return f"<{type(v).__name__}>"


def records_provenance(func: Callable) -> Callable:
    """Decorator for public functions returning a :class:`Result`: record provenance.

    The version, the ``seed``, n (rows of the first data argument) and the
    options of :data:`_RECORDED` that the call has are attached to the result.
    """
    sig = inspect.signature(func)
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        out = func(*args, **kwargs)
        # a result, or a tuple holding one (``validate`` returns ``(clean, report)``)
        found = [r for r in (out if isinstance(out, tuple) else (out,)) if isinstance(r, Result)]
        for res in found:
            if res.provenance is not None:
                continue
            try:
                bound = sig.bind_partial(*args, **kwargs)
                bound.apply_defaults()
                values = bound.arguments
            except TypeError:
                values = kwargs
            n = next((_n_of(v) for v in values.values() if _n_of(v) is not None), None)
            opts = {k: _recordable(values[k]) for k in _RECORDED if k in values and k != "seed"}
            seed = values.get("seed")
            res._with_provenance(
                Provenance(function=name, n=n, seed=_recordable(seed), options=opts)
            )
        return out

    wrapper.__records_provenance__ = True
    return wrapper
