"""The class gradebook: one CSV row per submission.

Columns: ``submission``, ``score``, ``max_score``, one column per graded function named
``module.function`` (that function's points), then ``leaderboard.<name>`` for each leaderboard
value. Scores are written as numbers; a function or leaderboard value a submission does not
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

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from autograder.grading.results import SubmissionResult
from autograder.report.atomic import atomic_open
from autograder.report.escape import csv_cell

LEADERBOARD_PREFIX = "leaderboard."
FIXED_COLUMNS = ("submission", "score", "max_score")


def _cells(result: SubmissionResult) -> tuple[dict, dict]:
    """``({function column: points}, {leaderboard column: value})`` of one result, CSV-ready."""
    functions = {f: round(score, 6) for f, (score, _) in result.by_function().items()}
    board = {LEADERBOARD_PREFIX + str(e.get("name", "")): csv_cell(e.get("value")) for e in result.leaderboard}
    return functions, board


def write_grades_csv(results: Iterable[SubmissionResult], path: str | os.PathLike,
                     functions: Sequence[str] = (), leaderboard: Sequence[str] = ()) -> int:
    """Write the gradebook of ``results`` to ``path``, atomically; returns the number of rows.

    Parameters
    ----------
    results : the submissions' results, in the order the rows should appear; any iterable,
        consumed once, one result at a time
    path : the CSV file to (re)place
    functions : ``module.function`` columns to put first, in this order; functions that
        appear only in the results follow in the order they are first seen
    leaderboard : likewise for the leaderboard names (without the ``leaderboard.`` prefix)
    """
    path = Path(path)
    # dicts as ordered sets of column names: the only thing that grows with the class.
    function_columns = dict.fromkeys(functions)
    board_columns = dict.fromkeys(LEADERBOARD_PREFIX + name for name in leaderboard)
    rows = 0
    # An anonymous file (unlinked at once on Linux): nothing is left behind even on SIGKILL.
    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=path.parent) as scratch:
        for result in results:
            by_function, board = _cells(result)
            function_columns.update(dict.fromkeys(by_function))
            board_columns.update(dict.fromkeys(board))
            row = {"submission": csv_cell(result.name), "score": result.score, "max_score": result.max_score,
                   **by_function, **board}
            scratch.write(json.dumps(row) + "\n")
            rows += 1
        scratch.seek(0)
        header = [*FIXED_COLUMNS, *function_columns, *board_columns]
        with atomic_open(path, "w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow([csv_cell(name) for name in header])
            for line in scratch:
                row = json.loads(line)
                writer.writerow([row.get(column, "") for column in header])
    return rows
