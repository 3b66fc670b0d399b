"""The pytest plugin that turns the grading tests into scores.

The grading tests (``autograder/tests/public`` and ``hidden``) run in the grader's process;
this plugin gives them their fixtures (``student`` in the sandbox, the trusted ``reference``,
a seeded ``rng``, the real-data ``task``) and records each test as a
:class:`~autograder.grading.results.TestResult` from its ``grades`` marker::

    @pytest.mark.grades("logistic_regression.gradients", points=3, hidden=False)
    def test_gradients_random(student, reference, rng):
        \"\"\"matches the reference on random inputs\"\"\"

A test scores all its points or none. A failure's message is the assertion's text, or the
one-line reason student code gave no usable answer, prefixed with the function it grades.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from autograder.grading.results import TestResult
from autograder.sandbox.errors import MissingName, StudentError


class GradingPlugin:
    def __init__(self, student, reference) -> None:
        self._student = student
        self._reference = reference
        self.results: list[TestResult] = []
        self._failed: set[str] = set()

    @pytest.fixture
    def student(self):
        return self._student

    @pytest.fixture
    def reference(self):
        return self._reference

    @pytest.fixture
    def rng(self, request) -> np.random.Generator:
        """A generator seeded from the test's name: fresh per test, the same on every run."""
        return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))

    @pytest.fixture
    def proven(self) -> frozenset[str]:
        """Functions that have passed every one of their tests so far (and failed none).

        A long run of the student's loop on real data can use their own functions once these
        are proven, instead of a callback into the reference per batch: the computation is
        the same within the tests' tolerance, and one bug still costs once.
        """
        return frozenset(t.function for t in self.results) - self._failed

    @pytest.fixture
    def task(self):
        from autograder.datasets import load_task  # pandas and scikit-learn: only for the tests that need them

        return load_task

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        marker = item.get_closest_marker("grades")
        if marker is None or report.when == "teardown" or (report.when == "setup" and report.passed):
            return report
        function = marker.args[0]
        points = float(marker.kwargs["points"])
        title = (item.function.__doc__ or item.name).strip().splitlines()[0]
        passed = report.passed and call.excinfo is None
        if not passed:
            self._failed.add(function)
        self.results.append(TestResult(
            name=f"{function}: {title}",
            function=function,
            score=points if passed else 0.0,
            max_score=points,
            visibility="hidden" if marker.kwargs.get("hidden") else "visible",
            output="" if passed else failure_message(function, call.excinfo),
        ))
        return report


def failure_message(function: str, excinfo: pytest.ExceptionInfo | None) -> str:
    """The student-facing reason a test failed."""
    if excinfo is None:
        return f"{function}: the test did not pass"
    error = excinfo.value
    if isinstance(error, MissingName):
        return f"{function}: {error.describe()}"
    if isinstance(error, StudentError):
        return f"{function} {error.describe()}"
    if isinstance(error, AssertionError):
        text = str(error).split("\nassert ")[0].strip()  # drop pytest's rewritten-assert detail
        return text if text.startswith(function) else f"{function}: {text}"
    # A grading test or the reference failed: the grader's bug, never the student's.
    return f"{function}: internal grading error ({type(error).__name__}: {error}); please tell the course staff"
