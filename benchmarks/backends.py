"""Issue 13's figures, per sandbox backend that starts here: what a user waits for.

- **one-shot**: ``grade`` of one submission in a fresh process, and Gradescope's
  ``run_autograder`` (the script in the built zip) in a throwaway ``AUTOGRADER_ROOT``, against
  the floor; with what each part of it costs, each in a process of its own;
- **check** on a complete submission;
- **marginal cost** of one more submission in a batch, ``(T(16) − T(1)) / 15`` of the whole
  ``grade`` command;
- **speed-up** of ``-j 2`` over ``-j 1``.

A backend is forced with ``AUTOGRADER_SANDBOX`` in the measured command's environment. Grading
runs where a TA's would (`grading_setup`): plain as root in a Gradescope image where this
machine's Python is out of the user nobody's reach (tests/gradescope_image.py), and
``--allow-unsafe`` only where grading in that backend can never be proven safe (local, plain
as another user), which the rows' labels then say. Every subject runs interleaved with the
floor and the medians are compared (measure.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from autograder.paths import KIT_ROOT, SOLUTIONS
from benchmarks import measure, submissions
from benchmarks.rows import Row, ratio_row, seconds

sys.path.insert(0, str(KIT_ROOT / "tests"))
from gradescope_image import image_prefix  # noqa: E402

BACKENDS = ("bwrap", "plain", "local")
PYTHON = sys.executable
# Published figures (issue 13), not measured here: Otter's `otter run` and nbgrader's
# `autograde` on one notebook with a 5-case test file.
ANCHORS = {"Otter `otter run`": 6.9, "nbgrader `autograde`": 3.75}


def available() -> list[str]:
    """The backends that start on this machine (``AUTOGRADER_SANDBOX=NAME`` gives that one)."""
    found = []
    for name in BACKENDS:
        probe = subprocess.run([PYTHON, "-c", "from autograder.sandbox import jail; print(jail.isolation().mode)"],
                               env={**os.environ, "AUTOGRADER_SANDBOX": name}, capture_output=True, text=True,
                               cwd=KIT_ROOT)
        if probe.returncode == 0 and probe.stdout.split()[-1:] == [name]:
            found.append(name)
    return found


def _env(backend: str) -> dict[str, str]:
    return {**os.environ, "AUTOGRADER_SANDBOX": backend}


def grading_setup(backend: str) -> tuple[list[str], list[str], str]:
    """How a grading command runs with ``backend`` here: ``(prefix, extra arguments, label)``.

    Plain grades safely only as root with a Python the user nobody can run (as in Gradescope's
    image): the command runs in such an image when this machine's Python is not. Local never
    proves safe, nor plain as another user: those grade with ``--allow-unsafe``.
    """
    if backend == "bwrap":
        return [], [], ""
    if backend == "plain" and os.geteuid() == 0:
        prefix = image_prefix()
        if prefix is not None:
            return prefix, [], ", in a Gradescope image" if prefix else ""
    return [], ["--allow-unsafe"], ", --allow-unsafe"


def _medians(subjects: dict[str, Callable[[], measure.Sample]], reps: int) -> dict[str, measure.Sample]:
    """Every subject once per repetition after the floor, in turn; medians."""
    samples: dict[str, list[measure.Sample]] = {"floor": [], **{name: [] for name in subjects}}
    for _ in range(reps):
        samples["floor"].append(measure.floor_sample())
        for name, subject in subjects.items():
            samples[name].append(subject())
    return {name: measure.median_sample(values) for name, values in samples.items()}


def _as_dict(sample: measure.Sample) -> dict:
    return {"wall": sample.wall, "cpu": sample.cpu}


# -- one-shot ------------------------------------------------------------------------------

class GradescopeImage:
    """The Gradescope zip as a container sees it: ``source/`` unpacked once; each run gets a
    throwaway ``AUTOGRADER_ROOT`` with a copy of it, the submission and an empty results folder."""

    def __init__(self, scratch: Path) -> None:
        from autograder.release.bundle import PRECOMPILE, build_gradescope_zip

        self.scratch = scratch
        archive = scratch / "autograder.zip"
        build_gradescope_zip(archive)  # records what does not depend on a submission, as staff do
        self.image = scratch / "image"
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(self.image)
        # as setup.sh does when Gradescope builds the image (copies keep the sources' times)
        subprocess.run([PYTHON, *PRECOMPILE], cwd=self.image / "source", check=True)
        self.submission = submissions.write_submission(scratch / "upload", "reference")
        self.runs = 0

    def run(self, backend: str) -> measure.Sample:
        root = self.scratch / f"root-{self.runs}"
        self.runs += 1
        shutil.copytree(self.image / "source", root / "source")
        shutil.copytree(self.submission, root / "submission")
        # run_autograder calls python3: this interpreter's folder first on PATH (not a link in
        # /tmp, which bubblewrap hides from the child).
        bin_dir = Path(PYTHON).parent
        if not (bin_dir / "python3").exists():
            raise RuntimeError(f"no python3 next to {PYTHON}: run_autograder cannot be measured")
        env = {**_env(backend), "AUTOGRADER_ROOT": str(root), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        prefix, extra, _ = grading_setup(backend)
        if extra:
            raise RuntimeError(f"run_autograder cannot grade with {backend} here (it takes no {' '.join(extra)})")
        sample = measure.run_command([*prefix, "bash", str(self.image / "run_autograder")], env=env)
        results = (root / "results" / "results.json").read_text()
        if '"score": 100.0' not in results:
            raise RuntimeError(f"run_autograder did not give the reference 100 points: {results[:500]}")
        shutil.rmtree(root)
        return sample


def _grade_one(backend: str, submission: Path, scratch: Path) -> Callable[[], measure.Sample]:
    prefix, extra, _ = grading_setup(backend)

    def run() -> measure.Sample:
        out = scratch / "out-one"
        shutil.rmtree(out, ignore_errors=True)
        sample = measure.run_command([*prefix, PYTHON, "-m", "autograder", "grade", str(submission), "--out", str(out),
                                      *extra], cwd=KIT_ROOT, env=_env(backend))
        if "100" not in (out / "grades.csv").read_text().splitlines()[1]:
            raise RuntimeError(f"grade did not give the reference 100 points: {(out / 'grades.csv').read_text()}")
        return sample
    return run


def _python(code: str, backend: str) -> Callable[[], measure.Sample]:
    """``python -c code`` where ``backend`` grades (in the image for plain as root)."""
    prefix = grading_setup(backend)[0]
    return lambda: measure.run_command([*prefix, PYTHON, "-c", code], cwd=KIT_ROOT, env=_env(backend))


REPORT_ONE = """
from pathlib import Path
from autograder.report.html import write_report
from autograder.report.results_json import read_results_json
write_report([read_results_json(Path({results!r}))], Path({out!r}))
"""


def oneshot(backend: str, reps: int, reference_cost: dict | None = None) -> tuple[list[Row], dict]:
    """One submission in a fresh process, whole command, with its parts; returns the rows and
    the figures other sections compare against."""
    prefix, unsafe, label = grading_setup(backend)
    t = f"1 one-shot [{backend}{label}]"
    with tempfile.TemporaryDirectory() as name:
        scratch = Path(name)
        image = GradescopeImage(scratch)
        submission = submissions.write_submission(scratch / "one" / "reference", "reference")
        grade_one = _grade_one(backend, submission, scratch)
        grade_one()  # a results.json for the report's part
        results = scratch / "out-one" / "reference" / "results.json"
        shutil.copyfile(results, scratch / "results.json")
        subjects = {
            **({} if unsafe else {"gradescope": lambda: image.run(backend)}),  # Gradescope takes no --allow-unsafe
            "grade": grade_one,
            "imports": _python("import autograder.grading.gradescope_entry", backend),
            "pytest": _python("import autograder.grading.gradescope_entry, pytest, autograder.grading.plugin", backend),
            "jail": _python("from autograder.sandbox import jail", backend),
            "probe": _python("from autograder.sandbox import jail; jail.isolation()", backend),
            "recorded": _python("from autograder.grading.baselines import baseline\n"
                                "for name in ('logistic', 'linear'): baseline(name)", backend),
            "fitted": _python("from autograder.grading.baselines import fit_baseline\n"
                              "for name in ('logistic', 'linear'): fit_baseline(name)", backend),
            "report": _python(REPORT_ONE.format(results=str(scratch / "results.json"),
                                                out=str(scratch / "report.html")), backend),
            **({"wrapped": lambda: measure.run_command([*prefix, *measure.FLOOR])} if prefix else {}),
        }
        m = _medians(subjects, reps)
    f, gs, grade = m["floor"], m.get("gradescope"), m["grade"]
    rows = []
    if gs is not None:
        rows += [ratio_row(t, "Gradescope run_autograder, one submission, fresh AUTOGRADER_ROOT: wall", _as_dict(gs),
                           _as_dict(f), "wall", 10),
                 ratio_row(t, "... CPU (every process)", _as_dict(gs), _as_dict(f), "cpu", None)]
    else:
        rows.append(Row(t, "Gradescope run_autograder", f"not measured: {backend} grading is never proven safe "
                        "here, and run_autograder takes no --allow-unsafe"))
    rows += [
        ratio_row(t, "grade of one submission in a fresh process (results, feedback, grades.csv, report.html): wall",
                  _as_dict(grade), _as_dict(f), "wall", 10),
        ratio_row(t, "... CPU (every process)", _as_dict(grade), _as_dict(f), "cpu", None),
    ]
    one = gs or grade
    for anchor, figure in ANCHORS.items():
        rows.append(Row(t, f"published anchor (not measured here): {anchor} {figure:g} s over "
                        f"{'run_autograder' if gs else 'grade'}'s wall", f"{figure:g} s",
                        f"{'run_autograder' if gs else 'grade'} {seconds(one, 'wall')}", figure / one.wall))
    parts = [
        ("interpreter and numpy (the floor itself)", f.wall, f.cpu),
        ("the grader's imports (gradescope_entry, without pytest)", m["imports"].wall - f.wall,
         m["imports"].cpu - f.cpu),
        ("pytest and the grading plugin (imported while the child starts)", m["pytest"].wall - m["imports"].wall,
         m["pytest"].cpu - m["imports"].cpu),
        ("the sandbox probe (jail.isolation(), minus importing jail)", m["probe"].wall - m["jail"].wall,
         m["probe"].cpu - m["jail"].cpu),
        ("scikit-learn baselines read from the recording", m["recorded"].wall - f.wall, m["recorded"].cpu - f.cpu),
        ("... fitted live instead (what the recording saves)", m["fitted"].wall - f.wall, m["fitted"].cpu - f.cpu),
        ("grade's report.html of one submission (import matplotlib, draw two charts)", m["report"].wall - f.wall,
         m["report"].cpu - f.cpu),
    ]
    if prefix:
        parts.append(("the image's wrapper (bubblewrap around the floor; not paid on Gradescope)",
                      m["wrapped"].wall - f.wall, m["wrapped"].cpu - f.cpu))
    if gs is not None:
        parts.append(("grade over run_autograder (report, gradebook, the verb's imports)", grade.wall - gs.wall,
                      grade.cpu - gs.cpu))
    for label, wall, cpu in parts:
        rows.append(Row(t, f"part: {label}: wall", f"{wall:.3f} s wall", f"CPU {cpu:.3f} s", wall / f.wall))
    if reference_cost is not None:
        rows.append(Row(t, f"part: the reference's own computations ({reference_cost['calls']} calls), the most "
                        "recording the hidden tests' answers could save: wall",
                        f"{reference_cost['reference_wall']:.3f} s wall",
                        f"grade_submission {reference_cost['grade_wall']:.3f} s wall",
                        reference_cost["reference_wall"] / f.wall))
    return rows, {"floor": f}


# -- check ---------------------------------------------------------------------------------

def check(backend: str, reps: int) -> list[Row]:
    t = f"4 check [{backend}]"
    command = [PYTHON, "-m", "autograder", "check", str(SOLUTIONS)]
    m = _medians({"check": lambda: measure.run_command(command, cwd=KIT_ROOT, env=_env(backend))}, reps)
    s, f = m["check"], m["floor"]
    return [Row(t, "check on a complete submission: wall", seconds(s, "wall"), f"floor {seconds(f, 'wall')}",
                s.wall / f.wall, "< 1 s", s.wall < 1),
            ratio_row(t, "... CPU", _as_dict(s), _as_dict(f), "cpu", None)]


# -- batches -------------------------------------------------------------------------------

KINDS = (*submissions.KINDS, "skeleton")


def grade_batch(backend: str, batch: Path, jobs: int, scratch: Path) -> measure.Sample:
    """The whole ``grade`` command over ``batch``, forced to ``backend``."""
    out = scratch / f"out-{batch.name}-j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    prefix, extra, _ = grading_setup(backend)
    command = [*prefix, PYTHON, "-m", "autograder", "grade", str(batch), "--out", str(out), "-j", str(jobs), *extra]
    sample = measure.run_command(command, cwd=KIT_ROOT, env=_env(backend))
    rows = len((out / "grades.csv").read_text().splitlines()) - 1
    if rows != len(list(batch.iterdir())):
        raise RuntimeError(f"{out}/grades.csv has {rows} rows for {len(list(batch.iterdir()))} submissions")
    shutil.rmtree(out)
    return sample


# The submission's own training runs, which no grader can skip: the hidden tests run its
# gradient_descent on both real data sets with the course's defaults (test_hidden_sklearn).
TRAIN = """
import sys
sys.path.insert(0, {solutions!r})
from autograder.grading.baselines import baseline
import linear_regression, logistic_regression
for name, module in (("linear", linear_regression), ("logistic", logistic_regression)):
    task = baseline(name).task
    if {train}:
        module.gradient_descent(task.X_train, task.y_train, **task.defaults)
"""


def marginal(backend: str, reps: int, size: int = 16) -> list[Row]:
    """``(T(size) − T(1)) / (size − 1)`` of the whole ``grade -j 1``: the target on batches of
    the reference (the issue's figure), and for information on batches cycling through the
    reference, three known bugs and the skeleton (failing tests cost more than passing ones)."""
    t = f"2 marginal [{backend}{grading_setup(backend)[2]}]"
    mixes = {"the reference": (("reference",), 4), "reference, 3 bugs, skeleton": (KINDS, None)}
    rows = []
    with tempfile.TemporaryDirectory() as name:
        scratch = Path(name)
        for mix, (kinds, limit) in mixes.items():
            one = submissions.write_batch(scratch / "batch-1", 1, kinds)
            many = submissions.write_batch(scratch / f"batch-{size}", size, kinds)
            m = _medians({"one": partial(grade_batch, backend, one, 1, scratch),
                          "many": partial(grade_batch, backend, many, 1, scratch)}, reps)
            f = m["floor"]
            per = {what: (getattr(m["many"], what) - getattr(m["one"], what)) / (size - 1) for what in ("wall", "cpu")}
            rows += [
                ratio_row(t, f"one more submission in a batch of {mix}, (T({size}) - T(1)) / {size - 1}, -j 1: wall",
                          per, _as_dict(f), "wall", limit),
                ratio_row(t, "... CPU", per, _as_dict(f), "cpu", limit),
                Row(t, f"... T(1), T({size}): wall", f"{m['one'].wall:.2f} s, {m['many'].wall:.2f} s",
                    f"floor {seconds(f, 'wall')}"),
            ]
    m = _medians({train: partial(measure.run_command, [PYTHON, "-c", TRAIN.format(solutions=str(SOLUTIONS),
                                                                                   train=train)], cwd=KIT_ROOT)
                  for train in (True, False)}, reps)
    wall, cpu = m[True].wall - m[False].wall, m[True].cpu - m[False].cpu
    rows.append(Row(t, "part: the reference's own training runs in it (gradient_descent with the course's defaults "
                    "on both data sets, in-process): wall", f"{wall:.3f} s wall", f"CPU {cpu:.3f} s",
                    wall / m["floor"].wall))
    return rows


BUSY = "import time\nend = time.process_time() + 1.5\nwhile time.process_time() < end: pass"


def parallel_capacity() -> float:
    """How many cores this machine gives right now: two CPU-bound processes one after the
    other, then together (ideal: 2.0; other users' work lowers it)."""
    import time

    busy = [PYTHON, "-I", "-S", "-c", BUSY]
    start = time.perf_counter()
    for _ in range(2):
        subprocess.run(busy, check=True)
    sequential = time.perf_counter() - start
    start = time.perf_counter()
    for process in [subprocess.Popen(busy) for _ in range(2)]:
        process.wait()
    return sequential / (time.perf_counter() - start)


def speedup(backend: str, sizes: tuple[int, ...]) -> list[Row]:
    """The whole ``grade`` command at -j 1 and -j 2 on the same batch, with the machine's capacity."""
    t = f"3 -j 2 [{backend}{grading_setup(backend)[2]}]"
    if len(os.sched_getaffinity(0)) < 2:
        return [Row(t, "speed-up of -j 2", "not measured: fewer than two cores")]
    rows = []
    for size in sizes:
        capacities = [parallel_capacity()]
        with tempfile.TemporaryDirectory() as name:
            scratch = Path(name)
            batch = submissions.write_batch(scratch / "batch", size, KINDS)
            one = grade_batch(backend, batch, 1, scratch)
            capacities.append(parallel_capacity())
            two = grade_batch(backend, batch, 2, scratch)
        capacities.append(parallel_capacity())
        rows += [
            Row(t, f"speed-up of -j 2 over -j 1, whole command, {size} submissions (wall)", seconds(two, "wall"),
                f"-j 1 {seconds(one, 'wall')}", one.wall / two.wall, ">= 1.8", one.wall / two.wall >= 1.8),
            Row(t, "... the machine's parallel capacity meanwhile (2 busy loops together vs in turn)",
                f"{min(capacities):.2f} to {max(capacities):.2f}", limit="2 ideal"),
            Row(t, "... CPU of -j 2 over -j 1", seconds(two), f"-j 1 {seconds(one)}", two.cpu / one.cpu),
            # -j 1 already keeps part of the second core busy (the next child starts meanwhile):
            # two cores cannot run its CPU faster than CPU / 2.
            Row(t, "... the most two cores allow: 2 x wall / CPU of -j 1", f"{2 * one.wall / one.cpu:.2f}",
                f"-j 1 CPU / wall {one.cpu / one.wall:.2f}"),
        ]
    return rows
