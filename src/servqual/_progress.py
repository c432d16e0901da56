"""A tqdm progress bar that can be switched off."""

from __future__ import annotations

import contextlib

from tqdm.auto import tqdm


@contextlib.contextmanager
def progress_bar(*, total: int, enabled: bool = True, desc: str = ""):
    """Context manager yielding an object with ``update(n)``.

    ``enabled=False`` gives a no-op bar (nothing printed).
    """
    if not enabled:
        yield _Null()
        return
    bar = tqdm(total=total, desc=desc, leave=False)
    try:
        yield bar
    finally:
        bar.close()


class _Null:
    def update(self, n: int = 1) -> None:
        return None
