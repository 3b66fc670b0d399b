"""End to end: `grade` over a small class, the way a TA runs it."""

import json
import shutil
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from autograder.paths import ASSIGNMENT, KIT_ROOT, MODULES, SOLUTIONS
from autograder.release.command import build_release


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


LOOP_ONLY_BUG = '''
_gradients = gradients


def gradients(X, y, theta):  # right on the tests' inputs, twice too long on batches of 4 rows
    g = _gradients(X, y, theta)
    return 2 * g if len(X) == 4 else g
'''


def test_a_callee_wrong_only_inside_the_loop_costs_the_loop_nothing(tmp_path):
    """The batch-loop tests try the submission's own run first when its callees have passed
    their tests; when that run misses, the loop is judged with the reference's callees."""
    import importlib.util

    import numpy as np

    from autograder.grading.runner import grade_submission

    folder = tmp_path / "submission"
    folder.mkdir()
    for module in MODULES:
        shutil.copyfile(SOLUTIONS / f"{module}.py", folder / f"{module}.py")
    with open(folder / "logistic_regression.py", "a") as source:
        source.write(LOOP_ONLY_BUG)
    # The bug is real inside the loop: mini-batches of 4 give another trajectory (run here, on our own file).
    spec = importlib.util.spec_from_file_location("loop_only_bug", folder / "logistic_regression.py")
    buggy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(buggy)
    reference = importlib.util.spec_from_file_location("reference_lr", SOLUTIONS / "logistic_regression.py")
    ref = importlib.util.module_from_spec(reference)
    reference.loader.exec_module(ref)
    rng = np.random.default_rng(0)
    X, y = np.column_stack([np.ones(11), rng.normal(size=(11, 2))]), rng.integers(0, 2, 11).astype(float)
    assert not np.allclose(buggy.gradient_descent(X, y, batch_size=4, epochs=3)[0],
                           ref.gradient_descent(X, y, batch_size=4, epochs=3)[0])

    result = grade_submission(folder)
    loop = [t for t in result.tests if t.function == "logistic_regression.gradient_descent"]
    assert len(loop) >= 8
    assert all(t.score == t.max_score for t in loop), [t.output for t in loop if t.score < t.max_score]
    public = [t for t in result.tests if t.function == "logistic_regression.gradients" and t.visibility == "visible"]
    assert public and all(t.score == t.max_score for t in public)  # so its callees counted as proven


def test_grading_in_turn_starts_the_next_child_early_and_leaves_none_when_stopped(tmp_path):
    """`grade -j 1` launches the next submission's sandbox while one is graded (under bubblewrap);
    a batch stopped early (Ctrl-C ends the generator) closes it: no child, no scratch folder left."""
    import os
    import tempfile
    from pathlib import Path

    from autograder.grading.grade_command import grade_in_turn
    from autograder.sandbox.jail import SCRATCH_PREFIX, isolation

    def scratch_folders():
        return sorted(Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}{os.getpid()}-*"))

    submissions = {}
    for name in ("a", "b", "c"):
        submissions[name] = tmp_path / "submissions" / name
        submissions[name].mkdir(parents=True)
        for module in MODULES:
            shutil.copyfile(SOLUTIONS / f"{module}.py", submissions[name] / f"{module}.py")
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


def submission_with(folder, logistic_code: str):
    """The reference modules in ``folder``, with code appended to logistic_regression.py."""
    folder.mkdir(parents=True)
    for module in MODULES:
        shutil.copyfile(SOLUTIONS / f"{module}.py", folder / f"{module}.py")
    with open(folder / "logistic_regression.py", "a") as source:
        source.write(logistic_code)
    return folder


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
    from autograder.grading.runner import grade_submission
    from autograder.sandbox.limits import Limits

    result = grade_submission(submission_with(tmp_path / "submission", HANGS_ON_SGD), limits=Limits(call_seconds=2))
    lost = sorted(t.name for t in result.tests if t.score < t.max_score)
    assert len(lost) == 1 and lost[0].startswith("logistic_regression.gradient_descent: SGD"), lost
    assert "did not finish within 2 s" in next(t.output for t in result.tests if t.score < t.max_score)


CALLS_GRADIENTS_BY_ANOTHER_NAME = '''
def gradients(X, y, w):  # right, but its third parameter is not called theta
    p = logistic(X, w)
    return gradient_ij(X, y[:, None], p[:, None]).mean(axis=0)


def gradient_descent(X, y, lr=0.1, epochs=100, batch_size=None, seed=0, theta0=None, optimizer=None):
    n, d = X.shape
    size = n if batch_size is None else min(batch_size, n)
    theta = np.zeros(d) if theta0 is None else np.array(theta0, dtype=float)
    params, rng = {"theta": theta}, np.random.default_rng(seed)
    history = [loss(X, y, theta)]
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, size):
            idx = order[start:start + size]
            g = gradients(X[idx], y[idx], w=theta)  # not the contract's call: gradients(X, y, theta)
            if optimizer is None:
                theta = step(theta, g, lr)
            else:
                optimizer.update(params, {"theta": g})
                theta = params["theta"]
        history.append(loss(X, y, theta))
    return theta, history
'''


def test_a_loop_that_breaks_the_contract_gets_no_points_from_its_own_helpers(tmp_path):
    """Its own `gradients` accepts ``w=``, so the loop runs as submitted; with the reference's
    `gradients` it fails. Its own callees are tried only once the loop has passed its public
    tests (every callee swapped), so public and hidden tests agree: it fails them all (its loop
    also never checks batch_size)."""
    from autograder.grading.runner import grade_submission

    result = grade_submission(submission_with(tmp_path / "submission", CALLS_GRADIENTS_BY_ANOTHER_NAME))
    loop = {t.name: t for t in result.tests if t.function == "logistic_regression.gradient_descent"}
    assert len(loop) >= 8 and all(t.score == 0 for t in loop.values()), [n for n, t in loop.items() if t.score]
    assert all(t.score == t.max_score for t in result.tests if t.function == "logistic_regression.gradients")
