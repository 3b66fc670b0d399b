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
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import measure  # noqa: E402
from benchmarks.submissions import write_submission  # noqa: E402


def without_pycache_prefix() -> None:
    """Start children without ``-X pycache_prefix`` (numpy's installed bytecode is then used)."""
    from autograder.sandbox import jail

    original = jail.command

    def command(*args, **kwargs):
        argv = original(*args, **kwargs)
        for i, item in enumerate(argv):
            if item.startswith("pycache_prefix=") and argv[i - 1] == "-X":
                return argv[:i - 1] + argv[i + 1:]
        return argv

    jail.command = command


def grade(suite: str, reps: int, variant: str) -> dict:
    from autograder.grading import baselines, grade_command, runner
    from autograder.paths import PUBLIC_TESTS
    from autograder.sandbox import client
    from benchmarks.inprocess import InProcessStudent

    if variant == "no-pycache-prefix":
        without_pycache_prefix()
    folders = runner.ALL_TESTS if suite == "full" else (PUBLIC_TESTS,)
    starts = [0]
    original_start = client.Sandbox.start

    def counting_start(self):
        starts[0] += 1
        return original_start(self)

    client.Sandbox.start = counting_start
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

        scores: list[float] = []
        peer_scores: list[float] = []
        measure.become_subreaper()
        warm = measure.run_here(sandboxed)
        starts[0] = 0
        floors, subjects, peers = [], [], []
        for _ in range(reps):
            floors.append(measure.floor_sample())
            subjects.append(measure.run_here(sandboxed))
            peers.append(measure.run_here(inprocess))
    fits = baselines.baseline.cache_info().misses
    return {"suite": suite, "variant": variant, "reps": reps, "warm_up": asdict(warm),
            "floor": asdict(measure.median_sample(floors)), "sandboxed": asdict(measure.median_sample(subjects)),
            "inprocess": asdict(measure.median_sample(peers)),
            "sandbox_starts_per_submission": starts[0] / reps, "graded": reps + 1,
            "baseline_fits": fits, "scores": sorted(set(scores)), "peer_scores": sorted(set(peer_scores))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["grade"])
    parser.add_argument("--suite", choices=["full", "public"], default="full")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--variant", choices=["current", "no-pycache-prefix"], default="current")
    args = parser.parse_args()
    print(json.dumps(grade(args.suite, args.reps, args.variant)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
