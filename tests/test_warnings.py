"""Warnings recorded in the sandbox, on request, as data (contract section 2: "warning-free").

A naive sigmoid ``1 / (1 + np.exp(-z))`` overflows for large negative z: the child records
the RuntimeWarning when the call asks for it (``Student.call(..., warnings=True)``) and
``compare.expect_warning_free`` fails with its category and message; the stable reference
raises none, and a call that does not ask gets no list at all.
"""

import numpy as np
import pytest

from autograder.grading import compare
from autograder.paths import MODULES, SOLUTIONS
from autograder.reference import Reference
from autograder.sandbox.limits import Limits
from autograder.sandbox.parent import Sandbox, Student

STABLE = "p = np.exp(-np.logaddexp(0.0, -(X @ theta)))"
NAIVE = "p = 1 / (1 + np.exp(-(X @ theta)))"
X = np.column_stack([np.ones(3), [-1e4, 0.0, 1e4]])
THETA = np.array([0.0, 1.0])


def sources(logistic: str = STABLE) -> dict[str, bytes]:
    found = {m: (SOLUTIONS / f"{m}.py").read_text() for m in MODULES}
    found["logistic_regression"] = found["logistic_regression"].replace(STABLE, logistic)
    return {m: text.encode() for m, text in found.items()}


@pytest.fixture(scope="module")
def students():
    reference = Reference()
    with Sandbox(sources(), reference, Limits(call_seconds=20)) as stable, \
            Sandbox(sources(NAIVE), reference, Limits(call_seconds=20)) as naive:
        yield Student(stable), Student(naive)


def test_the_naive_sigmoid_warns_and_fails_the_warning_free_check(students):
    _, naive = students
    value, caught = naive.call("logistic_regression", "logistic", X, THETA, warnings=True)
    np.testing.assert_allclose(value, [0.0, 0.5, 1.0], atol=1e-300)  # the values themselves are right
    assert {"category": "RuntimeWarning", "runtime": True, "message": "overflow encountered in exp"} in caught
    with pytest.raises(AssertionError, match=r"logistic\(X, theta\).*raised RuntimeWarning: overflow encountered"):
        compare.expect_warning_free(naive, "logistic_regression", "logistic", ("X", "theta"), X, THETA)


def test_the_stable_sigmoid_raises_none_and_a_plain_call_gets_no_list(students):
    stable, naive = students
    assert stable.call("logistic_regression", "logistic", X, THETA, warnings=True)[1] == []
    compare.expect_warning_free(stable, "logistic_regression", "logistic", ("X", "theta"), X, THETA)
    plain = naive.call("logistic_regression", "logistic", X, THETA)
    assert type(plain) is np.ndarray and plain.shape == (3,)


def test_the_same_warning_is_recorded_on_every_call(students):
    """Python shows a warning once per place by default; each recorded call must see its own."""
    _, naive = students
    for _ in range(2):
        _, caught = naive.call("logistic_regression", "logistic", X, THETA, warnings=True)
        assert [w["message"] for w in caught] == ["overflow encountered in exp"]
