"""What leaves the staff's hands: the student bundle leaks nothing; Gradescope's bundle grades."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder.paths import ASSIGNMENT, HIDDEN_TESTS, MODULES, SOLUTIONS
from autograder.release.bundle import build_gradescope_zip, build_student_bundle


def solution_lines() -> set[str]:
    """Every line strictly inside a solution block of the reference that students are not
    given on purpose: not in the skeleton (hints included), not in the notebook's text (which,
    like the contract, spells out the batch loop: `order = rng.permutation(n)`...)."""
    notebook = nbformat.read(ASSIGNMENT / "assignment.ipynb", as_version=4)
    given = "\n".join((ASSIGNMENT / f"{m}.py").read_text() for m in MODULES)
    given += "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    lines, inside = set(), False
    for module in MODULES:
        for line in (SOLUTIONS / f"{module}.py").read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith("# BEGIN SOLUTION"):
                inside = True
            elif stripped.startswith("# END SOLUTION"):
                inside = False
            elif inside and len(stripped) > 12 and not stripped.startswith(("return", "for key in params", "#")):
                lines.add(stripped)
    return {line for line in lines if line not in given}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    dest = tmp_path_factory.mktemp("bundle") / "student"
    build_student_bundle(dest)
    return dest


def test_student_bundle_has_no_solution_line(bundle):
    secret = solution_lines()
    assert len(secret) > 20  # the oracle itself is meaningful
    for path in bundle.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".json", ".cfg", ".toml", ".ini"):
            text = path.read_text(errors="replace")
            leaked = [line for line in secret if line in text]
            assert not leaked, (path, leaked[:3])
    assert not (bundle / "solutions").exists()


def test_student_bundle_has_no_hidden_test(bundle):
    hidden_names = {p.name for p in HIDDEN_TESTS.glob("test_*.py")}
    assert hidden_names
    shipped = {p.name for p in bundle.rglob("*.py")}
    assert not hidden_names & shipped
    assert not list(bundle.rglob("RUBRIC.md"))


def test_student_bundle_checks_on_its_own(bundle, tmp_path):
    """`check` in the bundle, run from a copy with no kit around: the skeleton fails every
    public test, the reference (copied in as if a student had solved it) passes all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(bundle)
    skeleton = subprocess.run([sys.executable, "-m", "autograder", "check"], cwd=bundle, env=env,
                              capture_output=True, text=True, timeout=300)
    assert skeleton.returncode == 1, skeleton.stdout + skeleton.stderr
    assert "0/" in skeleton.stdout and "hidden tests run" in skeleton.stdout
    solved = tmp_path / "solved"
    solved.mkdir()
    for module in MODULES:
        shutil.copyfile(SOLUTIONS / f"{module}.py", solved / f"{module}.py")
    passed = subprocess.run([sys.executable, "-m", "autograder", "check", str(solved)], cwd=bundle, env=env,
                            capture_output=True, text=True, timeout=300)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "All public tests of your work passed" in passed.stdout


def test_gradescope_bundle_grades_the_reference_to_100(tmp_path):
    archive = tmp_path / "autograder.zip"
    build_gradescope_zip(archive)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        bundle.extractall(root)
    (root / "submission").mkdir()
    for module in MODULES:
        shutil.copyfile(SOLUTIONS / f"{module}.py", root / "submission" / f"{module}.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["AUTOGRADER_ROOT"] = str(root)
    # Gradescope's image has the kit installed by setup.sh; here run_autograder's own `cd` and
    # `python3 -m` must find the bundled copy, so put it first on the path.
    env["PYTHONPATH"] = str(root / "source")
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 100
    assert all(t["score"] == t["max_score"] for t in data["tests"])
