"""One submission's result as Gradescope's ``results.json``, and back.

The fields follow Gradescope's autograder specification ("Output format", gradescope/
autograder_samples ``docs/specs.md`` and gradescope-autograders.readthedocs.io/en/latest/specs):

- top level: ``score`` (overrides the sum of the tests; we write that sum), ``execution_time``
  (seconds), ``output`` (submission-wide notes), ``stdout_visibility: "hidden"`` (whatever the
  grader printed stays for staff), ``tests`` and, when the submission has one, ``leaderboard``
  (a list of ``{"name", "value", "order"?}``; entries whose value is ``None`` or not finite
  are left out);
- ``sandbox``, an extra top-level field: the backend the submission was graded in, what it
  guarantees and what it lacks, and whether grading was allowed despite a leak (``unsafe``);
- each test: ``name``, ``score``, ``max_score``, ``status`` (``"passed"``/``"failed"``, so
  Gradescope does not have to guess from the scores), ``output`` (the message for the student)
  and ``visibility`` (``visible``, ``hidden``, ``after_due_date`` or ``after_published``).

Every string is passed through :func:`autograder.report.escape.clean_text`, and the output and
name formats are set to ``"text"``, so Gradescope shows student-influenced text verbatim
instead of interpreting it as HTML or Markdown.

Fields that Gradescope does not know ride in its ``extra_data`` so the file round-trips to a
:class:`~autograder.grading.results.SubmissionResult`: the submission's name, status, reason and
fingerprint (top level; the fingerprint tells a rerun the result is current) and each test's function (per test; when it is missing, the function is read from the test name,
``"<module>.<function>: <what it checks>"``).
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.results import SubmissionResult, TestResult
from autograder.report.atomic import write_text_atomic
from autograder.report.escape import clean_text

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
LEADERBOARD_ORDERS = ("asc", "desc")


def _number(value: float, what: str) -> float:
    # Gradescope's parser rejects NaN and Infinity (they are not JSON); a NaN score is a bug.
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, not {value}")
    return value


def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, numbers.Real) and not math.isfinite(value))


def _leaderboard_value(value: object) -> int | float | str:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real):
        return _number(value, "a leaderboard value")
    return clean_text(str(value), max_chars=200)


def to_gradescope(result: SubmissionResult) -> dict:
    """``result`` as the dictionary Gradescope reads from ``results.json``."""
    tests = []
    for test in result.tests:
        if test.visibility not in VISIBILITIES:
            raise ValueError(f"test {test.name!r} has visibility {test.visibility!r}; "
                             f"Gradescope accepts {', '.join(VISIBILITIES)}")
        tests.append({
            "name": clean_text(test.name, max_chars=300),
            "score": _number(test.score, f"the score of {test.name!r}"),
            "max_score": _number(test.max_score, f"the max_score of {test.name!r}"),
            "status": "passed" if test.passed else "failed",
            "output": clean_text(test.output),
            "visibility": test.visibility,
            "extra_data": {"function": clean_text(test.function, max_chars=300)},
        })
    data = {
        "score": _number(result.score, "the total score"),
        "execution_time": round(_number(result.execution_time, "execution_time"), 3),
        "output": clean_text(result.output),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "extra_data": {"submission": clean_text(result.name, max_chars=300), "status": result.status,
                       "reason": clean_text(result.reason, max_chars=600), "fingerprint": result.fingerprint},
        "tests": tests,
    }
    if result.sandbox:  # an extra top-level field (Gradescope ignores what it does not know)
        data["sandbox"] = result.sandbox
    # An entry without a value (the submission's training gave nothing usable) is left out:
    # Gradescope ranks numbers and strings, and a missing entry is what "no value" means there.
    entries = [entry for entry in result.leaderboard if _has_value(entry.get("value"))]
    if entries:
        board = []
        for entry in entries:
            item = {"name": clean_text(str(entry["name"]), max_chars=100),
                    "value": _leaderboard_value(entry["value"])}
            if entry.get("order") in LEADERBOARD_ORDERS:
                item["order"] = entry["order"]
            board.append(item)
        data["leaderboard"] = board
    return data


def from_gradescope(data: dict, name: str = "") -> SubmissionResult:
    """Rebuild a :class:`SubmissionResult` from a ``results.json`` dictionary.

    ``name`` is used when the file does not carry the submission's name in ``extra_data``.
    Raises ``ValueError`` (with what is wrong) when a required field is missing or mistyped.
    """
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise ValueError("expected an object with a 'tests' list")
    tests = []
    for i, item in enumerate(data["tests"]):
        if not isinstance(item, dict):
            raise ValueError(f"tests[{i}] is not an object")
        for key in ("name", "score", "max_score"):
            if key not in item:
                raise ValueError(f"tests[{i}] has no {key!r}")
        test_name = str(item["name"])
        extra = item.get("extra_data") if isinstance(item.get("extra_data"), dict) else {}
        function = extra.get("function") or test_name.split(":", 1)[0].strip()
        try:
            score, max_score = float(item["score"]), float(item["max_score"])
        except (TypeError, ValueError):
            raise ValueError(f"tests[{i}] has a score or max_score that is not a number") from None
        tests.append(TestResult(
            name=test_name, function=str(function), score=score, max_score=max_score,
            visibility=str(item.get("visibility", "visible")), output=str(item.get("output", "")),
        ))
    extra = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
    return SubmissionResult(
        name=str(extra.get("submission") or name),
        tests=tests,
        execution_time=float(data.get("execution_time", 0.0)),
        output=str(data.get("output", "")),
        leaderboard=[dict(entry) for entry in data.get("leaderboard", [])],
        sandbox=dict(data["sandbox"]) if isinstance(data.get("sandbox"), dict) else {},
        status=str(extra.get("status") or "graded"),
        reason=str(extra.get("reason") or ""),
        fingerprint=str(extra.get("fingerprint") or ""),
    )


def write_results_json(result: SubmissionResult, path: str | os.PathLike) -> None:
    """Write ``result`` to ``path`` as Gradescope's ``results.json``, atomically."""
    text = json.dumps(to_gradescope(result), indent=2, ensure_ascii=False, allow_nan=False)
    write_text_atomic(path, text + "\n")


def read_results_json(path: str | os.PathLike) -> SubmissionResult:
    """Read a ``results.json`` written by :func:`write_results_json` (or by Gradescope tools).

    The submission's name comes from the file's ``extra_data``, else from the folder holding
    the file. A missing or malformed file is a :class:`~autograder.errors.UserError`.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such results file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path}: not a JSON results file ({error})") from None
    try:
        return from_gradescope(data, name=path.resolve().parent.name)
    except ValueError as error:
        raise UserError(f"{path}: not a Gradescope results file: {error}") from None
