"""``check`` where CI cannot boot: Windows and macOS, simulated by taking the POSIX- and Linux-only
parts away (``platform_mask.py``) from the grader and from every child it starts.

The reference must pass every public test there, in the local backend, named as such; and the
children must really have run masked (a child reports what it lacks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.grading.check_command import default_path
from autograder.paths import ASSIGNMENT, GRADING_TESTS, KIT_ROOT, MODULES, SOLUTIONS
from autograder.release.rubric import read_markers

MASK = Path(__file__).with_name("platform_mask.py")
PROFILES = ("windows", "macos")


def masked_python(folder: Path, profile: str) -> Path:
    """An executable that runs Python masked as ``profile`` (and makes its children so too)."""
    wrapper = folder / f"python-{profile}"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{MASK}" {profile} "{wrapper}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def run_masked(folder: Path, profile: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_SANDBOX"}
    env["PYTHONPATH"] = str(KIT_ROOT)
    return subprocess.run([str(masked_python(folder, profile)), *args], cwd=cwd or folder, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("profile", PROFILES)
def test_check_passes_the_reference_in_the_local_backend(tmp_path, profile):
    work = tmp_path / "work"
    work.mkdir()
    for module in MODULES:
        shutil.copyfile(SOLUTIONS / f"{module}.py", work / f"{module}.py")
    done = run_masked(tmp_path, profile, "-m", "autograder", "check", cwd=work)  # no path: this folder
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "sandbox: local" in done.stdout.splitlines()
    public = [g for g in read_markers(GRADING_TESTS) if g.visibility == "public"]
    assert f"All public tests of your work passed ({sum(g.points for g in public):g}/" in done.stdout
    assert f"checking {work}" in done.stdout


CHILD_REPORT = textwrap.dedent('''
    import sys
    from autograder.sandbox.parent import Sandbox, Student
    from autograder.sandbox.jail import isolation
    code = b"""
    def report():
        import os, signal, sys
        try:
            import resource
            has_resource = True
        except ImportError:
            has_resource = False
        try:
            open("/proc/self/status").close()
            proc = True
        except OSError:
            proc = False
        return [sys.platform, hasattr(os, "fork"), hasattr(signal, "SIGKILL"), has_resource, proc]
    """
    with Sandbox({"logistic_regression": code}, None) as sandbox:
        print(isolation().name, Student(sandbox).call("logistic_regression", "report"))
''')


@pytest.mark.parametrize("profile", PROFILES)
def test_the_children_run_masked_too(tmp_path, profile):
    done = run_masked(tmp_path, profile, "-c", CHILD_REPORT)
    assert done.returncode == 0, done.stderr[-3000:]
    windows = profile == "windows"
    platform = "linux" if windows else "darwin"
    expected = f"local ['{platform}', {not windows}, {not windows}, {not windows}, False]"
    assert done.stdout.strip() == expected


def test_check_without_a_path_takes_this_folder_when_it_holds_the_modules(tmp_path):
    assert default_path(tmp_path) == ASSIGNMENT
    (tmp_path / "optimizers.py").write_text("x = 1\n")
    assert default_path(tmp_path) == tmp_path
