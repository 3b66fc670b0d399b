"""The class gradebook: one CSV row per submission.

Columns: ``submission``, ``score``, ``max_score``, one column per graded function named
``module.function`` (that function's points), then ``leaderboard.<name>`` for each leaderboard
value. Scores are written as numbers; a function or leaderboard value a submission does not
have is an empty cell (read back as NaN).

Rows are written as the results arrive, so a batch of any size needs only one result in
memory. The columns are fixed before the first row: from ``functions``/``leaderboard`` when the
caller knows them (the grading tests do), else from the first result that has any tests
(results without tests, e.g. an unreadable notebook, are held until then). A later result
with a function or leaderboard name outside those columns raises ``ValueError`` instead of
silently dropping points; the old gradebook then stays as it was (the write is atomic).

Every text cell goes through :func:`autograder.report.escape.csv_cell`, so a submission
named ``=HYPERLINK(...)`` is stored as the text ``'=HYPERLINK(...)``. Read it with
``pandas.read_csv(path)``; pass ``dtype={"submission": str}`` to keep names such as
``007`` as text.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence

from autograder.grading.results import SubmissionResult
from autograder.report.atomic import atomic_open
from autograder.report.escape import csv_cell

LEADERBOARD_PREFIX = "leaderboard."


def _columns_from(results: Iterable[SubmissionResult], functions: Sequence[str] | None,
                  leaderboard: Sequence[str] | None) -> tuple[list[str], list[str], list[SubmissionResult]]:
    """Fill in the columns the caller left out; returns them and the results read to find them."""
    held: list[SubmissionResult] = []
    if functions is None or leaderboard is None:
        for result in results:
            held.append(result)
            if result.tests:
                break
    model = held[-1] if held and held[-1].tests else None
    if functions is None:
        functions = list(model.by_function()) if model else []
    if leaderboard is None:
        leaderboard = [str(entry["name"]) for entry in model.leaderboard] if model else []
    return list(functions), list(leaderboard), held


def _replay(held: list[SubmissionResult], rest: Iterable[SubmissionResult]) -> Iterable[SubmissionResult]:
    # Pop the held results instead of chaining the list, so each is freed once written.
    while held:
        yield held.pop(0)
    yield from rest


def _row(result: SubmissionResult, functions: list[str], leaderboard: list[str]) -> list:
    by_function = result.by_function()
    unknown = [f for f in by_function if f not in functions]
    values = {str(entry["name"]): entry.get("value") for entry in result.leaderboard}
    unknown += [LEADERBOARD_PREFIX + name for name in values if name not in leaderboard]
    if unknown:
        raise ValueError(f"submission {result.name!r} has results for {', '.join(unknown)}, which are "
                         "not gradebook columns; pass functions=/leaderboard= with every name")
    row = [csv_cell(result.name), result.score, result.max_score]
    row += [round(by_function[f][0], 6) if f in by_function else "" for f in functions]
    row += [csv_cell(values.get(name)) for name in leaderboard]
    return row


def write_grades_csv(results: Iterable[SubmissionResult], path: str | os.PathLike,
                     functions: Sequence[str] | None = None,
                     leaderboard: Sequence[str] | None = None) -> int:
    """Write the gradebook of ``results`` to ``path``, atomically; returns the number of rows.

    Parameters
    ----------
    results : the submissions' results, in the order the rows should appear; any iterable,
        consumed once
    path : the CSV file to (re)place
    functions : the ``module.function`` columns, in order; default: those of the first result
        with tests
    leaderboard : the leaderboard names, in order; default: those of that same result
    """
    results = iter(results)
    functions, leaderboard, held = _columns_from(results, functions, leaderboard)
    header = ["submission", "score", "max_score", *functions, *(LEADERBOARD_PREFIX + n for n in leaderboard)]
    rows = 0
    with atomic_open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([csv_cell(name) for name in header])
        for result in _replay(held, results):
            writer.writerow(_row(result, functions, leaderboard))
            rows += 1
    return rows
