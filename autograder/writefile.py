"""``%%writefile`` that never destroys work silently: IPython's magic, plus a backup.

The notebook's setup cell calls `register`. From then on, a ``%%writefile NAME`` cell (not
``-a``, which only appends) that is about to overwrite a file holding neither the released
skeleton nor what this notebook's cells last wrote there (work done in an editor, say) first
keeps a copy beside it, ``NAME.bak`` (``NAME.bak2``... when that is taken), and says so in
the cell's output. The file is then written by IPython's own ``%%writefile``, byte for byte
what the grader rebuilds from the cell (contract, section 1).

What the cells last wrote is remembered across kernel restarts as a SHA-256 per file in
``.notebook-writes.json`` in the folder written to.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path

from autograder.paths import ASSIGNMENT

RECORD = ".notebook-writes.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _record(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _skeleton(name: str) -> bytes | None:
    path = ASSIGNMENT / name
    try:
        return path.read_bytes() if path.name.endswith(".py") else None
    except OSError:
        return None


def needs_backup(path: Path) -> bool:
    """True when ``path`` holds something neither the skeleton nor this notebook wrote."""
    try:
        current = path.read_bytes()
    except OSError:
        return False  # nothing there (or unreadable: IPython's own write will say so)
    if current == _skeleton(path.name):
        return False
    return _record(path.parent).get(path.name) != _digest(current)


def backup(path: Path) -> Path:
    """Copy ``path`` to the first free ``NAME.bak``, ``NAME.bak2``...; returns the copy."""
    number = 1
    while True:
        copy = path.with_name(f"{path.name}.bak" + ("" if number == 1 else str(number)))
        if not copy.exists():
            copy.write_bytes(path.read_bytes())
            return copy
        number += 1


def remember(path: Path) -> None:
    """Record what the notebook just wrote to ``path``."""
    record = _record(path.parent)
    record[path.name] = _digest(path.read_bytes())
    try:
        (path.parent / RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only folder: IPython's write already failed and said why


def target(line: str) -> tuple[Path, bool]:
    """The file a ``%%writefile`` line names and whether it appends (``-a``/``--append``)."""
    words = shlex.split(line)
    append = any(w in ("-a", "--append") for w in words)
    names = [w for w in words if not w.startswith("-")]
    return Path(names[-1] if names else "").expanduser(), append


def writefile(line: str, cell: str) -> None:
    """IPython's ``%%writefile``, keeping a copy of work it would otherwise overwrite."""
    from IPython import get_ipython
    from IPython.core.magics.osm import OSMagics

    path, append = target(line)
    if path.name and not append and needs_backup(path):
        copy = backup(path)
        print(f"Kept a copy of {path} as {copy}: it held work this notebook did not write.")
    OSMagics(shell=get_ipython()).writefile(line, cell)
    if path.name and path.is_file():
        remember(path)


def register() -> None:
    """Make ``%%writefile`` this one in the running IPython; nothing outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(writefile, magic_kind="cell", magic_name="writefile")
