"""Per-submission costs in a warm grading process, interleaved with the floor.

``python benchmarks/drive.py grade --suite full --reps 7`` grades one warm-up submission (the
batch's fixed work: imports, the reference, scikit-learn's baselines, the sandbox probe), then
alternates: the floor (a subprocess), grading the reference submission as ``grade`` does (its
own sandbox, results written), and the same tests run by pytest in this process on modules
imported here (no sandbox: the peer that prices safety). It prints one JSON object.

Run as its own process (run.py does) so that its imports and caches are those of a real grader,
and so it can adopt and reap the sandbox's processes to count their CPU (see measure.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import measure  # noqa: E402
from benchmarks.submissions import write_submission  # noqa: E402


def count_launches(sandbox_class) -> list[int]:
    """Count the children ``Sandbox.launch`` starts (it starts one only when none is running),
    in the list returned."""
    starts = [0]
    original = sandbox_class.launch

    def counting_launch(self):
        starts[0] += self.process is None
        return original(self)

    sandbox_class.launch = counting_launch
    return starts


def grade(suite: str, reps: int) -> dict:
    from autograder.grading import baselines, grade_command, runner
    from autograder.paths import PUBLIC_TESTS
    from autograder.sandbox import parent
    from benchmarks.inprocess import InProcessStudent

    folders = runner.ALL_TESTS if suite == "full" else (PUBLIC_TESTS,)
    starts, callbacks = count_launches(parent.Sandbox), [0]
    original_answer = parent.Sandbox._answer

    def counting_answer(self, *args, **kwargs):
        callbacks[0] += 1
        return original_answer(self, *args, **kwargs)

    parent.Sandbox._answer = counting_answer
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        submission = write_submission(root / "submissions" / "reference", "reference")
        out = root / "out"
        out.mkdir()
        hide = (out, submission.parent)

        def sandboxed():
            if suite == "full":
                _, score = grade_command.grade_and_write(submission, "reference", out, hide)
            else:
                score = runner.grade_submission(submission, "reference", folders=folders, hide=hide).score
            scores.append(score)

        def inprocess():
            student = InProcessStudent(submission, runner.reference(), tag=f"peer{len(peer_scores)}")
            peer_scores.append(sum(t.score for t in runner.run_tests(student, runner.reference(), folders)))

        def pair():  # two in turn, as `grade -j 1` runs a batch: the second's child starts during the first
            pair_scores.extend(score for _, score in grade_command.grade_in_turn(
                {"reference": submission, "reference-2": submission}, out, hide))

        scores: list[float] = []
        peer_scores: list[float] = []
        pair_scores: list[float] = []
        measure.become_subreaper()
        warm = measure.run_here(sandboxed)
        starts[0] = callbacks[0] = 0
        floors, subjects, peers, marginals = [], [], [], []
        for _ in range(reps):
            floors.append(measure.floor_sample())
            subjects.append(measure.run_here(sandboxed))
            peers.append(measure.run_here(inprocess))
            if suite == "full":
                # A batch's second submission costs the pair minus one submission graded alone.
                two = measure.run_here(pair)
                marginals.append(measure.Sample(two.wall - subjects[-1].wall, two.cpu - subjects[-1].cpu))
    fits = baselines.baseline.cache_info().misses
    graded = reps * (3 if suite == "full" else 1)  # the full suite also grades a pair per rep
    return {"suite": suite, "reps": reps, "callbacks_per_submission": callbacks[0] / graded,
            "warm_up": asdict(warm), "floor": asdict(measure.median_sample(floors)),
            "sandboxed": asdict(measure.median_sample(subjects)),
            "in_turn": asdict(measure.median_sample(marginals)) if marginals else None,
            "pair_scores": sorted(set(pair_scores)),
            "inprocess": asdict(measure.median_sample(peers)),
            "sandbox_starts_per_submission": starts[0] / graded, "graded": graded + 1,
            "baseline_fits": fits, "scores": sorted(set(scores)), "peer_scores": sorted(set(peer_scores))}


def batch(size: int, kinds: tuple[str, ...]) -> dict:
    """``grade`` (-j 1) over ``size`` submissions cycling through ``kinds``, timed per submission.

    The verb's own ``run`` is called, with its ``grade_all`` generator wrapped so that the CPU
    (this process and the reaped sandboxes) and wall time between two results are recorded: the
    first result carries the batch's fixed work, the others are per-submission costs.
    """
    from autograder.grading import grade_command
    from benchmarks.submissions import write_batch

    measure.become_subreaper()
    costs: list[tuple[str, measure.Sample]] = []  # (kind, cost) in the order results came
    original = grade_command.grade_all

    def timed(*args, **kwargs):
        results = original(*args, **kwargs)
        while True:
            cpu, start = measure.total_cpu(), time.perf_counter()
            try:
                item = next(results)
            except StopIteration:
                return
            # The sandbox of the submission just graded has ended; the next one's, launched ahead,
            # is still running and is counted with that submission, when it ends.
            measure.reap_exited()
            kind = item[0].split("-", 1)[1]  # write_batch names them "s0007-<kind>"
            costs.append((kind, measure.Sample(time.perf_counter() - start, measure.total_cpu() - cpu)))
            yield item

    grade_command.grade_all = timed
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_batch(Path(scratch) / "batch", size, kinds)
        parser = argparse.ArgumentParser()
        grade_command.add_arguments(parser)  # the verb's own defaults, whatever options it grows
        args = parser.parse_args([str(folder), "--out", str(Path(scratch) / "out"), "-j", "1"])
        total = measure.run_here(lambda: grade_command.run(args))
        rows = len((Path(scratch) / "out" / "grades.csv").read_text().splitlines()) - 1
    if rows != size:
        raise RuntimeError(f"grades.csv has {rows} rows for {size} submissions")
    rest = costs[1:]
    third = max(len(kinds), len(rest) // 3)

    def mean(samples: list[tuple[str, measure.Sample]]) -> dict:
        """Mean over kinds of each kind's mean cost: every batch weighs the kinds alike."""
        by_kind: dict[str, list[measure.Sample]] = {}
        for kind, sample in samples:
            by_kind.setdefault(kind, []).append(sample)
        return {what: sum(sum(getattr(c, what) for c in v) / len(v) for v in by_kind.values()) / len(by_kind)
                for what in ("wall", "cpu")}

    kinds_seen = sorted({kind for kind, _ in rest})
    return {"size": size, "total": asdict(total), "first": asdict(costs[0][1]), "per_submission": mean(rest),
            "per_kind": {k: mean([(kind, c) for kind, c in rest if kind == k]) for k in kinds_seen},
            "first_third": mean(rest[:third]), "last_third": mean(rest[-third:]),
            "peak_mib": measure.peak_rss_mib(os.getpid())}


GRID = {"lr": [0.01, 0.03, 0.1, 0.3, 1.0], "batch_size": ["full", 64, 16, 4], "seed": [0, 1, 2, 3, 4, 5],
        "epochs": [50]}  # 5 x 4 x 6 = 120 configurations


def sweep(reps: int) -> dict:
    """The 120-configuration grid on breast cancer: sandboxed (-j 1, -j 2) against in-process.

    The in-process peer is the same ``sweep`` call with its ``runner`` hook giving an
    `InProcessStudent` (the reference imported here, no copies): the same configurations, the
    same evaluation, no sandbox. No learning curves and no files: the figure is the grid's.
    """
    import pandas as pd

    from autograder.experiments.sweep import sweep as run_sweep
    from autograder.paths import SOLUTIONS
    from autograder.sandbox import parent
    from benchmarks.inprocess import InProcessStudent

    starts = count_launches(parent.Sandbox)
    measure.become_subreaper()

    def inprocess(sources, callbacks):
        return InProcessStudent.from_sources(sources, callbacks, tag="sweep", copies=False)

    def grid(jobs: int, runner=None, **overrides):
        return run_sweep(SOLUTIONS, "logistic", **{**GRID, **overrides}, jobs=jobs, out=None, curves=0,
                         progress=False, runner=runner)

    grid(1, seed=[0], lr=[0.1])  # warm: imports, the task, the baselines, the isolation probe
    tables = {}

    def timed(name: str, jobs: int, runner=None):
        def run():
            tables[name] = grid(jobs, runner).table
        return run

    samples: dict[str, list] = {"inprocess": [], "sandboxed -j 1": [], "sandboxed -j 2": []}
    starts_per_sweep = {}
    for _ in range(reps):
        samples["inprocess"].append(measure.run_here(timed("inprocess", 1, inprocess)))
        for jobs in (1, 2):
            starts[0] = 0
            samples[f"sandboxed -j {jobs}"].append(measure.run_here(timed(f"sandboxed -j {jobs}", jobs)))
            starts_per_sweep[jobs] = starts[0]
    columns = [c for c in tables["inprocess"].columns if c != "wall_time"]
    for table in tables.values():
        pd.testing.assert_frame_equal(table[columns], tables["inprocess"][columns])  # the same numbers
    return {"configurations": len(tables["inprocess"]), "reps": reps,
            "sandbox_starts": {str(k): v for k, v in starts_per_sweep.items()},
            **{name: asdict(measure.median_sample(s)) for name, s in samples.items()}}


ECHO = """
import os, resource, struct
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
os.write(1, struct.pack("<d", cpu()))
while (b := os.read(0, 1)):
    os.write(1, b)
os.write(1, struct.pack("<d", cpu()))
"""


def pipe_round_trips(count: int) -> measure.Sample:
    """``count`` one-byte round trips with a plain echo process: the floor of a callback."""
    import struct
    import subprocess

    echo = subprocess.Popen([sys.executable, "-I", "-S", "-c", ECHO], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    read, write = echo.stdout.fileno(), echo.stdin.fileno()
    (child_start,) = struct.unpack("<d", os.read(read, 8))
    cpu, start = measure.cpu_self(), time.perf_counter()
    for _ in range(count):
        os.write(write, b"x")
        os.read(read, 1)
    wall, cpu = time.perf_counter() - start, measure.cpu_self() - cpu
    echo.stdin.close()
    (child_end,) = struct.unpack("<d", echo.stdout.read(8))
    echo.wait()
    return measure.Sample(wall / count, (cpu + child_end - child_start) / count)


def roundtrip(reps: int, epochs: int = 200) -> dict:
    """The cost of one callback into the reference, against a plain pipe round trip.

    The child runs linear ``gradient_descent`` on 4 rows with ``loss``, ``gradients`` and
    ``step`` swapped for the reference's: ``3·epochs + 1`` callbacks. The cost of a callback is
    the difference between ``epochs`` and 0 epochs (same child start, same call), over ``3·epochs``.
    """
    import numpy as np

    from autograder.grading import runner
    from autograder.paths import SOLUTIONS
    from autograder.sandbox.parent import Sandbox, Student
    from autograder.submission import read_submission

    measure.become_subreaper()
    sources = read_submission(SOLUTIONS).sources
    X, y = np.column_stack([np.ones(4), np.arange(4.0)]), np.array([0.5, 1.0, 2.5, 3.0])
    swap = ("loss", "gradients", "step", "predict", "gradient_ij")

    def session(n_epochs: int):
        def run():
            with Sandbox(sources, runner.reference()) as sandbox:
                Student(sandbox).call("linear_regression", "gradient_descent", X, y, epochs=n_epochs, swap=swap)
        return run

    session(1)()  # warm: imports, the isolation probe
    pipes, zero, many = [], [], []
    for _ in range(reps):
        pipes.append(pipe_round_trips(3 * epochs))
        zero.append(measure.run_here(session(0)))
        many.append(measure.run_here(session(epochs)))
    zero_m, many_m = measure.median_sample(zero), measure.median_sample(many)
    per_callback = measure.Sample((many_m.wall - zero_m.wall) / (3 * epochs), (many_m.cpu - zero_m.cpu) / (3 * epochs))
    return {"pipe": asdict(measure.median_sample(pipes)), "callback": asdict(per_callback), "reps": reps,
            "callbacks": 3 * epochs}


def reference_cost(reps: int) -> dict:
    """Wall time of the reference's own computations while the full suite grades the reference
    submission (every function and optimizer ``update`` of the three modules, outermost calls
    only): the most that recording the hidden tests' answers could save a one-shot grade."""
    import functools
    import inspect

    from autograder.grading import runner

    spent = {"wall": 0.0, "calls": 0}
    depth = [0]

    def timed(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            depth[0] += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    spent["wall"] += time.perf_counter() - start
                    spent["calls"] += 1
        return wrapper

    for module in runner.reference().modules.values():
        for name, value in list(vars(module).items()):
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                setattr(module, name, timed(value))
            elif inspect.isclass(value) and hasattr(value, "update"):
                value.update = timed(value.update)
    measure.become_subreaper()
    with tempfile.TemporaryDirectory() as scratch:
        submission = write_submission(Path(scratch) / "reference", "reference")
        walls = []
        for _ in range(reps):
            spent["wall"], spent["calls"] = 0.0, 0
            start = time.perf_counter()
            runner.grade_submission(submission, "reference")
            walls.append((spent["wall"], spent["calls"], time.perf_counter() - start))
    walls.sort()
    wall, calls, total = walls[len(walls) // 2]
    return {"reference_wall": wall, "calls": calls, "grade_wall": total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["grade", "roundtrip", "scale", "batch", "sweep", "reference-cost"])
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--kinds", nargs="+", default=["reference", "skeleton"])
    parser.add_argument("--suite", choices=["full", "public"], default="full")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    measure.install_capture()
    measure.become_subreaper()
    if args.what == "grade":
        report = grade(args.suite, args.reps)
    elif args.what == "sweep":
        report = sweep(args.reps)
    elif args.what == "batch":
        report = batch(args.size, tuple(args.kinds))
    elif args.what == "reference-cost":
        report = reference_cost(args.reps)
    elif args.what == "roundtrip":
        report = roundtrip(args.reps)
    else:
        from benchmarks import scale

        report = scale.run(args.reps, args.n, args.d, tuple(args.sizes))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
