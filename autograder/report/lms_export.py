"""Grade-import files for a learning management system: ``grade --export canvas|moodle``.

Both are CSV files with one row per roster student (a roster is needed: the LMS identifies
students by its own ids, which only the roster knows). Columns, from the roster's columns of
the same name (an absent one is left empty):

- **Canvas** (Grades > Import): ``Student`` (``name``), ``ID`` (``canvas_id``), ``SIS User ID``
  (``student_id``), ``SIS Login ID`` (``login``, else ``email``), ``Section`` (``section``), then
  one column named after the assignment (``--assignment``, default "Optimisation assignment")
  holding the score. Canvas matches a row by ``ID``, ``SIS User ID`` or ``SIS Login ID``.
- **Moodle** (Grades > Import > CSV file): ``ID number`` (``student_id``), ``Email address``
  (``email``), then the assignment column (the score) and ``Feedback`` (the status when it is not
  ``graded``). In the import form, map "ID number" or "Email address" to the user, and the
  assignment column to the grade item.

A student with status ``missing`` or ``interrupted`` gets an empty score, so the import leaves
the LMS's cell alone instead of writing a 0 for work that was never graded; an ``unreadable``
or ``empty`` submission scores 0, as in ``grades.csv``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from autograder.grading.results import SubmissionResult
from autograder.report.atomic import atomic_open
from autograder.report.escape import csv_cell

FORMATS = ("canvas", "moodle")
DEFAULT_ASSIGNMENT = "Optimisation assignment"
NOT_SCORED = ("missing", "interrupted")

# (LMS column, the roster columns that fill it, first present wins)
_IDENTITY = {
    "canvas": (("Student", ("name",)), ("ID", ("canvas_id",)), ("SIS User ID", ("student_id",)),
               ("SIS Login ID", ("login", "email")), ("Section", ("section",))),
    "moodle": (("ID number", ("student_id",)), ("Email address", ("email",))),
}


def export_path(out: Path, kind: str) -> Path:
    return out / f"{kind}-import.csv"


def write_lms_export(kind: str, rows: Iterable[tuple[Mapping[str, str], SubmissionResult]], path: Path,
                     assignment: str = DEFAULT_ASSIGNMENT) -> int:
    """Write the ``kind`` import file of ``rows`` ((roster cells, result) per student) to ``path``,
    atomically; returns the number of students written."""
    identity = _IDENTITY[kind]
    header = [name for name, _ in identity] + [assignment] + (["Feedback"] if kind == "moodle" else [])
    count = 0
    with atomic_open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([csv_cell(h) for h in header])
        for cells, result in rows:
            line = [csv_cell(next((cells[c] for c in sources if cells.get(c)), "")) for _, sources in identity]
            line.append("" if result.status in NOT_SCORED else f"{result.score:g}")
            if kind == "moodle":
                line.append("" if result.status == "graded" else csv_cell(f"{result.status}: {result.reason}"))
            writer.writerow(line)
            count += 1
    return count
