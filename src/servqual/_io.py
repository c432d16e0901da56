"""Every file servqual writes goes through here: atomically, never over a user's file.

* :func:`atomic_write` writes to a temporary file in the target's folder,
  flushes and fsyncs it, then renames it over the target (``os.replace`` is
  atomic on POSIX and Windows).  An interrupted write leaves the old file (or
  none), never half of one.
* :func:`check_overwrite` refuses to replace an existing file unless
  ``force=True``, with an :class:`~servqual.errors.OverwriteError` naming it.
* :func:`atomic_dir` builds a whole output folder beside the target and moves
  it into place in one rename when the target does not exist yet.
* :func:`terminate_cleanly` turns SIGTERM into an exception, so the temporary
  files of an interrupted command are removed on the way out.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import OverwriteError

__all__ = [
    "atomic_write",
    "atomic_dir",
    "check_overwrite",
    "write_text",
    "write_bytes",
    "terminate_cleanly",
]


def check_overwrite(paths: Path | str | Iterable[Path | str], *, force: bool = False) -> None:
    """Raise :class:`OverwriteError` if any of ``paths`` exists and ``force`` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> check_overwrite(p)          # absent: fine
    >>> _ = p.write_text("x")
    >>> check_overwrite(p)          # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    servqual.errors.OverwriteError: ...out.csv exists; refusing to overwrite it ...
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if force:
        return
    existing = [Path(p) for p in paths if Path(p).exists()]
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise OverwriteError(
            f"{existing[0]} exists{more}; refusing to overwrite it (use --force / force=True)."
        )


@contextlib.contextmanager
def atomic_write(
    path: Path | str, mode: str = "w", *, force: bool = False, encoding: str | None = "utf-8"
) -> Iterator:
    """Open a temporary file beside ``path``; on success it replaces ``path`` atomically.

    Parameters
    ----------
    path : path-like
        The final file.
    mode : {"w", "wb"}
    force : bool
        Replace an existing ``path`` (otherwise :class:`OverwriteError`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_write(p) as fh:
    ...     _ = fh.write("hello")
    >>> p.read_text()
    'hello'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode={mode!r} is invalid: expected 'w' or 'wb'.")
    path = Path(path)
    check_overwrite(path, force=force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    ok = False
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding, newline=None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        _raise_if_terminated()
        os.replace(tmp, path)
        ok = True
        _fsync_dir(path.parent)
    finally:
        if not ok:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def write_text(path: Path | str, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically (refusing to overwrite unless ``force``)."""
    with atomic_write(path, "w", force=force) as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: Path | str, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (refusing to overwrite unless ``force``)."""
    with atomic_write(path, "wb", force=force) as fh:
        fh.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_dir(path: Path | str, *, force: bool = False) -> Iterator[Path]:
    """Build an output folder in a temporary sibling, then move it into place.

    A new ``path`` appears in one rename, complete.  An existing, non-empty
    ``path`` is refused unless ``force``; with ``force`` each finished file is
    moved over its old version with ``os.replace`` (each file old or new,
    never half), and files of the old folder that the new build did not make
    are left alone.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with atomic_dir(out) as tmp:
    ...     _ = (tmp / "index.html").write_text("<html></html>")
    >>> sorted(p.name for p in out.iterdir())
    ['index.html']
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OverwriteError(f"{path} exists and is not a folder.")
    if path.exists() and any(path.iterdir()) and not force:
        raise OverwriteError(
            f"{path} exists and is not empty; refusing to write into it (use --force / force=True)."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        yield tmp
        for f in tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        _raise_if_terminated()
        if not path.exists():
            os.replace(tmp, path)
        else:
            for f in sorted(tmp.rglob("*")):
                target = path / f.relative_to(tmp)
                if f.is_dir():
                    target.mkdir(exist_ok=True)
                else:
                    os.replace(f, target)
        _fsync_dir(path.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems do not support fsync on folders
        pass
    finally:
        os.close(fd)


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM."""


#: set by the SIGTERM handler of :func:`terminate_cleanly`.  The handler also raises
#: :class:`Terminated`, but Python drops an exception raised while the main thread runs
#: a finaliser or a weakref callback ("Exception ignored in ..."), so commits check it.
_TERMINATED = {"flag": False}


def _raise_if_terminated() -> None:
    """Refuse to commit output once SIGTERM has arrived (even if its exception was lost)."""
    if _TERMINATED["flag"]:
        raise Terminated("terminated by SIGTERM")


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (so ``finally`` runs).

    Used by the CLI so that an interrupted command removes its temporary files
    and leaves no partial output.
    """
    try:
        old = signal.getsignal(signal.SIGTERM)
    except (ValueError, AttributeError):  # not the main thread / no SIGTERM
        yield
        return

    def handler(signum, frame):
        _TERMINATED["flag"] = True
        raise Terminated(f"terminated by signal {signum}")

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not in the main thread
        yield
        return
    _TERMINATED["flag"] = False
    try:
        yield
        _raise_if_terminated()
    finally:
        signal.signal(signal.SIGTERM, old)
        _TERMINATED["flag"] = False
