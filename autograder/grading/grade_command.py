"""Grade a class: every submission in its own sandbox, with a gradebook and a class report.

Each PATH is a submission (a folder holding the three modules or assignment.ipynb, a
notebook, a zip) or a folder of submissions (one per entry). For a submission NAME (the
entry's name without extension) it writes DIR/NAME/results.json (Gradescope's schema) and
DIR/NAME/feedback.md; for the batch DIR/grades.csv (one row per submission, total and
per-function columns) and DIR/report.html (the class report, self-contained).

DIR is a gradebook: grading into it again updates the rows of the submissions graded and keeps
every other row (grades.csv and report.html are rebuilt from every result stored in DIR). A
submission whose result is current (same bytes, same kit, same options) is not graded again,
so a stopped batch is continued by running the same command; --fresh starts over.

Every submission is accounted for: grades.csv has a status (graded, partial, unreadable,
empty, timeout, error, interrupted, missing) and a reason per row, and every row that is not
"graded" is printed, then the count per status.

Ctrl-C or SIGTERM stops the batch: the sandboxes are stopped and removed, what is graded is
kept, the rest is marked interrupted, and grades.csv and report.html are written.

Files are written atomically; rerunning over the same input gives the same grades. The
sandbox's guarantees on this machine are printed first (see the README for each setup).
With --scheduler, the grading runs on a Dask cluster's workers instead, each in the same
sandbox, with the same results (see the README's Scaling section).

Exit status: 0 when the batch completed, even if some submissions are unreadable, empty or
partial (their status says so, and the summary counts them); 130 when it was interrupted
(run the same command to finish it); 2 for bad input (a bad path, option or roster).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from autograder import validation
from autograder.errors import UserError
from autograder.grading.distributed import kit_fingerprint
from autograder.grading.results import SubmissionResult, failed_result, interrupted_result, status_counts
from autograder.grading.runner import grade_read, grade_submission, open_sandbox, preload_pytest
from autograder.report.feedback import write_feedback
from autograder.report.gradebook import (
    check_gradebook_folder,
    clear_gradebook,
    stored_fingerprint,
    stored_names,
    write_gradebook,
)
from autograder.report.lms_export import DEFAULT_ASSIGNMENT, FORMATS, export_path
from autograder.report.results_json import write_results_json
from autograder.report.roster import Roster, keep_roster, read_roster, stored_roster, unclaimed
from autograder.sandbox.jail import isolation, remove_stale_scratch
from autograder.sandbox.limits import Limits
from autograder.sandbox.parent import Sandbox
from autograder.sandbox.proof import guard_grading
from autograder.sandbox.scratch import remove_own_scratch
from autograder.submission import Submission, find_submissions, fingerprint, name_submissions, read_submission


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
    parser.add_argument("--allow-unsafe", action="store_true",
                        help="grade even where a probe child reaches the solutions, the hidden tests or the "
                             "network (refused otherwise); written into every results.json and the report")
    parser.add_argument("--roster", type=Path, metavar="CSV",
                        help="the class list: a CSV with a 'submission' column (the submission's name) and any "
                             "others (student_id, email, name...), copied into grades.csv; a student without a "
                             "submission gets a 'missing' row. Kept in DIR for later runs")
    parser.add_argument("--export", action="append", choices=FORMATS, default=[], metavar="LMS",
                        help="also write DIR/LMS-import.csv, the grade-import file of canvas or moodle "
                             "(repeatable; needs a roster; columns in the README)")
    parser.add_argument("--assignment", default=DEFAULT_ASSIGNMENT, metavar="NAME",
                        help="the assignment's column name in the --export file (default: %(default)s)")
    parser.add_argument("--fresh", action="store_true",
                        help="start the gradebook in DIR over: remove its stored results first "
                             "(default: keep them, grade only what is new or changed)")
    parser.add_argument("--similarity", action="store_true",
                        help="also compare every pair of submissions for copied code: DIR/similarity.csv and "
                             "DIR/similarity.html, linked from the report (see the `similarity` verb)")


def run(args: argparse.Namespace) -> int:
    Limits.from_environment()  # a bad AUTOGRADER_* limit is a one-line error here, not one per submission
    args.jobs = validation.jobs(args.jobs) if args.jobs != 1 else 1
    if args.scheduler and args.jobs != 1:
        raise UserError("-j and --scheduler: choose one (on a cluster, the workers set the parallelism)")
    submissions = name_submissions(find_submissions(args.paths))
    out = args.out.resolve()
    roster = open_gradebook(out, args.roster, args.export, args.fresh)
    kit = kit_fingerprint()
    prints = {name: fingerprint(path, kit, f"leaderboard={args.leaderboard}") for name, path in submissions.items()}
    todo = {name: path for name, path in submissions.items() if stored_fingerprint(out, name) != prints[name]}
    if len(todo) < len(submissions):
        print(f"{len(submissions) - len(todo)} submission(s) unchanged since they were graded: kept "
              "(--fresh grades everything again)", file=sys.stderr)
    hide = (out, *(p.resolve() if p.is_dir() else p.resolve().parent for p in args.paths))
    finished, stopped = grade_batch(args, todo, out, hide, prints)
    if args.similarity and not stopped:
        from autograder.similarity.command import write_similarity

        write_similarity(submissions, out)
    rows = write_gradebook(out, roster, args.export, args.assignment)
    print_summary(rows, out, graded=len(finished), stopped=stopped)
    if roster is not None and (strays := unclaimed(stored_names(out), roster)):
        print(f"{len(strays)} submission(s) match no student of the roster: {', '.join(strays)}", file=sys.stderr)
    for kind in args.export:
        print(f"wrote {export_path(out, kind)}", file=sys.stderr)
    return 130 if stopped else 0


def open_gradebook(out: Path, roster_path: Path | None, exports: list[str], fresh: bool) -> Roster | None:
    """Make ``out`` ready to grade into; returns the roster (given, else the one kept there)."""
    check_gradebook_folder(out)
    roster = read_roster(roster_path) if roster_path else stored_roster(out) if out.is_dir() else None
    if exports and roster is None:
        raise UserError("--export needs a roster (--roster CSV): the LMS knows students by its ids, not by folder")
    out.mkdir(parents=True, exist_ok=True)
    if roster_path:
        keep_roster(roster, out)
    if fresh:
        clear_gradebook(out)
    return roster


def grade_batch(args: argparse.Namespace, todo: dict[str, Path], out: Path, hide: tuple[Path, ...],
                prints: dict[str, str]) -> tuple[set[str], bool]:
    """Grade ``todo`` into ``out``, here or on the cluster; returns (the names graded, stopped?).

    Stopped by Ctrl-C or SIGTERM: what is graded stays, the rest gets an ``interrupted`` result,
    and the scratch folders of pool workers stopped mid-grading are removed.
    """
    if not todo:
        return set(), False
    finished: set[str] = set()
    with contextlib.ExitStack() as stack:
        stop = stack.enter_context(_stop_on_signals())
        try:
            if args.scheduler:
                from autograder.grading import distributed

                client = stack.enter_context(contextlib.closing(distributed.connect(args.scheduler)))
                print(distributed.check_workers(client, args.allow_unsafe), file=sys.stderr)
                graded = (write_result(result, out, prints[result.name])
                          for result in distributed.grade_on_cluster(client, todo, hide, args.leaderboard))
            else:
                if args.jobs == 1:  # this process runs the tests: pytest loads while the probe starts
                    preload_pytest()
                guard_grading(args.allow_unsafe, hide)  # before the first submission: answers out of reach, or stop
                print(isolation().summary(), file=sys.stderr)
                graded = grade_all(todo, out, hide, args.jobs, args.leaderboard, prints)
            for name, _ in tqdm(graded, total=len(todo), desc="grading", unit="submission", file=sys.stderr):
                finished.add(name)
        except KeyboardInterrupt:
            stop.set()
    if not stop.is_set():
        return finished, False
    # What is on disk with its current fingerprint is done, even if the stop came before it was counted.
    finished = {name for name in todo if stored_fingerprint(out, name) == prints[name]}
    for name in sorted(set(todo) - finished):
        write_result(interrupted_result(name), out, "")
    remove_stale_scratch.__wrapped__()  # a pool worker stopped mid-grading could not remove its own
    remove_own_scratch()  # nor could a sandbox this process was setting up when the stop came
    return finished, True


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """Turn SIGTERM into Ctrl-C for the duration, and record that either came.

    pytest catches KeyboardInterrupt inside a submission's tests (and reports the session as
    failed), so the event, not the exception, is what says the batch must stop.
    """
    stop = threading.Event()

    def handler(signum, frame):
        stop.set()
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    global _STOP
    _STOP = stop
    try:
        yield stop
    finally:
        _STOP = None
        for sig, old in previous.items():
            signal.signal(sig, old)


_STOP: threading.Event | None = None  # set while `run` grades in this process: a stop was asked for


def print_summary(statuses: list[tuple[str, str, str]], out: Path, graded: int, stopped: bool) -> None:
    """One line per row of the gradebook that is not ``graded``, then the count per status."""
    for name, status, reason in statuses:
        if status != "graded":
            print(f"{status:<11} {name}: {reason or '-'}", file=sys.stderr)
    counts = ", ".join(f"{n} {s}" for s, n in status_counts([s for _, s, _ in statuses]).items())
    verb = "stopped after grading" if stopped else "graded"
    print(f"{verb} {graded} submission(s); gradebook of {len(statuses)}: {counts or 'empty'}", file=sys.stderr)
    print(f"wrote {out / 'grades.csv'}, {out / 'report.html'}", file=sys.stderr)
    if stopped:
        print("interrupted: run the same command again to grade the rest", file=sys.stderr)


def grade_all(submissions: dict[str, Path], out: Path, hide: tuple[Path, ...], jobs: int,
              leaderboard: bool = False, prints: dict[str, str] | None = None) -> Iterator[tuple[str, float]]:
    """Grade each submission into ``out/NAME``, in parallel; yields ``(name, score)`` as they finish.

    ``prints``: each submission's fingerprint, stored with its result.
    """
    prints = prints or {}
    if jobs == 1:
        yield from grade_in_turn(submissions, out, hide, leaderboard, prints)
        return
    from joblib import Parallel, delayed  # 0.1-0.3 s to import: only for a pool

    tasks = (delayed(grade_and_write)(path, name, out, hide, leaderboard, None, prints.get(name, ""))
             for name, path in sorted(submissions.items()))
    yield from Parallel(n_jobs=jobs, return_as="generator_unordered")(tasks)


def grade_in_turn(submissions: dict[str, Path], out: Path, hide: tuple[Path, ...],
                  leaderboard: bool = False, prints: dict[str, str] | None = None) -> Iterator[tuple[str, float]]:
    """Grade one submission after the other, each next one's sandbox starting (interpreter and
    numpy, on the other core) while the current one is graded (under bubblewrap)."""
    entries = sorted(submissions.items())
    upcoming = _read_ahead(*entries[0], hide) if entries else None
    try:
        for index, (name, path) in enumerate(entries):
            prepared = upcoming
            upcoming = _read_ahead(*entries[index + 1], hide) if index + 1 < len(entries) else None
            yield grade_and_write(path, name, out, hide, leaderboard, prepared, (prints or {}).get(name, ""))
    finally:
        if upcoming is not None:  # stopped early (Ctrl-C): no child left behind
            upcoming[1].close()


def _read_ahead(name: str, path: Path, hide: tuple[Path, ...]) -> tuple[Submission, Sandbox] | None:
    """The next submission and its sandbox, or None if either fails (`grade_and_write` then
    tries again and records why).

    The sandbox's child starts now only where the backend keeps submissions apart (bubblewrap:
    each child sees only its own scratch folder); elsewhere a child could rewrite the next
    submission's files while they wait (README, sandbox table), so its child starts when it is
    graded.
    """
    try:
        submission = read_submission(path, name)
        return submission, open_sandbox(submission, hide=hide, launch=isolation().keeps_submissions_apart)
    except Exception:  # noqa: BLE001
        return None


def grade_and_write(path: Path, name: str, out: Path, hide: tuple[Path, ...], leaderboard: bool = False,
                    prepared: tuple[Submission, Sandbox] | None = None, print_: str = "") -> tuple[str, float]:
    """Grade one submission into ``out/NAME`` (``prepared``: it, already read, with its sandbox;
    ``print_``: its fingerprint). A stop asked for meanwhile discards the result."""
    try:
        if prepared is None:
            result = grade_submission(path, name, hide=hide, leaderboard=leaderboard)
        else:
            result = grade_read(prepared[0], hide=hide, leaderboard=leaderboard, sandbox=prepared[1])
    except Exception as error:  # noqa: BLE001  (a grader bug must not lose the submission from the gradebook)
        result = failed_result(name, error)
    if _STOP is not None and _STOP.is_set():  # pytest swallowed the Ctrl-C: the tests were cut short
        raise KeyboardInterrupt
    return write_result(result, out, print_)


def write_result(result: SubmissionResult, out: Path, print_: str = "") -> tuple[str, float]:
    """Write ``out/NAME/results.json`` and ``feedback.md`` (with the submission's fingerprint
    ``print_``, none for a grader failure: it is graded again next time); returns ``(name, score)``."""
    result.fingerprint = print_ if result.status not in ("error", "interrupted") else ""
    folder = out / result.name
    folder.mkdir(exist_ok=True)
    write_results_json(result, folder / "results.json")
    write_feedback(result, folder / "feedback.md")
    return result.name, result.score


