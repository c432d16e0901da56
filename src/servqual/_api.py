"""The public API: which modules and names the documentation must cover.

A public module is ``servqual`` itself, each submodule the package exposes
lazily (``servqual.sem``, ...), the report and paper modules and the ordinal
estimation modules the README names.  Its public names are its ``__all__``
(submodules listed there are covered by their own page).  The documentation's
API pages (``docs/api/``) are generated from :func:`public_api`, and a test
checks that they are in sync and that every public function has a runnable
example.
"""

from __future__ import annotations

import importlib
import inspect

__all__ = ["public_modules", "public_api", "api_page"]

_EXTRA = (
    "report",
    "paper",
    "sem.polychoric",
    "sem.wlsmv",
    "sem.ordinal_bias",
    "tracking",
    "compare",
    "simulate_design",
    "factor",
)
#: modules whose names are re-exports of other public modules: their pages list
#: the names without a page of their own (one object, one description)
_REEXPORTS = ("servqual", "servqual.wom")


def public_modules() -> list[str]:
    """Names of the public modules, ``servqual`` first.

    Examples
    --------
    >>> mods = public_modules()
    >>> mods[0], "servqual.sem" in mods
    ('servqual', True)
    """
    import servqual

    subs = sorted(servqual._SUBMODULES | set(_EXTRA))
    return ["servqual"] + [f"servqual.{s}" for s in subs]


def public_api() -> dict[str, list[str]]:
    """Module -> its public names (``__all__`` minus submodules), in ``__all__`` order.

    Examples
    --------
    >>> api = public_api()
    >>> "fit" in api["servqual.sem"], "Instrument" in api["servqual"]
    (True, True)
    """
    out = {}
    for name in public_modules():
        mod = importlib.import_module(name)
        names = []
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr)
            if not inspect.ismodule(obj):
                names.append(attr)
        out[name] = names
    return out


def api_page(module: str, names: list[str]) -> str:
    """The reStructuredText API page of one module (autosummary of its names).

    Each name gets its own generated page, except on the pages of ``servqual``
    and ``servqual.wom``: their names are re-exports, documented on their
    modules' pages and only listed there (two pages for one object would
    describe it twice).

    Examples
    --------
    >>> print(api_page("servqual.demo", ["f"]))  # doctest: +NORMALIZE_WHITESPACE
    servqual.demo
    =============
    <BLANKLINE>
    .. automodule:: servqual.demo
       :no-members:
    <BLANKLINE>
    .. currentmodule:: servqual.demo
    <BLANKLINE>
    .. autosummary::
       :toctree: generated
    <BLANKLINE>
       f
    <BLANKLINE>
    """
    lines = [module, "=" * len(module), "", f".. automodule:: {module}", "   :no-members:", ""]
    if names:
        lines += [f".. currentmodule:: {module}", "", ".. autosummary::"]
        lines += ["   :toctree: generated", ""] if module not in _REEXPORTS else [""]
        lines += [f"   {n}" for n in names]
    return "\n".join(lines) + "\n"
