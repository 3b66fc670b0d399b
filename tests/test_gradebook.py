"""A TA's day: `grade` into a gradebook folder on a class that looks like an LMS export.

The class (tests/classroom.py): three good submissions, a corrupt zip, an empty folder, a
syntax error and a filled notebook beside untouched modules. Each test runs the command line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from classroom import build_class, write_bug, write_hang, write_reference, write_syntax_error

from autograder.paths import GRADING_TESTS, KIT_ROOT
from autograder.release.rubric import read_markers
from autograder.sandbox.jail import SCRATCH_PREFIX

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).resolve().parent.parent),
                                                              os.environ.get("PYTHONPATH", "")) if p)}


def grade(*args, env=None, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env or ENV)


def table(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "grades.csv", dtype={"submission": str}, keep_default_na=False).set_index("submission")


def summary_lines(stderr: str) -> list[str]:
    """The terminal's lines after the progress bar (the per-submission lines and the counts)."""
    return [line for line in stderr.replace("\r", "\n").splitlines()
            if line and not line.startswith(("  +", "grading", "sandbox:"))]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("ta")
    submissions = build_class(root)
    syntax_line = write_syntax_error(root / "syntax_line_probe")  # the same edit: its line number
    out = root / "out"
    done = grade(submissions, "--out", out, "-j", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    return submissions, out, done, syntax_line


def test_every_submission_has_a_status_and_a_reason(graded):
    _, out, _, _ = graded
    rows = table(out)
    assert set(rows.index) == {"alice", "bob", "carol", "corrupt", "empty", "syntax", "notebook_only"}
    assert dict(rows["status"]) == {"alice": "graded", "bob": "graded", "carol": "graded", "corrupt": "unreadable",
                                    "empty": "empty", "syntax": "partial", "notebook_only": "graded"}
    assert "zip could not be read" in rows.loc["corrupt", "reason"]
    assert "found none of the three modules" in rows.loc["empty", "reason"]
    assert rows.loc["alice", "reason"] == ""
    assert list(rows.columns[:3]) == ["status", "score", "max_score"] and rows.columns[-1] == "reason"


def test_the_terminal_names_each_submission_not_graded_and_counts_statuses(graded):
    _, _, done, _ = graded
    lines = summary_lines(done.stderr)
    flagged = {line.split()[1].rstrip(":"): line.split()[0] for line in lines if line.split()[0] in
               ("unreadable", "empty", "partial")}
    assert flagged == {"corrupt": "unreadable", "empty": "empty", "syntax": "partial"}
    assert "gradebook of 7: 4 graded, 1 partial, 1 unreadable, 1 empty" in done.stderr


def test_the_readme_example_is_what_grade_prints(graded):
    _, _, done, _ = graded
    readme = (KIT_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- example: grade", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert block.strip() and all(line in summary_lines(done.stderr) for line in block.strip().splitlines()), \
        (block, summary_lines(done.stderr))


def test_a_syntax_error_is_reported_once_with_line_and_column(graded):
    _, out, _, line = graded
    rows = table(out)
    assert f"optimizers.py line {line}, column" in rows.loc["syntax", "reason"]
    feedback = (out / "syntax" / "feedback.md").read_text(encoding="utf-8")
    assert feedback.count(f"line {line}, column") == 1
    markers = read_markers(GRADING_TESTS)
    optimizer_tests = sum(g.function.startswith("optimizers.") for g in markers)
    assert feedback.count("SyntaxError") == 1  # the module's tests: one entry, not one per test
    assert f"### optimizers: all {optimizer_tests} tests" in feedback
    # The other modules are graded as usual: full marks there.
    loop_points = sum(g.points for g in markers if g.function == "logistic_regression.gradient_descent")
    assert rows.loc["syntax", "logistic_regression.gradient_descent"] == loop_points
    assert rows.loc["syntax", "optimizers.Adam"] == 0


def test_an_unreadable_submission_gets_a_few_lines_of_feedback(graded):
    _, out, _, _ = graded
    for name, found in (("corrupt", "the zip could not be read"), ("empty", "found none of the three modules")):
        feedback = (out / name / "feedback.md").read_text(encoding="utf-8")
        assert len(feedback.splitlines()) < 15
        assert found in feedback and "What was expected" in feedback


def test_a_filled_notebook_beside_blank_modules_is_graded_from_the_notebook(graded):
    _, out, _, _ = graded
    rows = table(out)
    assert rows.loc["notebook_only", "score"] == 100
    assert "graded assignment.ipynb" in rows.loc["notebook_only", "reason"]
    assert "graded assignment.ipynb" in (out / "notebook_only" / "feedback.md").read_text(encoding="utf-8")


def test_regrading_one_of_three_keeps_the_other_rows(tmp_path):
    submissions = tmp_path / "submissions"
    for name in ("alice", "bob"):
        write_reference(submissions / name)
    write_bug(submissions / "carol", "O01_sgd_wrong_direction")
    out = tmp_path / "out"
    assert grade(submissions, "--out", out).returncode == 0
    first = table(out)
    assert first.loc["carol", "score"] < 100
    bob_before = (out / "bob" / "results.json").read_bytes()
    # The late fix: carol hands in again and only her folder is graded.
    shutil.rmtree(submissions / "carol")
    write_reference(submissions / "carol")
    done = grade(submissions / "carol", "--out", out)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = table(out)
    assert sorted(rows.index) == ["alice", "bob", "carol"]
    assert rows.loc["carol", "score"] == 100
    assert rows.loc["alice", "score"] == rows.loc["bob", "score"] == 100
    assert (out / "bob" / "results.json").read_bytes() == bob_before
    report = (out / "report.html").read_text(encoding="utf-8")
    assert all(f'href="{name}/feedback.md"' in report for name in ("alice", "bob", "carol"))
    # The whole class again: nothing changed, nothing is graded; --fresh grades all three anew.
    again = grade(submissions, "--out", out)
    assert "3 submission(s) unchanged since they were graded: kept" in again.stderr
    assert "graded 0 submission(s)" in again.stderr
    fresh = grade(submissions / "alice", "--out", out, "--fresh")
    assert fresh.returncode == 0
    assert list(table(out).index) == ["alice"]


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm -j 2"])
def test_an_interrupted_batch_keeps_its_graded_part_and_a_rerun_finishes_the_rest(tmp_path, how):
    submissions = tmp_path / "submissions"
    for name in ("a", "b", "d", "e"):
        write_reference(submissions / name)
    write_hang(submissions / "c_hang")  # takes its time limits: the batch is still busy when stopped
    out = tmp_path / "out"
    env = {**ENV, "AUTOGRADER_CALL_SECONDS": "2"}
    jobs = ["-j", "2"] if "-j 2" in how else []
    process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                                *jobs], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        _wait_for(out / "a" / "results.json", process)
        if how == "ctrl-c":  # the terminal sends SIGINT to the whole process group
            os.killpg(process.pid, signal.SIGINT)
        else:  # a cluster or CI job sends SIGTERM to the grader only
            process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr[-3000:]
    rows = table(out)
    assert sorted(rows.index) == ["a", "b", "c_hang", "d", "e"]
    assert rows.loc["a", "status"] == "graded" and rows.loc["a", "score"] == 100
    interrupted = set(rows.index[rows["status"] == "interrupted"])
    assert "e" in interrupted and interrupted <= {"b", "c_hang", "d", "e"}
    assert (out / "report.html").exists()
    assert "run the same command again" in stderr
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(f"{SCRATCH_PREFIX}{process.pid}-*"))
    kept = len(rows) - len(interrupted)
    rerun = grade(submissions, "--out", out, *jobs, env=env)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"{kept} submission(s) unchanged since they were graded: kept" in rerun.stderr
    assert f"graded {len(interrupted)} submission(s)" in rerun.stderr
    rows = table(out)
    assert set(rows["status"]) <= {"graded", "timeout"} and rows.loc["c_hang", "status"] == "timeout"
    assert json.loads((out / "a" / "results.json").read_text())["extra_data"]["fingerprint"]


def test_a_roster_adds_ids_missing_rows_and_the_lms_import_files(tmp_path):
    submissions = tmp_path / "submissions"
    write_reference(submissions / "Ada Lovelace")  # the LMS's folder name, spaces and all
    write_bug(submissions / "bob", "L07_gradients_summed")
    (submissions / "zed.zip").write_bytes(b"not a zip")  # no student claims it
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffstudent_id,name,email,submission\n"  # Excel's byte-order mark
                      "007,Ada Lovelace,ada@uni.example,Ada Lovelace\n"
                      "1002,Bob Byron,bob@uni.example,bob\n"
                      "1003,Dave Dodd,dave@uni.example,dave\n", encoding="utf-8")
    out = tmp_path / "out"
    done = grade(submissions, "--out", out, "--roster", roster, "--export", "canvas", "--export", "moodle",
                 "--assignment", "Homework 2")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = pd.read_csv(out / "grades.csv", dtype=str, keep_default_na=False)
    assert list(rows.columns[:5]) == ["student_id", "name", "email", "submission", "status"]
    by_id = rows.set_index("student_id")
    assert by_id.loc["007", "submission"] == "Ada_Lovelace" and by_id.loc["007", "status"] == "graded"
    assert float(by_id.loc["1002", "score"]) < 100
    assert by_id.loc["1003", "status"] == "missing" and "no submission" in by_id.loc["1003", "reason"]
    assert rows[rows["submission"] == "zed"]["student_id"].tolist() == [""]
    assert "missing     dave: no submission found for this student" in done.stderr
    assert "1 submission(s) match no student of the roster: zed" in done.stderr
    # Canvas: its identity columns, then the assignment; students only, a missing one left blank.
    canvas = pd.read_csv(out / "canvas-import.csv", dtype=str, keep_default_na=False)
    assert list(canvas.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 2"]
    assert canvas["SIS User ID"].tolist() == ["007", "1002", "1003"]
    assert canvas["SIS Login ID"].tolist() == ["ada@uni.example", "bob@uni.example", "dave@uni.example"]
    assert canvas["Homework 2"].tolist() == ["100", by_id.loc["1002", "score"].removesuffix(".0"), ""]
    moodle = pd.read_csv(out / "moodle-import.csv", dtype=str, keep_default_na=False)
    assert list(moodle.columns) == ["ID number", "Email address", "Homework 2", "Feedback"]
    assert moodle["Feedback"].tolist()[2].startswith("missing")
    # The roster is kept: a later run without --roster still has the ids and the missing row.
    again = grade(submissions / "bob", "--out", out)
    assert again.returncode == 0
    kept = pd.read_csv(out / "grades.csv", dtype=str, keep_default_na=False)
    assert kept["student_id"].tolist() == ["007", "1002", "", "1003"]  # graded ones by name, then the missing
    assert kept["status"].tolist()[-1] == "missing"


@pytest.mark.parametrize("text, says", [("name,email\nAda,a@b\n", "needs a 'submission' column"),
                                        ("submission\nada\nada\n", "name the same submission"),
                                        ("submission,name\nada,Ada,extra\n", "more cells than the header")])
def test_a_bad_roster_is_one_line_and_exit_2(tmp_path, text, says):
    write_reference(tmp_path / "s" / "ada")
    (tmp_path / "roster.csv").write_text(text)
    done = grade(tmp_path / "s", "--out", tmp_path / "out", "--roster", tmp_path / "roster.csv")
    assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
