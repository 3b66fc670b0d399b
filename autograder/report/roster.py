"""The class roster: who should have handed something in (``grade --roster roster.csv``).

A roster is a CSV file with a header row and a ``submission`` column: the name of the student's
submission (the folder, zip or notebook name without extension, as the LMS export names it).
Every other column (``student_id``, ``email``, ``name``, ``section``...) is copied into
``grades.csv``, before the grading columns. A student whose submission is not in the gradebook
gets a row with status ``missing``; a submission no student claims is listed by
:func:`unclaimed`. The roster is kept in the gradebook folder (``roster.csv``), so a later
``grade`` into the same folder uses it without ``--roster``.

Matching is on the name as the gradebook stores it (:func:`autograder.submission.safe_name`),
so ``Ada Lovelace`` in the roster matches the folder ``Ada Lovelace/`` graded as ``Ada_Lovelace``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.results import SubmissionResult
from autograder.report.atomic import write_text_atomic
from autograder.submission import safe_name

SUBMISSION = "submission"
STORED = "roster.csv"
MAX_ROSTER_BYTES = 16 * 2**20


@dataclass
class Roster:
    columns: list[str]  # the roster's columns other than "submission", in its order
    students: list[dict[str, str]]  # each student's cells, "submission" included
    text: str  # the file as read, to keep a copy in the gradebook folder

    def by_name(self) -> dict[str, dict[str, str]]:
        """``{gradebook name: the student's cells other than "submission"}``."""
        return {safe_name(s[SUBMISSION]): {c: s.get(c, "") for c in self.columns}
                for s in self.students if s[SUBMISSION].strip()}


def parse_roster(text: str, source: str) -> Roster:
    """The roster in ``text`` (CSV), or a one-line UserError naming ``source``."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel writes a byte-order mark
    header = [h.strip() for h in (reader.fieldnames or [])]
    if SUBMISSION not in header:
        raise UserError(f"{source}: a roster needs a '{SUBMISSION}' column (found: {', '.join(header) or 'nothing'})")
    if len(set(header)) != len(header):
        raise UserError(f"{source}: the roster's header repeats a column name")
    reader.fieldnames = header
    students, seen = [], {}
    for line, row in enumerate(reader, start=2):
        if None in row:
            raise UserError(f"{source}: line {line} has more cells than the header")
        student = {c: (row.get(c) or "").strip() for c in header}
        key = safe_name(student[SUBMISSION]) if student[SUBMISSION] else ""
        if key and key in seen:
            raise UserError(f"{source}: lines {seen[key]} and {line} name the same submission {student[SUBMISSION]!r}")
        seen[key] = line
        students.append(student)
    return Roster([c for c in header if c != SUBMISSION], students, text)


def read_roster(path: Path) -> Roster:
    """Read ``path`` (``--roster``); a missing or malformed file is a one-line UserError."""
    try:
        data = path.read_bytes()[:MAX_ROSTER_BYTES + 1]
    except OSError as error:
        raise UserError(f"--roster {path}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_ROSTER_BYTES:
        raise UserError(f"--roster {path}: larger than {MAX_ROSTER_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"--roster {path}: not UTF-8 text (save it as 'CSV UTF-8')") from None
    return parse_roster(text, f"--roster {path}")


def keep_roster(roster: Roster, out: Path) -> None:
    """Store ``roster`` in the gradebook folder for later runs."""
    write_text_atomic(out / STORED, roster.text)


def stored_roster(out: Path) -> Roster | None:
    """The roster kept in ``out``, if any."""
    path = out / STORED
    return parse_roster(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else None


def missing_result(student: dict[str, str]) -> SubmissionResult:
    """The gradebook row of a student with no submission."""
    return SubmissionResult(name=safe_name(student[SUBMISSION]) if student[SUBMISSION] else "", tests=[],
                            status="missing", reason="no submission found for this student")


def unclaimed(names: list[str], roster: Roster) -> list[str]:
    """The gradebook's submissions that no roster student claims."""
    claimed = set(roster.by_name())
    return [n for n in names if n not in claimed]
