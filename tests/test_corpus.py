"""The grader graded by its corpus (``tests/corpus``), through the real path.

One run of ``python -m autograder grade SUBMISSIONS --out OUT -j 2`` over every case (short
time limits from ``AUTOGRADER_CALL_SECONDS`` and ``AUTOGRADER_SUBMISSION_SECONDS``), then:

- each known bug loses points in its function and only there, with the expected message;
- each correct variant scores full marks;
- each hostile submission gains nothing over the same code without the attack, costs only
  what it may cost, and gets its one-line reason;
- the batch completes, every submission appears once in the gradebook, a rerun gives the same
  scores, the kit is unchanged, nothing was written outside, no process survives, no
  connection reached the machine, and hostile text arrives inert in every report.

Cases only the bwrap setups can contain are left out in plain mode (the README says why).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import site
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from corpus.bugs import BUGS, VARIANTS
from corpus.build import containment, entry_name, write_corpus
from corpus.cases import Bug, Hostile, Variant
from corpus.hostile import HOSTILE

from autograder.grading.results import SubmissionResult
from autograder.paths import KIT_ROOT
from autograder.report.results_json import read_results_json
from autograder.sandbox.jail import isolation
from autograder.submission import find_submissions, name_submissions

LIMITS = {"AUTOGRADER_CALL_SECONDS": "5", "AUTOGRADER_SUBMISSION_SECONDS": "60"}
RERUN = ("L07_gradients_summed", "O09_adam_returns_params", "H05_gradients_os_exit", "H14_lying_types",
         "V04_reference_notebook")
# Kit files the hostile cases try to change (new files anywhere are found by their mark).
FINGERPRINTED = ("solutions", "data", "setup.cfg", "pyproject.toml")


@dataclass
class Graded:
    out: Path
    cases: dict[str, Bug | Variant | Hostile]  # gradebook name -> case
    names: dict[str, str]  # case name -> gradebook name
    run: subprocess.CompletedProcess
    context: dict
    started: float
    fingerprint_before: dict[str, tuple[str, int]]
    fingerprint_after: dict[str, tuple[str, int]]
    connections: list[bytes]
    survivors: list[str]

    def result(self, case_name: str) -> SubmissionResult:
        return read_results_json(self.out / self.names[case_name] / "results.json")


def grade(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade", *extra, str(submissions), "--out", str(out),
                           "-j", "2"], env={**os.environ, **LIMITS}, capture_output=True, text=True, timeout=1800)


def fingerprint() -> dict[str, tuple[str, int]]:
    """Content hash and permission bits of every fingerprinted kit file."""
    found = {}
    for top in FINGERPRINTED:
        root = KIT_ROOT / top
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path.relative_to(KIT_ROOT))] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                          path.stat().st_mode & 0o7777)
    return found


def processes_with(argument: str) -> list[str]:
    """Command lines of live processes that have ``argument`` as one of their arguments."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argument.encode() in args:
                found.append(f"{entry.name}: {b' '.join(args).decode(errors='replace')}")
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    root = tmp_path_factory.mktemp("corpus")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    mark = f"corpus{secrets.token_hex(4)}"
    context = {"kit": KIT_ROOT, "out": root / "out", "site": site.getsitepackages()[0], "mark": mark,
               "port": listener.getsockname()[1], "sleep": f"47.{secrets.randbelow(10**6):06d}"}
    written = write_corpus(root / "submissions", context, containment(isolation()))
    by_path = {path.name: name for name, path in name_submissions(find_submissions([root / "submissions"])).items()}
    entries = {Path(entry).stem if entry.endswith(".zip") else entry: name for entry, name in by_path.items()}
    cases = {entries[entry]: case for entry, case in written.items()}
    before, started = fingerprint(), time.time()
    run = grade(root / "submissions", root / "out")
    time.sleep(1)  # a killed PID namespace may take a moment to go
    connections = []
    try:
        while True:
            connection, _ = listener.accept()
            connections.append(connection.recv(100))
            connection.close()
    except (TimeoutError, OSError):
        pass
    listener.close()
    return Graded(root / "out", cases, {case.name: name for name, case in cases.items()}, run, context, started,
                  before, fingerprint(), connections, processes_with(context["sleep"]))


def strings_in(value) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def case_id(case) -> str:
    return case.name


def failed_output(result: SubmissionResult, function: str | None = None) -> str:
    """The submission's notes and every failed test's message (of ``function`` only, if given)."""
    return "\n".join([result.output] + [t.output for t in result.tests
                                        if not t.passed and (function is None or t.function == function)])


def functions_in(names: frozenset[str], functions) -> set[str]:
    """``names`` ("module.function" or "module") as the graded functions they cover."""
    return {f for f in functions if f in names or f.split(".")[0] in names}


def skip_unless_graded(graded: Graded, case) -> None:
    if case.name not in graded.names:
        pytest.skip(f"{case.name}: needs {case.needs!r}, which the {isolation().mode} sandbox here does not give")


# -- the run as a whole ----------------------------------------------------------------------
@pytest.mark.slow
def test_batch_completes_with_every_submission_once(graded):
    assert graded.run.returncode == 0, graded.run.stderr[-3000:]
    assert (graded.out / "report.html").is_file()
    grades = pd.read_csv(graded.out / "grades.csv", dtype={"submission": str})
    names = [name.removeprefix("'") for name in grades["submission"]]
    assert sorted(names) == sorted(graded.cases), "every submission exactly once in the gradebook"
    assert (grades["max_score"] == 100).all()


@pytest.mark.slow
def test_rerun_gives_the_same_scores(graded, tmp_path):
    folder = tmp_path / "again"
    folder.mkdir()
    for name in RERUN:
        entry = graded.out.parent / "submissions" / entry_name(next(c for c in graded.cases.values() if c.name == name))
        if entry.is_dir():
            shutil.copytree(entry, folder / entry.name, symlinks=True)
        else:
            shutil.copy(entry.with_suffix(".zip"), folder)
    run = grade(folder, tmp_path / "out")
    assert run.returncode == 0, run.stderr[-3000:]
    for name in RERUN:
        first = graded.result(name)
        again = read_results_json(tmp_path / "out" / graded.names[name] / "results.json")
        assert [(t.name, t.score) for t in again.tests] == [(t.name, t.score) for t in first.tests], name


@pytest.mark.slow
def test_kit_unchanged_and_nothing_written_outside(graded):
    assert graded.fingerprint_after == graded.fingerprint_before
    mark = graded.context["mark"]
    places = [KIT_ROOT, Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path.home(), Path(graded.context["site"]),
              graded.out]
    leaked = [str(p) for place in places if place.is_dir()
              for p in (place.rglob(f"*{mark}*") if place in (KIT_ROOT, graded.out) else place.glob(f"*{mark}*"))]
    assert leaked == []
    touched = [p for p in KIT_ROOT.rglob("*") if p.is_file() and ".git" not in p.parts
               and p.stat().st_mtime >= graded.started and mark.encode() in p.read_bytes()]
    assert touched == []


@pytest.mark.slow
def test_no_process_survives(graded):
    assert graded.survivors == [], "the detached sleeper outlived its sandbox"


@pytest.mark.slow
def test_no_connection_reaches_the_machine(graded):
    if isolation().network:
        pytest.skip("this sandbox leaves the network reachable")
    assert graded.connections == []


@pytest.mark.slow
def test_hostile_text_arrives_inert(graded):
    name = graded.names["H20_hostile_text_in_messages"]
    folder = graded.out / name
    feedback = (folder / "feedback.md").read_bytes().decode("utf-8")  # strict: valid UTF-8
    results = json.loads((folder / "results.json").read_bytes().decode("utf-8"))
    report = (graded.out / "report.html").read_bytes().decode("utf-8")
    assert "HYPERLINK" in feedback
    for text in (feedback, report, *strings_in(results)):
        assert "\x1b" not in text and "\u202e" not in text
    assert "\ufffd" in feedback, "the undecodable bytes of the message arrive as U+FFFD"
    with open(graded.out / "grades.csv", newline="", encoding="utf-8") as file:
        cells = [row[0] for row in csv.reader(file)]
    assert name.startswith(("=", "+", "-", "@")) and f"'{name}" in cells, "the formula-like name is made inert"


def sandbox_processes(under: Path) -> list[str]:
    """Processes whose working folder (HOME, in their environment) lies under ``under``."""
    needle = f"HOME={under}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any(v.startswith(needle) for v in (entry / "environ").read_bytes().split(b"\0")):
                found.append(entry.name)
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_a_killed_grade_leaves_whole_files_and_a_rerun_completes(graded, tmp_path):
    submissions, out, scratch = tmp_path / "submissions", tmp_path / "out", tmp_path / "scratch"
    for folder in (submissions, scratch):
        folder.mkdir()
    for name in ("H23_corrupt_zip", "H24_broken_notebook", "L07_gradients_summed", "V01_reference_folder"):
        entry = graded.out.parent / "submissions" / name
        if entry.is_dir():
            shutil.copytree(entry, submissions / name)
        else:
            shutil.copy(entry.with_suffix(".zip"), submissions)
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out)]
    env = {**os.environ, **LIMITS, "TMPDIR": str(scratch)}  # this run's sandboxes live under scratch
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    while not sandbox_processes(scratch) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until a submission is being graded in its sandbox
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(1)
    assert sandbox_processes(scratch) == [], "sandboxes outlived the grader"
    for path in out.glob("*/results.json"):
        read_results_json(path)  # whole, or not there
    if (out / "grades.csv").exists():
        pd.read_csv(out / "grades.csv")
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(pd.read_csv(out / "grades.csv")) == 4


# -- case by case ----------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("case", BUGS, ids=case_id)
def test_bug_loses_points_in_its_function_only(graded, case):
    result = graded.result(case.name)
    lost = {f for f, (score, max_score) in result.by_function().items() if score < max_score}
    assert case.function in lost, f"{case.name}: the bug was not caught\n{failed_output(result)}"
    assert lost == {case.function}, f"{case.name}: other functions lost points\n{failed_output(result)}"
    if case.points is not None:
        score, max_score = result.by_function()[case.function]
        assert max_score - score == case.points, f"{case.name}: lost {max_score - score:g}, not {case.points:g}\n" \
            f"{failed_output(result)}"
    message = failed_output(result, case.function)
    assert re.search(case.message, message), f"{case.name}: expected /{case.message}/ in\n{message}"


@pytest.mark.slow
@pytest.mark.parametrize("case", VARIANTS, ids=case_id)
def test_correct_variant_scores_full_marks(graded, case):
    result = graded.result(case.name)
    assert result.score == result.max_score == 100, f"{case.name}: {case.why}\n{failed_output(result)}"


@pytest.mark.slow
@pytest.mark.parametrize("case", HOSTILE, ids=case_id)
def test_hostile_submission_gains_nothing(graded, case):
    skip_unless_graded(graded, case)
    result = graded.result(case.name)
    got = result.by_function()
    if case.base:
        honest = {f: score for f, (score, _) in graded.result(case.base).by_function().items()}
    else:
        honest = {f: max_score for f, (_, max_score) in got.items()}
    assert set(got) == set(honest), f"{case.name}: not every function was graded"
    gains = {f: (got[f][0], honest[f]) for f in got if got[f][0] > honest[f]}
    assert not gains, f"{case.name}: scored above the honest score of the same code: {gains}"
    spared = set(got) - functions_in(case.may_lose, got)
    changed = {f: (got[f][0], honest[f]) for f in spared if got[f][0] != honest[f]}
    assert not changed, f"{case.name}: functions it does not break were affected: {changed}\n{failed_output(result)}"
    kept = {f: got[f][0] for f in functions_in(case.must_lose, got) if got[f][0] != 0}
    assert not kept, f"{case.name}: should have lost every point of {kept}"
    if case.reason:
        assert re.search(case.reason, failed_output(result)), \
            f"{case.name}: expected /{case.reason}/ in\n{failed_output(result)}"


def test_corpus_is_in_step_with_the_solutions(tmp_path):
    """Every edit still applies exactly once (fast: builds, grades nothing)."""
    written = write_corpus(tmp_path, {"kit": KIT_ROOT, "mark": "x", "port": 9, "sleep": "1"})
    assert len(written) == len(BUGS) + len(VARIANTS) + len(HOSTILE)
    assert len(BUGS) >= 25 and len(HOSTILE) >= 15
    assert len({c.name for c in written.values()}) == len(written)
    bases = {c.base for c in HOSTILE if c.base}
    assert bases <= {b.name for b in BUGS}
