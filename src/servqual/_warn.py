"""Warnings that point at the user's line, however deep inside servqual they arise.

``warnings.warn(..., stacklevel=2)`` names the caller of the function that
warns -- but public functions are wrapped (``@records_provenance``,
``@renamed``) and call each other, so a fixed ``stacklevel`` names a frame
inside servqual.  :func:`warn` skips every frame in the package instead and
attributes the warning to the first line outside it: the user's call.  On
Python >= 3.12 that is ``warnings.warn(skip_file_prefixes=...)``; on 3.10 and
3.11 the same stack level is computed by walking the frames.

Work run in a pool (bootstrap replicates, permutations) has no user frame on its
stack, and in a worker process its warnings never reach the caller at all.
:func:`recording` records them where the work runs; the caller re-issues them with
:func:`reissue` once the pool is done, from its own thread, so they point at the
user's line like every other warning.
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn", "recording", "reissue"]

#: the package's directory: frames in files under it are skipped
_PREFIX = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_stacklevel() -> int:
    """``stacklevel`` for a ``warnings.warn`` call in :func:`warn`: the first frame
    outside the package (the outermost frame when every frame is inside it)."""
    frame = sys._getframe(2)  # warn's caller: inside servqual
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PREFIX):
        frame = frame.f_back
        level += 1
    return level


def warn(message, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)`` attributed to the user's line.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("demo", UserWarning)
    >>> caught[0].filename.startswith(_PREFIX)
    False
    """
    if sys.version_info >= (3, 12):
        warnings.warn(message, category, skip_file_prefixes=(_PREFIX,))
    else:
        warnings.warn(message, category, stacklevel=_user_stacklevel())


def recording(fn, *args, record: bool = True):
    """``fn(*args)`` and the distinct warnings it raised, as ``((category, message), ...)``.

    Every warning is recorded (``"always"``), so the record does not depend on what
    this thread or process has shown before; the caller's filters apply when
    :func:`reissue` issues them.  ``catch_warnings`` changes process-wide state, so
    call this only where nothing else runs concurrently (the calling thread, or a
    worker process running one task at a time); with ``record=False`` it just calls
    ``fn``.

    Examples
    --------
    >>> def noisy(x):
    ...     warnings.warn("odd", RuntimeWarning)
    ...     warnings.warn("odd", RuntimeWarning)
    ...     return 2 * x
    >>> recording(noisy, 3)
    (6, ((<class 'RuntimeWarning'>, 'odd'),))
    """
    if not record:
        return fn(*args), ()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        value = fn(*args)
    return value, tuple(dict.fromkeys((w.category, str(w.message)) for w in rec))


def reissue(records, prefix: str = "") -> tuple[str, ...]:
    """Issue recorded warnings again, each distinct one once, through :func:`warn`.

    Returns the messages as issued (prefixed), for the result's ``warnings``.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     issued = reissue([(UserWarning, "a"), (UserWarning, "a")], "in replicates: ")
    >>> [str(w.message) for w in caught], issued
    (['in replicates: a'], ('in replicates: a',))
    """
    issued = []
    for category, message in dict.fromkeys(records):
        warn(prefix + message, category)
        issued.append(prefix + message)
    return tuple(issued)
