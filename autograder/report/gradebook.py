"""The class gradebook: one CSV row per submission, rebuilt from every result stored in the
output folder.

The output folder is the gradebook (``OUT/NAME/results.json`` per submission), not a snapshot
of one run: grading some submissions replaces their results and keeps the others', and
``grades.csv`` is rebuilt from all of them (:func:`stored_results`).

Columns: the roster's columns when there is one (``student_id``, ``name``...), ``submission``,
``status`` (see :data:`autograder.grading.results.STATUSES`), ``score``, ``max_score``, one
column per graded function named ``module.function`` (that function's points), then
``leaderboard.<name>`` for each leaderboard value, then ``reason`` (one line: why the status is
not ``graded``, or which hand-in was graded). Scores are written as numbers; a function or leaderboard value a submission does not
have is an empty cell (read back as NaN).

Streaming: the results are read once, one at a time, and never kept. Each row goes to an
anonymous scratch file (one JSON object per line) while the set of column names grows; at the
end the CSV is written from the scratch file, atomically. So a column first seen late (the
first submissions crashed before any test ran, or had no leaderboard value) still gets its
place, and the earlier rows an empty cell. ``functions``/``leaderboard`` put those columns
first, in that order, even if no result has them.

Every text cell goes through :func:`autograder.report.escape.csv_cell`, so a submission
named ``=HYPERLINK(...)`` is stored as the text ``'=HYPERLINK(...)``. Read it with
``pandas.read_csv(path)``; pass ``dtype={"submission": str}`` to keep names such as
``007`` as text.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.results import SubmissionResult
from autograder.report.atomic import atomic_open
from autograder.report.escape import csv_cell
from autograder.report.lms_export import DEFAULT_ASSIGNMENT, export_path, write_lms_export
from autograder.report.results_json import read_results_json
from autograder.report.roster import SUBMISSION, Roster, missing_result
from autograder.submission import safe_name

LEADERBOARD_PREFIX = "leaderboard."
FIXED_COLUMNS = ("submission", "status", "score", "max_score")
LAST_COLUMNS = ("reason",)
RESULTS, FEEDBACK = "results.json", "feedback.md"


def _cells(result: SubmissionResult) -> tuple[dict, dict]:
    """``({function column: points}, {leaderboard column: value})`` of one result, CSV-ready."""
    functions = {f: round(score, 6) for f, (score, _) in result.by_function().items()}
    board = {LEADERBOARD_PREFIX + str(e.get("name", "")): csv_cell(e.get("value")) for e in result.leaderboard}
    return functions, board


def write_grades_csv(results: Iterable[SubmissionResult | tuple[Mapping[str, str], SubmissionResult]],
                     path: str | os.PathLike, functions: Sequence[str] = (), leaderboard: Sequence[str] = (),
                     identity_columns: Sequence[str] = ()) -> int:
    """Write the gradebook of ``results`` to ``path``, atomically; returns the number of rows.

    Parameters
    ----------
    results : the submissions' results, in the order the rows should appear; any iterable,
        consumed once, one result at a time; an item may be ``(roster cells, result)``
    path : the CSV file to (re)place
    functions : ``module.function`` columns to put first, in this order; functions that
        appear only in the results follow in the order they are first seen
    leaderboard : likewise for the leaderboard names (without the ``leaderboard.`` prefix)
    identity_columns : the roster's columns, first in each row (empty cells for a result
        given without roster cells)
    """
    path = Path(path)
    # dicts as ordered sets of column names: the only thing that grows with the class.
    function_columns = dict.fromkeys(functions)
    board_columns = dict.fromkeys(LEADERBOARD_PREFIX + name for name in leaderboard)
    rows = 0
    # An anonymous file (unlinked at once on Linux): nothing is left behind even on SIGKILL.
    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=path.parent) as scratch:
        for item in results:
            cells, result = item if isinstance(item, tuple) else ({}, item)
            by_function, board = _cells(result)
            function_columns.update(dict.fromkeys(by_function))
            board_columns.update(dict.fromkeys(board))
            row = {**{c: csv_cell(v) for c, v in cells.items()},
                   "submission": csv_cell(result.name), "status": result.status, "score": result.score,
                   "max_score": result.max_score, **by_function, **board, "reason": csv_cell(result.reason)}
            scratch.write(json.dumps(row) + "\n")
            rows += 1
        scratch.seek(0)
        header = [*identity_columns, *FIXED_COLUMNS, *function_columns, *board_columns, *LAST_COLUMNS]
        with atomic_open(path, "w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow([csv_cell(name) for name in header])
            for line in scratch:
                row = json.loads(line)
                writer.writerow([row.get(column, "") for column in header])
    return rows


def stored_names(out: Path) -> list[str]:
    """The submissions with a result in the gradebook folder ``out``, sorted."""
    return sorted(p.parent.name for p in out.glob(f"*/{RESULTS}") if not p.parent.name.startswith("."))


def stored_results(out: Path) -> Iterator[SubmissionResult]:
    """Every result stored in ``out``, one at a time, sorted by submission name."""
    for name in stored_names(out):
        yield read_results_json(out / name / RESULTS)


def stored_fingerprint(out: Path, name: str) -> str:
    """The fingerprint of ``out/name``'s stored result; ``""`` when there is none or it is unusable."""
    try:
        data = json.loads((out / name / RESULTS).read_text(encoding="utf-8"))
        return str(data["extra_data"].get("fingerprint") or "")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ""


def clear_gradebook(out: Path) -> int:
    """``--fresh``: remove the stored results and feedback (nothing else in ``out``); returns how many."""
    removed = 0
    for name in stored_names(out):
        folder = out / name
        for file in (RESULTS, FEEDBACK):
            with contextlib.suppress(FileNotFoundError):
                (folder / file).unlink()
        with contextlib.suppress(OSError):  # left alone if the TA keeps something else there
            folder.rmdir()
        removed += 1
    return removed


def check_gradebook_folder(out: Path) -> None:
    """Refuse, in one line, an ``--out`` that cannot be a gradebook folder."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")


def gradebook_rows(out: Path, roster: Roster | None = None) -> Iterator[tuple[dict[str, str], SubmissionResult]]:
    """``(roster cells, result)`` per row: every stored result, then a ``missing`` row per
    roster student without one."""
    if roster is None:
        yield from (({}, result) for result in stored_results(out))
        return
    cells = roster.by_name()
    found = set()
    for result in stored_results(out):
        found.add(result.name)
        yield cells.get(result.name, {}), result  # {}: a submission no student claims
    for student in roster.students:
        if not student[SUBMISSION] or safe_name(student[SUBMISSION]) not in found:
            yield {c: student.get(c, "") for c in roster.columns}, missing_result(student)


def write_gradebook(out: Path, roster: Roster | None = None, exports: Sequence[str] = (),
                    assignment: str = DEFAULT_ASSIGNMENT) -> list[tuple[str, str, str]]:
    """Rebuild ``out/grades.csv``, ``out/report.html`` and the ``exports`` (``canvas``,
    ``moodle``: ``out/KIND-import.csv``) from every result stored in ``out`` and the roster;
    returns ``(name, status, reason)`` per row."""
    from autograder.report.html import write_report  # matplotlib: only when a report is written

    rows: list[tuple[str, str, str]] = []

    def tracked() -> Iterator[tuple[dict[str, str], SubmissionResult]]:
        for cells, result in gradebook_rows(out, roster):
            rows.append((result.name, result.status, result.reason))
            yield cells, result

    write_grades_csv(tracked(), out / "grades.csv", identity_columns=roster.columns if roster else ())
    write_report((result for _, result in gradebook_rows(out, roster)), out / "report.html")
    for kind in exports:
        students = ((cells, result) for cells, result in gradebook_rows(out, roster) if cells or not roster)
        write_lms_export(kind, students, export_path(out, kind), assignment)
    return rows
