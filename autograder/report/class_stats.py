"""What the class report shows, gathered from the results in one pass (no result is kept).

Failures are counted per student and per function: a student whose ``gradients`` fails four
tests counts once for ``gradients``, with one diagnosis: the first "Likely bug: ..." line of
its failed tests' messages (grading/compare.py adds them), else the last clause of the first
failed test's first line ("3 of 3 value(s) differ", "optimizers.py was not submitted").
Diagnoses are grouped after replacing every number by ``#``, so "n = 2" and "n = 3" count as
one; the example kept is the first one seen.

A function whose module was not submitted or did not load (a syntax error) is counted apart,
as ``not_loaded``: that submission is listed at the top of the report with its reason, and
its 21 red tests would otherwise bury the real bugs.

Only submissions whose tests ran on something (status ``graded``, ``partial``, ``timeout``)
enter the pass rates and the failures: an unreadable or missing one is listed at the top of the
report instead of turning every test red.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from autograder.grading.results import SubmissionResult, TestResult
from autograder.report.escape import clean_text, one_line

RAN = ("graded", "partial", "timeout")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
LIKELY = "Likely bug:"
# The sandbox's messages for a module that is not there or did not load (sandbox/child.py, parent.py).
NOT_LOADED = (".py was not submitted", ".py could not be loaded")


@dataclass
class TestStats:
    name: str
    visibility: str
    max_score: float
    passed: int = 0
    total: int = 0


@dataclass
class FunctionStats:
    """One graded function across the class."""

    name: str
    max_score: float = 0.0
    tests: dict[str, TestStats] = field(default_factory=dict)
    students: int = 0  # submissions whose tests of this function ran
    full_marks: int = 0
    not_loaded: int = 0  # submissions whose module was missing or did not load
    diagnoses: Counter = field(default_factory=Counter)  # number-free diagnosis -> students
    examples: dict[str, str] = field(default_factory=dict)  # number-free diagnosis -> first one seen

    @property
    def failing(self) -> int:
        return self.students - self.full_marks - self.not_loaded


@dataclass
class Row:
    name: str
    status: str
    reason: str
    score: float
    max_score: float
    passed: int
    tests: int
    modules: dict[str, tuple[float, float]]  # {module: (score, max_score)}
    below: list[str]  # functions below full marks
    leaderboard: dict


def diagnosis(failed: list[TestResult]) -> str:
    """One line saying why a function failed (see the module docstring)."""
    for test in failed:
        for line in test.output.splitlines():
            if line.strip().startswith(LIKELY):
                return line.strip()[len(LIKELY):].strip()
    for test in failed:
        first = test.output.strip().splitlines()[0] if test.output.strip() else ""
        if first:
            return first.rsplit(": ", 1)[-1].strip()
    return "(no message)"


@dataclass
class ClassStats:
    rows: list[Row] = field(default_factory=list)
    functions: dict[str, FunctionStats] = field(default_factory=dict)
    board_orders: dict[str, str] = field(default_factory=dict)
    modules: dict[str, None] = field(default_factory=dict)  # an ordered set
    sandboxes: dict[str, dict] = field(default_factory=dict)  # the sandbox records seen, by their text

    def add(self, result: SubmissionResult) -> None:
        if result.sandbox:
            self.sandboxes.setdefault(repr(sorted(result.sandbox.items())), result.sandbox)
        by_function = result.by_function()
        if result.status in RAN:
            self._add_tests(result)
        for entry in result.leaderboard:
            self.board_orders.setdefault(str(entry.get("name", "")), entry.get("order", "desc"))
        modules: dict[str, tuple[float, float]] = {}
        for function, (score, max_score) in by_function.items():
            module = function.split(".", 1)[0]
            old_score, old_max = modules.get(module, (0.0, 0.0))
            modules[module] = (old_score + score, old_max + max_score)
            self.modules.setdefault(module)
        self.rows.append(Row(
            name=one_line(result.name, max_chars=200), status=result.status, reason=one_line(result.reason, 300),
            score=result.score, max_score=result.max_score, passed=sum(t.passed for t in result.tests),
            tests=len(result.tests), modules=modules, below=[f for f, (s, m) in by_function.items() if s < m],
            leaderboard={str(e.get("name", "")): e.get("value") for e in result.leaderboard},
        ))

    def _add_tests(self, result: SubmissionResult) -> None:
        failed_by_function: dict[str, list[TestResult]] = {}
        seen: set[str] = set()
        for test in result.tests:
            stats = self.functions.setdefault(test.function, FunctionStats(test.function))
            one = stats.tests.get(test.name)
            if one is None:
                one = stats.tests[test.name] = TestStats(test.name, test.visibility, test.max_score)
                stats.max_score += test.max_score
            one.total += 1
            one.passed += test.passed
            seen.add(test.function)
            if not test.passed:
                failed_by_function.setdefault(test.function, []).append(test)
        for function in seen:
            stats = self.functions[function]
            stats.students += 1
            failed = failed_by_function.get(function)
            if not failed:
                stats.full_marks += 1
                continue
            if all(any(mark in t.output for mark in NOT_LOADED) for t in failed):
                stats.not_loaded += 1
                continue
            text = clean_text(diagnosis(failed), max_chars=300)
            key = _NUMBER.sub("#", " ".join(text.split()))
            stats.diagnoses[key] += 1
            stats.examples.setdefault(key, text)

    @property
    def not_graded(self) -> list[Row]:
        return [r for r in self.rows if r.status != "graded"]
