"""Gradescope's ``run_autograder``: grade /autograder/submission into /autograder/results/results.json.

A results file is always written, even when the upload cannot be graded, because Gradescope
shows nothing useful otherwise. ``AUTOGRADER_ROOT`` replaces ``/autograder`` (for tests).
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.results import SubmissionResult
from autograder.grading.runner import grade_submission, preload_pytest
from autograder.report.results_json import write_results_json
from autograder.sandbox.proof import guard_grading
from autograder.submission import find_submissions, is_submission


def main() -> int:
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    upload, results = root / "submission", root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        entries = [upload] if is_submission(upload) else find_submissions([upload])
        if len(entries) != 1:
            raise UserError(f"found {len(entries)} submissions in the upload; upload the three modules, "
                            "one notebook or one zip")
        preload_pytest()  # meanwhile
        guard_grading(hide=(root / "results",))  # fails closed: the answers out of the child's reach, or stop
        result = grade_submission(entries[0], "submission", hide=(root / "results",))
    except UserError as error:
        result = SubmissionResult("submission", [], output=f"could not grade the upload: {error}")
    write_results_json(result, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
