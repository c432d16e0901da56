"""Warnings that point at the user's line, however deep inside servqual they arise.

``warnings.warn(..., stacklevel=2)`` names the caller of the function that
warns -- but public functions are wrapped (``@records_provenance``,
``@renamed``) and call each other, so a fixed ``stacklevel`` names a frame
inside servqual.  :func:`warn` skips every frame in the package instead and
attributes the warning to the first line outside it: the user's call.  On
Python >= 3.12 that is ``warnings.warn(skip_file_prefixes=...)``; on 3.10 and
3.11 the same stack level is computed by walking the frames.
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn"]

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
