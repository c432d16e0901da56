"""Names that moved to another module keep working for one release.

A model module that used to hold a plot function declares
``__getattr__ = moved_names(__name__, {"old": "servqual.figures.cx:plot_new"})``:
the old name resolves on first use, with a ``FutureWarning`` naming the new
place.  The target module is imported by name only when the old name is used,
so the model module itself never imports matplotlib or :mod:`servqual.figures`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from ._warn import warn

__all__ = ["moved_names", "moved_warning"]


def moved_warning(old: str, new: str) -> None:
    """Emit the one deprecation message used for moved names.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     moved_warning("servqual.ipa.ipa_plot", "servqual.figures.plot_ipa")
    >>> str(w[0].message)[:45]
    'servqual.ipa.ipa_plot moved to servqual.figur'
    """
    warn(
        f"{old} moved to {new}; the old name will be removed in the next release.",
        FutureWarning,
    )


def moved_names(module: str, moved: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` resolving ``moved`` names (``old -> "pkg.mod:attr"``).

    Examples
    --------
    >>> import warnings
    >>> getattr_ = moved_names("demo", {"old_sqrt": "math:sqrt"})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     getattr_("old_sqrt")(4.0), w[0].category.__name__
    (2.0, 'FutureWarning')
    """
    table = dict(moved)

    def __getattr__(name: str):
        if name not in table:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        target_module, attr = table[name].split(":")
        moved_warning(f"{module}.{name}", f"{target_module}.{attr}")
        return getattr(importlib.import_module(target_module), attr)

    return __getattr__
