"""What grading produces: plain data, written by the parent, never by student code.

A grading test's result is named ``"<module>.<function>: <what it checks>"`` so results
group by function; a submission's result lists them with its total.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        tests = [TestResult(**t) for t in data["tests"]]
        return cls(**{**data, "tests": tests})
