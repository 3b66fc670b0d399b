"""`check` on a submission that cannot be read: one line on stderr, exit 2, for every form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.paths import SOLUTIONS

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).resolve().parent.parent),
                                                              os.environ.get("PYTHONPATH", "")) if p)}


def check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "check", str(path)], capture_output=True, text=True,
                          timeout=300, env=ENV)


def encrypted_zip(path: Path) -> Path:
    """A zip whose member is flagged encrypted (what `zip -e` makes): Python cannot read it without a password."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("optimizers.py", (SOLUTIONS / "optimizers.py").read_text())
    data = bytearray(path.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    data[local + 6] |= 1  # general purpose flag, bit 0: encrypted
    data[central + 8] |= 1
    path.write_bytes(bytes(data))
    return path


def unreadable_forms(root: Path) -> dict[str, tuple[Path, str]]:
    """``{form: (path, what the line must say)}``."""
    forms = {}
    (root / "corrupt.zip").write_bytes(b"PK\x03\x04 not really a zip")
    forms["corrupt zip"] = (root / "corrupt.zip", "the zip could not be read")
    forms["encrypted zip"] = (encrypted_zip(root / "encrypted.zip"), "encrypted")
    (root / "text.ipynb").write_text("print('not a notebook')\n")
    forms["notebook that is not JSON"] = (root / "text.ipynb", "notebook could not be read")
    (root / "list.ipynb").write_text(json.dumps([{"cells": []}]))
    forms["JSON that is not a notebook"] = (root / "list.ipynb", "notebook could not be read")
    (root / "v3.ipynb").write_text(json.dumps({"nbformat": 4, "cells": "not a list"}))
    forms["notebook of the wrong format"] = (root / "v3.ipynb", "notebook could not be read")
    (root / "blank.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}))
    forms["notebook without %%writefile cells"] = (root / "blank.ipynb", "no %%writefile cell")
    (root / "nothing").mkdir()
    (root / "nothing" / "notes.txt").write_text("my answers are in my head")
    forms["folder with nothing gradable"] = (root / "nothing", "found none of the three modules")
    (root / "no_modules.zip").write_bytes(b"")
    with zipfile.ZipFile(root / "no_modules.zip", "w") as archive:
        archive.writestr("answers.txt", "42")
    forms["zip with nothing gradable"] = (root / "no_modules.zip", "neither the three modules nor one notebook")
    (root / "link.ipynb").symlink_to("/etc/hostname")
    forms["file that may not be read (a link)"] = (root / "link.ipynb", "symbolic link")
    return forms


@pytest.mark.parametrize("form", ["corrupt zip", "encrypted zip", "notebook that is not JSON",
                                  "JSON that is not a notebook", "notebook of the wrong format",
                                  "notebook without %%writefile cells", "folder with nothing gradable",
                                  "zip with nothing gradable", "file that may not be read (a link)"])
def test_check_on_an_unreadable_submission_is_one_line_and_exit_2(tmp_path, form):
    path, says = unreadable_forms(tmp_path)[form]
    done = check(path)
    assert done.returncode == 2, (done.stdout[-2000:], done.stderr[-2000:])
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), done.stderr
    assert says in lines[0] and "expected a folder with the three modules" in lines[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_check_on_a_file_without_read_permission_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "assignment.ipynb"
    path.write_text("{}")
    path.chmod(0)
    done = check(path)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "could not be read" in done.stderr
