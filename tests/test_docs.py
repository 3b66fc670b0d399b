"""The README a fresh clone can follow: every repository path it names exists, and what it says
`check` prints is what `check` prints. (Its example output of `grade` is checked against the
command by tests/test_gradebook.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from autograder.paths import KIT_ROOT
from autograder.sandbox.jail import isolation

README = KIT_ROOT / "README.md"
TRACKED = subprocess.run(["git", "ls-files"], cwd=KIT_ROOT, capture_output=True, text=True, check=True).stdout.split()
TOP = {path.split("/", 1)[0] for path in TRACKED}


def named_paths(text: str) -> set[str]:
    """Code spans and link targets that start with a top-level entry of the repository, or leave it."""
    candidates = re.findall(r"`([^`\s]+)`", text) + re.findall(r"\]\(([^)\s]+)\)", text)
    paths = set()
    for candidate in candidates:
        path = candidate.rstrip("/.,:;")
        if path.startswith("../") or (path.split("/", 1)[0] in TOP and "/" in path) or path in TOP:
            paths.add(path)
    return paths


def test_every_path_the_readme_names_is_in_the_repository():
    text = README.read_text(encoding="utf-8")
    paths = named_paths(text)
    assert "docs/CONTRACT.md" in paths and "autograder/tests/RUBRIC.md" in paths  # the scan finds them
    outside = sorted(p for p in paths if p.startswith("../"))
    assert not outside, f"the README points outside the repository: {outside}"
    missing = sorted(p for p in paths if not any(KIT_ROOT.glob(p)))
    assert not missing, f"the README names paths a fresh clone does not have: {missing}"
    for path in paths:  # and they are in git, not just on this machine
        assert any(t == path or t.startswith(path.rstrip("*") if "*" in path else path + "/")
                   or Path(t).match(path) for t in TRACKED), path


def test_check_prints_the_active_setup_first_as_the_readme_says():
    assert "`grade` and `check` print the active setup first" in README.read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(KIT_ROOT), os.environ.get("PYTHONPATH", ""))
                                                       if p)}
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(KIT_ROOT / "solutions")],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0] == isolation().summary().splitlines()[0]
