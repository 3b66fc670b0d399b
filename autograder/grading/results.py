"""What grading produces: plain data, written by the parent, never by student code.

A grading test's result is named ``"<module>.<function>: <what it checks>"`` so results
group by function; a submission's result lists them with its total, and its ``status``: what
became of the submission, so that none is a silent 0 in the gradebook.

Statuses (``STATUSES``): ``graded`` (every module read and run), ``partial`` (some module
missing, unreadable or not valid Python: its tests score 0, the others are graded),
``unreadable`` (nothing could be read: a corrupt zip, a broken notebook), ``empty`` (nothing
to grade was found), ``timeout`` (some function hit the time limit), ``error`` (the grader
failed on it: never the student's fault), ``interrupted`` (the batch stopped before it was
graded) and ``missing`` (a roster's student with no submission).
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("graded", "partial", "unreadable", "empty", "timeout", "error", "interrupted", "missing")
# Phrases of the sandbox's messages for a call stopped by its time limit (sandbox/parent.py).
_TIMEOUT_MARKS = ("did not finish within",)


@dataclass
class TestResult:
    """One graded test, in Gradescope's terms."""

    name: str  # "logistic_regression.gradients: matches the reference on random inputs"
    function: str  # "logistic_regression.gradients"
    score: float
    max_score: float
    visibility: str  # "visible" (public test) or "hidden"
    output: str = ""  # the message for the student; empty when the test passed

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class SubmissionResult:
    """Every test of one submission, plus what applies to the whole submission."""

    name: str
    tests: list[TestResult]
    execution_time: float = 0.0
    output: str = ""  # submission-wide notes: "notebook could not be read", sandbox guarantees...
    leaderboard: list[dict] = field(default_factory=list)  # [{"name": ..., "value": ..., "order": "desc"}]
    sandbox: dict = field(default_factory=dict)  # the backend and its guarantees (`sandbox.proof.grading_record`)
    status: str = "graded"  # one of STATUSES
    reason: str = ""  # one line: why the status is not "graded", or which hand-in was graded
    fingerprint: str = ""  # the submission's bytes and the kit's version when graded ("" = never current)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    def by_function(self) -> dict[str, tuple[float, float]]:
        """``{function: (score, max_score)}`` in the order the tests ran."""
        totals: dict[str, tuple[float, float]] = {}
        for t in self.tests:
            score, max_score = totals.get(t.function, (0.0, 0.0))
            totals[t.function] = (score + t.score, max_score + t.max_score)
        return totals


def classify(result: SubmissionResult, problem_status: str, complete: bool) -> None:
    """Set ``result.status`` and ``result.reason`` once its tests have run.

    ``problem_status`` is what reading the submission found (``Submission.status``: ``""``,
    ``"unreadable"`` or ``"empty"``); ``complete``: all three modules were read and compile.
    The reason is the submission-wide notes (what was missing, which hand-in was graded),
    then the functions stopped by the time limit.
    """
    timed_out = list(dict.fromkeys(t.function for t in result.tests
                                   if any(mark in t.output for mark in _TIMEOUT_MARKS)))
    if problem_status:
        result.status = problem_status
    elif timed_out:
        result.status = "timeout"
    else:
        result.status = "graded" if complete else "partial"
    parts = [" ".join(result.output.split())] if result.output.strip() else []
    if timed_out:
        parts.append("time limit hit in " + ", ".join(timed_out))
    result.reason = "; ".join(parts)


def status_counts(statuses: list[str]) -> dict[str, int]:
    """``{status: count}`` in the order of ``STATUSES``, only the statuses present."""
    return {s: statuses.count(s) for s in STATUSES if s in statuses}


def failed_result(name: str, error: Exception) -> SubmissionResult:
    """The gradebook entry of a submission the grader failed on (never the student's fault)."""
    output = f"internal grading error ({type(error).__name__}: {error}); tell the course staff"
    return SubmissionResult(name, [], output=output, status="error", reason=" ".join(output.split())[:300])


def interrupted_result(name: str) -> SubmissionResult:
    """The gradebook entry of a submission the batch stopped before grading."""
    return SubmissionResult(name, [], output="not graded yet: the batch was stopped before this submission",
                            status="interrupted", reason="the batch was stopped before it; run grade again")
