"""Grade a class: every submission in its own sandbox, with a gradebook and a class report.

Each PATH is a submission (a folder holding the three modules or assignment.ipynb, a
notebook, a zip) or a folder of submissions (one per entry). For a submission NAME (the
entry's name without extension) it writes DIR/NAME/results.json (Gradescope's schema) and
DIR/NAME/feedback.md; for the batch DIR/grades.csv (one row per submission, total and
per-function columns) and DIR/report.html (the class report, self-contained).

Files are written atomically; rerunning over the same input gives the same grades. The
sandbox's guarantees on this machine are printed first (see the README for each setup).
With --scheduler, the grading runs on a Dask cluster's workers instead, each in the same
sandbox, with the same results (see the README's Scaling section).
Exit status: 0 when the batch completed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from autograder.errors import UserError
from autograder.grading.results import SubmissionResult
from autograder.grading.runner import grade_read, grade_submission, open_sandbox
from autograder.report.feedback import write_feedback
from autograder.report.gradebook import write_grades_csv
from autograder.report.html import write_report
from autograder.report.results_json import read_results_json, write_results_json
from autograder.sandbox.client import Sandbox
from autograder.sandbox.jail import isolation
from autograder.sandbox.limits import Limits
from autograder.submission import Submission, find_submissions, read_submission


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="a submission, or a folder of submissions")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to write the results")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="grade N submissions in parallel (default 1; -1 for one per core)")
    parser.add_argument("--leaderboard", action="store_true",
                        help="also train each student's gradient_descent with the course defaults and rank "
                             "the validation accuracy (Gradescope's leaderboard field and the report)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786) "
                             "instead of this machine; needs the 'distributed' extra")


def run(args: argparse.Namespace) -> int:
    Limits.from_environment()  # a bad AUTOGRADER_* limit is a one-line error here, not one per submission
    if args.jobs == 0 or args.jobs < -1:
        raise UserError(f"-j must be a positive number of jobs or -1 (one per core), got {args.jobs}")
    if args.scheduler and args.jobs != 1:
        raise UserError("-j and --scheduler: choose one (on a cluster, the workers set the parallelism)")
    submissions = name_submissions(find_submissions(args.paths))
    out = args.out.resolve()
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {args.out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    hide = (out, *(p.resolve() if p.is_dir() else p.resolve().parent for p in args.paths))
    with contextlib.ExitStack() as stack:
        if args.scheduler:
            from autograder.grading import distributed

            client = stack.enter_context(contextlib.closing(distributed.connect(args.scheduler)))
            print(distributed.check_workers(client), file=sys.stderr)
            graded = (write_result(result, out)
                      for result in distributed.grade_on_cluster(client, submissions, hide, args.leaderboard))
        else:
            print(isolation().summary(), file=sys.stderr)
            graded = grade_all(submissions, out, hide, args.jobs, args.leaderboard)
        for _ in tqdm(graded, total=len(submissions), desc="grading", unit="submission", file=sys.stderr):
            pass
    names = sorted(submissions)
    write_grades_csv(_read_all(out, names), out / "grades.csv")
    write_report(_read_all(out, names), out / "report.html")
    print(f"graded {len(names)} submission(s): {out / 'grades.csv'}, {out / 'report.html'}", file=sys.stderr)
    return 0


def grade_all(submissions: dict[str, Path], out: Path, hide: tuple[Path, ...], jobs: int,
              leaderboard: bool = False) -> Iterator[tuple[str, float]]:
    """Grade each submission into ``out/NAME``, in parallel; yields ``(name, score)`` as they finish."""
    if jobs == 1:
        yield from grade_in_turn(submissions, out, hide, leaderboard)
        return
    from joblib import Parallel, delayed  # 0.1-0.3 s to import: only for a pool

    tasks = (delayed(grade_and_write)(path, name, out, hide, leaderboard)
             for name, path in sorted(submissions.items()))
    yield from Parallel(n_jobs=jobs, return_as="generator_unordered")(tasks)


def grade_in_turn(submissions: dict[str, Path], out: Path, hide: tuple[Path, ...],
                  leaderboard: bool = False) -> Iterator[tuple[str, float]]:
    """Grade one submission after the other, each next one's sandbox starting (interpreter and
    numpy, on the other core) while the current one is graded (under bubblewrap)."""
    entries = sorted(submissions.items())
    upcoming = _read_ahead(*entries[0], hide) if entries else None
    try:
        for index, (name, path) in enumerate(entries):
            prepared = upcoming
            upcoming = _read_ahead(*entries[index + 1], hide) if index + 1 < len(entries) else None
            yield grade_and_write(path, name, out, hide, leaderboard, prepared)
    finally:
        if upcoming is not None:  # stopped early (Ctrl-C): no child left behind
            upcoming[1].close()


def _read_ahead(name: str, path: Path, hide: tuple[Path, ...]) -> tuple[Submission, Sandbox] | None:
    """The next submission and its sandbox, or None if either fails (`grade_and_write` then
    tries again and records why).

    The sandbox's child starts now only under bubblewrap, where the scratch folders are hidden
    from the student code running meanwhile; in plain mode a child user could rewrite the next
    submission's files while they wait (README, sandbox table), so its child starts when it is
    graded.
    """
    try:
        submission = read_submission(path, name)
        return submission, open_sandbox(submission, hide=hide, launch=isolation().mode == "bwrap")
    except Exception:  # noqa: BLE001
        return None


def grade_and_write(path: Path, name: str, out: Path, hide: tuple[Path, ...], leaderboard: bool = False,
                    prepared: tuple[Submission, Sandbox] | None = None) -> tuple[str, float]:
    """Grade one submission into ``out/NAME`` (``prepared``: it, already read, with its sandbox)."""
    try:
        if prepared is None:
            result = grade_submission(path, name, hide=hide, leaderboard=leaderboard)
        else:
            result = grade_read(prepared[0], hide=hide, leaderboard=leaderboard, sandbox=prepared[1])
    except Exception as error:  # noqa: BLE001  (a grader bug must not lose the submission from the gradebook)
        result = failed_result(name, error)
    return write_result(result, out)


def failed_result(name: str, error: Exception) -> SubmissionResult:
    """The gradebook entry of a submission the grader failed on (never the student's fault)."""
    return SubmissionResult(name, [], output=f"internal grading error ({type(error).__name__}: {error}); "
                                             "tell the course staff")


def write_result(result: SubmissionResult, out: Path) -> tuple[str, float]:
    """Write ``out/NAME/results.json`` and ``feedback.md``; returns ``(name, score)``."""
    folder = out / result.name
    folder.mkdir(exist_ok=True)
    write_results_json(result, folder / "results.json")
    write_feedback(result, folder / "feedback.md")
    return result.name, result.score


def name_submissions(paths: list[Path]) -> dict[str, Path]:
    """A safe, unique output name per submission: its entry's name without extension."""
    named: dict[str, Path] = {}
    for path in paths:
        stem = path.name if path.is_dir() else path.stem
        base = re.sub(r"[^\w.@+-]+", "_", stem).strip("._") or "submission"
        name, k = base, 2
        while name in named:
            name, k = f"{base}-{k}", k + 1
        named[name] = path
    return named


def _read_all(out: Path, names: list[str]) -> Iterator[SubmissionResult]:
    for name in names:
        yield read_results_json(out / name / "results.json")
