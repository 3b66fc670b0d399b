"""Every environment variable the README documents, given a bad value, is one line and exit 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from autograder.paths import KIT_ROOT
from autograder.sandbox.limits import DEFAULT_LIMITS

README = (KIT_ROOT / "README.md").read_text(encoding="utf-8")
# The README's table of variables: | `AUTOGRADER_NAME` | ... |
DOCUMENTED = re.findall(r"^\| `(AUTOGRADER_[A-Z_]+)` \|", README, flags=re.MULTILINE)
BAD = {"AUTOGRADER_SANDBOX": "docker", "AUTOGRADER_LANG": "klingon"}


def test_the_readme_documents_the_variables_the_code_reads():
    read = set()
    for path in (KIT_ROOT / "autograder").rglob("*.py"):
        read |= set(re.findall(r"AUTOGRADER_[A-Z_]+", path.read_text(encoding="utf-8")))
    internal = {"AUTOGRADER_CHILD", "AUTOGRADER_SANDBOX_VARIANT", "AUTOGRADER_ROOT", "AUTOGRADER_"}
    limits = {f"AUTOGRADER_{name.upper()}" for name in DEFAULT_LIMITS}
    assert set(DOCUMENTED) == (read | limits) - internal
    assert {"AUTOGRADER_SANDBOX", "AUTOGRADER_LANG", "AUTOGRADER_CALL_SECONDS"} <= set(DOCUMENTED)


@pytest.mark.parametrize("variable", DOCUMENTED)
def test_a_bad_value_is_one_line_and_exit_2(variable):
    value = BAD.get(variable, "-3")
    env = {**os.environ, variable: value,
           "PYTHONPATH": os.pathsep.join(p for p in (str(KIT_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(KIT_ROOT / "solutions")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2, done.stdout[-500:] + done.stderr[-1500:]
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and value in lines[0], done.stderr
