"""One submission graded in a fresh process (a Gradescope container): nothing that does not
depend on the submission is recomputed, one probe child both proves the sandbox and hunts for
the answers, and the grader's own set-up (pytest's import, its collection) overlaps the
children's start.

No timing here (benchmarks/ measures): these prove what the process does and does not do.
"""

import json
import os
import subprocess
import sys

from autograder.grading import results as graded
from autograder.paths import KIT_ROOT, MODULES, SOLUTIONS
from autograder.report.html import render_report

# Run as Gradescope's run_autograder does, noting which heavy modules the grader imported,
# which thread launched the submission's child, and whether pytest's import had been started in
# the background before the probe's child was.
ONE_SHOT = """
import sys, threading
from autograder.grading import runner
from autograder.sandbox import jail, parent, proof
seen, probes = [], []
launch, real_probe = parent.Sandbox.launch, jail.probe
def noting_launch(self):
    seen.append([threading.current_thread().name, "pytest" in sys.modules])
    return launch(self)
def noting_probe(backend, *args, hunt=None, **kwargs):
    before = runner._PRELOAD is not None  # pytest's import started first (no timing: ordering)
    started = real_probe(backend, *args, hunt=hunt, **kwargs)
    if started is not None:  # candidates that do not start here are tried first
        probes.append([hunt is not None and hunt.reached is not None, before])
    return started
parent.Sandbox.launch = noting_launch
jail.probe = proof.probe = noting_probe
from autograder.grading import gradescope_entry
gradescope_entry.main()
heavy = sorted(m for m in ("sklearn", "pandas", "scipy", "matplotlib", "joblib") if m in sys.modules)
print("REPORT", heavy, seen, "PROBES", probes)
"""


def test_a_gradescope_container_reads_the_recordings_and_starts_the_child_first(tmp_path):
    upload = tmp_path / "submission"
    upload.mkdir()
    for module in MODULES:
        (upload / f"{module}.py").write_bytes((SOLUTIONS / f"{module}.py").read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", ONE_SHOT], env=env, cwd=KIT_ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written["score"] == 100.0 and len(written["tests"]) > 50
    # The hidden scikit-learn tests ran against the recorded baselines: no scikit-learn, pandas
    # or scipy in the grader; matplotlib and joblib are the class report's and the pool's.
    report, probes = done.stdout.split("REPORT", 1)[1].split("PROBES")
    heavy, seen = report.split(None, 1)
    assert heavy == "[]", done.stdout
    # Two children: one probe, which proves that the backend starts and hunts for the answers
    # (grading fails closed: `proof.guard_grading`), started after pytest's import began in the
    # background; then the submission's, launched in the background while pytest collects.
    assert probes.split() == ["[[True,", "True]]"], done.stdout
    assert seen.strip() == "[['sandbox-prestart', True]]", done.stdout


def _result(name: str, passed: bool) -> graded.SubmissionResult:
    return graded.SubmissionResult(name, [graded.TestResult(name="optimizers.Adam: matches", function="optimizers.Adam",
                                              score=1.0 if passed else 0.0, max_score=1.0, visibility="visible",
                                              output="" if passed else "optimizers.Adam: wrong")])


def test_the_report_of_one_submission_has_its_tables_and_no_charts():
    """One submission: no histogram of one score and no chart of rates that are 0 or 100 %
    (the tables say it); two: both charts."""
    one = render_report([_result("alice", False)])
    assert "<img" not in one
    assert "optimizers.Adam" in one and "0 / 1" in one  # its failure and its pass rate, in tables
    two = render_report([_result("alice", False), _result("bob", True)])
    assert two.count("<img") == 1 and "1 / 2" in two  # the histogram; pass rates are a table
