"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every report file is first written to a temporary file in the destination's own folder
(``os.replace`` is atomic only within one file system), flushed and ``fsync``-ed, then renamed
over the destination with ``os.replace``; the folder is ``fsync``-ed too so the rename itself
survives a power cut. If writing fails (an exception, a crash of the code producing the rows),
the temporary file is removed and the old file is left exactly as it was. A grader killed with
SIGKILL cannot run any clean-up: the old file is still intact, but a ``.<name>.*.tmp`` file
may be left beside it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _new_file_mode(path: Path) -> int:
    """Permission bits for the written file: the old file's, else what ``open`` would give."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        pass
    # mkstemp makes 0600 files; a plain open() gives 0666 & ~umask. Reading the umask with
    # os.umask() briefly changes it for every thread, so read it from /proc where possible.
    umask = 0o022
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    # Not every platform can open a folder (Windows cannot); the rename is still atomic there.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO]:
    """Open ``path`` for writing so that it changes all at once when the block ends.

    Parameters
    ----------
    path : destination file; its folder must exist
    mode : ``"w"`` (text) or ``"wb"`` (bytes)
    encoding, newline : as for ``open`` in text mode (``newline=""`` for the csv module)

    Yields
    ------
    file : the temporary file to write to. The destination is replaced only if the block
        finishes without an exception.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    file_mode = _new_file_mode(path)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        text = mode == "w"
        with open(fd, mode, encoding=encoding if text else None, newline=newline if text else None) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, file_mode)
        os.replace(tmp, path)
    except BaseException:
        # BaseException too: a KeyboardInterrupt mid-write must not leave the temp file behind.
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def write_text_atomic(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` in one step (see the module docstring)."""
    with atomic_open(path, "w", encoding=encoding, newline="") as file:
        file.write(text)
