"""End to end: `grade` over a small class, the way a TA runs it."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from corpus.build import apply_edits, reference_sources, write_folder
from corpus.cases import Edit

from autograder.grading.grade_command import grade_in_turn
from autograder.grading.runner import grade_submission
from autograder.paths import ASSIGNMENT, KIT_ROOT, MODULES, SOLUTIONS
from autograder.release.command import build_release
from autograder.sandbox.jail import SCRATCH_PREFIX, isolation
from autograder.sandbox.limits import Limits


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the reference (folder, notebook, zip of the notebook) and the untouched skeleton."""
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    (submissions / "reference").mkdir(parents=True)
    for module in MODULES:
        shutil.copyfile(SOLUTIONS / f"{module}.py", submissions / "reference" / f"{module}.py")
    shutil.copytree(ASSIGNMENT, submissions / "skeleton", ignore=shutil.ignore_patterns("*.ipynb"))
    notebook = build_release(KIT_ROOT).solution_notebook
    (submissions / "notebook.ipynb").write_text(notebook, encoding="utf-8")
    with zipfile.ZipFile(submissions / "zipped.zip", "w") as archive:
        archive.writestr("export/assignment.ipynb", notebook)
    out = root / "out"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "-j", "2"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done


def results(out, name):
    return json.loads((out / name / "results.json").read_text())


def test_reference_scores_100(graded):
    out, _ = graded
    data = results(out, "reference")
    assert data["score"] == 100
    assert sum(t["max_score"] for t in data["tests"]) == 100


def test_skeleton_scores_0_with_not_implemented_per_function(graded):
    out, _ = graded
    data = results(out, "skeleton")
    assert data["score"] == 0
    functions = {t["name"].split(":")[0] for t in data["tests"]}
    for function in functions:
        messages = [t["output"] for t in data["tests"] if t["name"].startswith(function + ":")]
        assert any("not implemented yet" in m for m in messages), (function, messages)
    feedback = (out / "skeleton" / "feedback.md").read_text()
    assert "not implemented yet" in feedback


@pytest.mark.parametrize("name", ["notebook", "zipped"])
def test_notebook_and_zip_grade_like_the_folder(graded, name):
    out, _ = graded
    folder = {t["name"]: t["score"] for t in results(out, "reference")["tests"]}
    other = {t["name"]: t["score"] for t in results(out, name)["tests"]}
    assert other == folder


def test_gradebook_has_one_row_per_submission(graded):
    out, _ = graded
    grades = pd.read_csv(out / "grades.csv")
    assert sorted(grades["submission"]) == ["notebook", "reference", "skeleton", "zipped"]
    assert grades.set_index("submission").loc["reference", "score"] == 100
    assert "logistic_regression.gradients" in grades.columns


def test_the_active_sandbox_is_printed(graded):
    _, done = graded
    assert "sandbox:" in done.stderr


def test_bad_paths_are_one_line_errors(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "nope"), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error:") and "Traceback" not in done.stderr


def submission_with(folder, *edits: Edit, appended: str = ""):
    """The reference modules in ``folder``, edited (each edit's text found exactly once), with
    ``appended`` code at the end of logistic_regression.py."""
    sources = apply_edits(reference_sources(), edits, folder.name)
    sources["logistic_regression"] += appended
    return write_folder(folder, sources)


LOOP_ONLY_BUG = '''
_gradients = gradients


def gradients(X, y, theta):  # right on the tests' inputs, twice too long on batches of 4 rows
    g = _gradients(X, y, theta)
    return 2 * g if len(X) == 4 else g
'''


def test_a_callee_wrong_only_inside_the_loop_costs_the_loop_nothing(tmp_path, ref):
    """The batch-loop tests try the submission's own run first when its callees have passed
    their tests; when that run misses, the loop is judged with the reference's callees."""
    folder = submission_with(tmp_path / "submission", appended=LOOP_ONLY_BUG)
    # The bug is real inside the loop: mini-batches of 4 give another trajectory (our own code, run here).
    buggy: dict = {}
    exec((folder / "logistic_regression.py").read_text(), buggy)
    rng = np.random.default_rng(0)
    X, y = np.column_stack([np.ones(11), rng.normal(size=(11, 2))]), rng.integers(0, 2, 11).astype(float)
    assert not np.allclose(buggy["gradient_descent"](X, y, batch_size=4, epochs=3)[0],
                           ref.logistic_regression.gradient_descent(X, y, batch_size=4, epochs=3)[0])

    result = grade_submission(folder)
    loop = [t for t in result.tests if t.function == "logistic_regression.gradient_descent"]
    assert len(loop) >= 8
    assert all(t.score == t.max_score for t in loop), [t.output for t in loop if t.score < t.max_score]
    public = [t for t in result.tests if t.function == "logistic_regression.gradients" and t.visibility == "visible"]
    assert public and all(t.score == t.max_score for t in public)  # so its callees counted as proven


def test_grading_in_turn_starts_the_next_child_early_and_leaves_none_when_stopped(tmp_path):
    """`grade -j 1` launches the next submission's sandbox while one is graded (under bubblewrap);
    a batch stopped early (Ctrl-C ends the generator) closes it: no child, no scratch folder left."""
    def scratch_folders():
        return sorted(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{os.getpid()}-*"))

    submissions = {name: submission_with(tmp_path / "submissions" / name) for name in ("a", "b", "c")}
    out = tmp_path / "out"
    out.mkdir()
    before = scratch_folders()
    batch = grade_in_turn(submissions, out, hide=(out, tmp_path / "submissions"))
    assert next(batch) == ("a", 100.0)
    waiting = [f for f in scratch_folders() if f not in before]
    assert len(waiting) == 1  # b's sandbox
    written = waiting[0] / "src" / "logistic_regression.py"
    if isolation().mode == "bwrap":  # launched while a was graded
        assert written.read_bytes() == (SOLUTIONS / "logistic_regression.py").read_bytes()
    else:  # in plain mode a's code could reach b's files: nothing of b is written before b's turn
        assert not written.exists()
    batch.close()
    assert scratch_folders() == before
    assert (out / "a" / "results.json").is_file() and not (out / "b").exists()


HANGS_ON_SGD = '''
_gradient_descent = gradient_descent


def gradient_descent(X, y, lr=0.1, epochs=100, batch_size=None, seed=0, theta0=None, optimizer=None):
    while type(batch_size) is int and batch_size == 1:  # endless, on SGD only (True is not SGD): the time limit ends it
        pass
    return _gradient_descent(X, y, lr, epochs, batch_size, seed, theta0, optimizer)
'''


def test_a_loop_that_hangs_once_loses_that_test_only(tmp_path):
    """The first run with the submission's own callees counts its time-outs apart: the hang
    costs the SGD test, and the later gradient_descent tests still run."""
    result = grade_submission(submission_with(tmp_path / "submission", appended=HANGS_ON_SGD),
                              limits=Limits(call_seconds=2))
    lost = [t for t in result.tests if t.score < t.max_score]
    assert [t.name for t in lost] == [
        "logistic_regression.gradient_descent: SGD (batch_size=1): theta and history match the reference "
        "on a random problem"]
    assert "did not finish within 2 s" in lost[0].output


# Right, but gradients' third parameter is named w, and the loop calls it by that name: not the
# contract's call gradients(X[idx], y[idx], theta), which the reference's gradients refuses.
GRADIENTS_BY_ANOTHER_NAME = (
    Edit("logistic_regression", "def gradients(X: np.ndarray, y: np.ndarray, theta: np.ndarray)",
         "def gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray)"),
    Edit("logistic_regression", "    p = logistic(X, theta)\n    return gradient_ij",
         "    p = logistic(X, w)\n    return gradient_ij"),
    Edit("logistic_regression", "g = gradients(X[idx], y[idx], theta)", "g = gradients(X[idx], y[idx], w=theta)"),
)


def test_a_loop_that_breaks_the_contract_gets_no_points_from_its_own_helpers(tmp_path):
    """Its own `gradients` accepts ``w=``, so the loop runs as submitted; with the reference's
    `gradients` it fails. Its own callees are tried only once the loop has passed its public
    tests (every callee swapped), so public and hidden tests agree: every test that runs the
    loop fails; only those that never reach a batch pass (bad batch sizes, epochs=0)."""
    result = grade_submission(submission_with(tmp_path / "submission", *GRADIENTS_BY_ANOTHER_NAME))
    loop = {t.name: t.score for t in result.tests if t.function == "logistic_regression.gradient_descent"}
    passed = [name for name, score in loop.items() if score]
    assert len(loop) >= 8
    assert sorted(passed) == [
        "logistic_regression.gradient_descent: epochs=0: returns theta0 (or zeros) unchanged and a history of one float, "
        "the starting loss",
        "logistic_regression.gradient_descent: raises ValueError for batch_size 0, -2, 1.5 and True"]
    assert all(t.score == t.max_score for t in result.tests if t.function == "logistic_regression.gradients")
