"""Scratch folders: one per sandbox, holding its harness, the submitted modules and its work folder."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path

SCRATCH_PREFIX = "autograder-"


def layout(scratch: Path) -> tuple[Path, Path, Path]:
    """``(harness, src, work)`` folders of a scratch directory: the harness files, the submitted
    modules as written by the grader, and the child's working directory."""
    return scratch / "harness", scratch / "src", scratch / "work"


def new_scratch(prefix: str = SCRATCH_PREFIX) -> Path:
    """A fresh scratch folder for one sandbox, named after this process (``autograder-PID-...``),
    so that one left behind by a grader killed outright is found and removed by the next."""
    remove_stale_scratch()
    scratch = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    scratch.chmod(0o755)  # the child's user must reach the harness (read-only to it)
    return scratch


@functools.cache
def remove_stale_scratch(folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders whose grader process is gone (once per process); returns them.

    A grader that ends normally removes its own; one killed with SIGKILL cannot. Folders of a
    live process (another grader running now) are left alone, and so are other users'. A grader
    in another PID namespace sharing this /tmp would look gone: give it its own TMPDIR. Where the
    system has no user ids (Windows) nothing is removed: ``os.kill(pid, 0)`` there would end
    the process it asks about.
    """
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:
        return []
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = path.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        try:
            mine = path.lstat().st_uid == geteuid() and path.is_dir() and not path.is_symlink()
        except OSError:
            continue
        # Only this user's folders (never one someone else planted), of a process that is gone.
        if not mine or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


def remove_own_scratch(folder: Path | None = None) -> None:
    """Remove this process's scratch folders: for a grader that was stopped, once its children
    are, since a sandbox being set up or launched ahead at the stop may not have removed its own."""
    for path in Path(folder or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{os.getpid()}-*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True
