"""A tqdm progress bar that is automatic: on in terminals and notebooks, off elsewhere."""

from __future__ import annotations

import contextlib
import importlib.util

from ._options import _in_notebook, resolve_progress


@contextlib.contextmanager
def progress_bar(*, total: int, enabled=True, desc: str = ""):
    """Context manager yielding an object with ``update(n)``.

    ``enabled`` is a ``progress=`` value: ``"auto"``, ``True`` or ``False``
    (:func:`servqual._options.resolve_progress`).  A disabled bar prints
    nothing.  In a notebook the widget bar is used only when ipywidgets is
    installed, so no ``TqdmWarning`` is ever raised.

    Examples
    --------
    >>> with progress_bar(total=3, enabled=False) as bar:
    ...     bar.update(3)
    """
    if not resolve_progress(enabled):
        yield _Null()
        return
    tqdm = _notebook_tqdm() if _in_notebook() else None
    if tqdm is None:
        from tqdm.std import tqdm
    bar = tqdm(total=total, desc=desc, leave=False)
    try:
        yield bar
    finally:
        bar.close()


def _notebook_tqdm():
    """tqdm's widget bar when ipywidgets can draw it, else None (the text bar is used):
    tqdm would warn ``TqdmWarning: IProgress not found`` and fail without it."""
    if importlib.util.find_spec("ipywidgets") is None:
        return None
    try:
        import tqdm.notebook as nb
    except ImportError:
        return None
    return nb.tqdm if getattr(nb, "IProgress", None) is not None else None


class _Null:
    def update(self, n: int = 1) -> None:
        return None
