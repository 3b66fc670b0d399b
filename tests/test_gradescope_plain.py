"""Gradescope as it really runs: root, no user namespaces (the plain backend forced), the bundle
unpacked into a throwaway ``AUTOGRADER_ROOT``, ``run_autograder`` started as Gradescope does.

A submission that hunts for ``solutions/*.py`` and ``autograder/tests/hidden/*.py`` anywhere
under the root, and answers with the solutions when it finds them, must score exactly what its
honest twin (the same code without the hunt) scores; each ``results.json`` names the backend.

Where the user nobody cannot run this Python, the run happens in an image that makes it so
(tests/gradescope_image.py), as on Gradescope.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from gradescope_image import image_prefix

from autograder.paths import KIT_ROOT, MODULES, SOLUTIONS

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                                reason="Gradescope runs the autograder as root; this needs root and setpriv")

SUMMED = "return gradient_ij(X, y[:, None], p[:, None]).mean(axis=0)"
HUNT = '''
import os as _os

def _hunt(root):
    """Look everywhere under the root for the solutions and the hidden tests."""
    found = {}
    for folder, _, files in _os.walk(root):
        for name in files:
            path = _os.path.join(folder, name)
            if folder.endswith("solutions") and name == "logistic_regression.py":
                found["solution"] = path
            if folder.endswith(_os.path.join("tests", "hidden")) and name.endswith(".py"):
                found["hidden"] = path
    return found


_FOUND = _hunt("$ROOT")
if "solution" in _FOUND:
    try:
        with open(_FOUND["solution"]) as _file:
            exec(compile(_file.read(), "answers", "exec"))  # answer with the reference's own code
    except OSError:
        pass
'''


def image(argv: list[str]) -> list[str]:
    """``argv`` as in an image where nobody can run this Python (see the module docstring)."""
    prefix = image_prefix()
    if prefix is None:
        pytest.skip("the user nobody cannot run this Python, and no way to make it so here")
    return prefix + argv


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("zip") / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "--out", str(archive)],
                          capture_output=True, text=True, timeout=300, cwd=KIT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return archive


def run_autograder(bundle: Path, sources: dict[str, str]) -> dict:
    root = Path(tempfile.mkdtemp(prefix="gradescope-root-", dir="/tmp"))  # reachable by nobody
    try:
        root.chmod(0o755)
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(root)
        (root / "submission").mkdir()
        for name, text in sources.items():
            (root / "submission" / f"{name}.py").write_text(text.replace("$ROOT", str(root)))
        for folder, dirs, files in os.walk(root):  # as unzipped by Gradescope: readable by all
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.update(AUTOGRADER_ROOT=str(root), PYTHONPATH=str(root / "source"), AUTOGRADER_SANDBOX="plain")
        # Without the grader's protection, the hunt succeeds: the test has teeth.
        hunted = subprocess.run(image(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                       sys.executable, "-I", "-c",
                                       f"import os; print(any('solutions' in f for f, _, _ in os.walk({str(root)!r})))"]),
                                capture_output=True, text=True, timeout=120)
        assert hunted.stdout.strip() == "True", hunted.stderr
        done = subprocess.run(image(["bash", str(root / "run_autograder")]), env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads((root / "results" / "results.json").read_text())
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_submission_hunting_for_the_answers_scores_what_its_honest_twin_scores(bundle):
    honest = {m: (SOLUTIONS / f"{m}.py").read_text() for m in MODULES}
    assert SUMMED in honest["logistic_regression"]
    honest["logistic_regression"] = honest["logistic_regression"].replace(SUMMED, SUMMED.replace("mean", "sum"))
    hunter = {**honest, "logistic_regression": honest["logistic_regression"] + HUNT}
    twin, hunted = run_autograder(bundle, honest), run_autograder(bundle, hunter)
    assert twin["tests"] and twin["score"] < 100, twin.get("output")
    assert hunted["score"] == twin["score"]
    assert [t["score"] for t in hunted["tests"]] == [t["score"] for t in twin["tests"]]
    for data in (twin, hunted):
        assert data["sandbox"]["backend"] == "plain" and data["sandbox"]["proven"]
        assert data["sandbox"]["leaks"] == [] and data["sandbox"]["hides_answers"]
