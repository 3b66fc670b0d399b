"""Public tests of ``logistic_regression`` (CONTRACT.md section 3).

Fixed, small inputs, so a student's ``check`` replays the reference answers recorded at
release time. Each test grades one function; the functions it calls are swapped for
the reference's during the call (`compare.call`), so one bug costs points once.
"""

from functools import partial

import numpy as np
import pytest

from autograder.grading import compare, diagnose
from autograder.sandbox.errors import StudentError

M = "logistic_regression"

# Five samples, an intercept column and two features; z = X @ THETA spans about −1 to 1.
X = np.array([
    [1.0, 0.5, -1.2],
    [1.0, -0.3, 0.8],
    [1.0, 2.0, 0.1],
    [1.0, -1.5, -0.4],
    [1.0, 0.7, 1.9],
])
Y = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
THETA = np.array([0.2, -0.4, 0.3])

# Seven samples for the batch loop: batch_size 3 leaves a last batch of 1.
X7 = np.column_stack([np.ones(7), [0.3, -1.1, 0.8, 1.6, -0.4, 0.1, -2.0], [1.2, 0.4, -0.7, 0.2, -1.3, 0.9, 0.5]])
Y7 = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0])


@pytest.mark.grades("logistic_regression.logistic", points=2, hidden=False)
def test_logistic_fixed(student, reference):
    """matches the reference on a small fixed X"""
    expected = reference.logistic_regression.logistic(X, THETA)
    got, what = compare.call(student, M, "logistic", ("X", "theta"), X, THETA)
    compare.expect_array(got, expected, what=what, hints=[diagnose.complement, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.logistic", points=1, hidden=False)
def test_logistic_one_row_is_a_float(student, reference):
    """returns a float for one row (a 1-D X)"""
    expected = reference.logistic_regression.logistic(X[2], THETA)
    got, what = compare.call(student, M, "logistic", ("x", "theta"), X[2], THETA)
    compare.expect_float(got, expected, what=what, hints=[diagnose.complement, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.loss", points=2, hidden=False)
def test_loss_fixed(student, reference):
    """matches the reference on a small fixed problem"""
    expected = reference.logistic_regression.loss(X, Y, THETA)
    got, what = compare.call(student, M, "loss", ("X", "y", "theta"), X, Y, THETA)
    compare.expect_float(got, expected, what=what, hints=[
        partial(diagnose.summed_not_averaged, n=len(Y)), diagnose.sign_error, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.gradient_ij", points=1, hidden=False)
def test_gradient_ij_fixed(student, reference):
    """matches the reference on scalars"""
    for x_ij, y_i, p_i in [(0.5, 1.0, 0.75), (-1.2, 0.0, 0.3), (2.0, 1.0, 0.9)]:
        expected = reference.logistic_regression.gradient_ij(x_ij, y_i, p_i)
        got, what = compare.call(student, M, "gradient_ij", ("x_ij", "y_i", "p_i"), x_ij, y_i, p_i)
        compare.expect_float(got, expected, what=what, hints=[diagnose.sign_error])


@pytest.mark.grades("logistic_regression.gradients", points=2, hidden=False)
def test_gradients_fixed(student, reference):
    """matches the reference on a small fixed problem"""
    expected = reference.logistic_regression.gradients(X, Y, THETA)
    got, what = compare.call(student, M, "gradients", ("X", "y", "theta"), X, Y, THETA)
    n = len(Y)
    compare.expect_array(got, expected, what=what, hints=[
        diagnose.sign_error, partial(diagnose.summed_not_averaged, n=n), partial(diagnose.averaged_twice, n=n),
        partial(diagnose.per_sample_not_reduced, n=n), diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.step", points=1, hidden=False)
def test_step_fixed(student, reference):
    """returns theta − lr·grads on fixed vectors"""
    grads = np.array([0.5, -0.25, 1.0])
    expected = reference.logistic_regression.step(THETA, grads, 0.1)
    got, what = compare.call(student, M, "step", ("theta", "grads", "lr"), THETA, grads, 0.1)
    compare.expect_array(got, expected, what=what, hints=[
        partial(diagnose.wrong_direction, start=THETA), diagnose.shape_hint])


def _trajectory_hints(theta0: np.ndarray) -> list:
    return [partial(diagnose.unchanged, start=theta0, advice="theta is never updated")]


@pytest.mark.grades("logistic_regression.gradient_descent", points=2, hidden=False)
def test_gradient_descent_bgd_fixed(student, reference):
    """BGD (batch_size=None): theta and history match the reference"""
    kwargs = dict(lr=0.5, epochs=4, batch_size=None, seed=3)
    theta, history = reference.logistic_regression.gradient_descent(X, Y, **kwargs)
    got, what = compare.call(student, M, "gradient_descent", ("X", "y"), X, Y, **kwargs)
    got_theta, got_history = compare.expect_pair(got, what=what)
    compare.expect_history(got_history, history, what=f"{what}: history", hints=[diagnose.history_shifted])
    compare.expect_array(got_theta, theta, what=f"{what}: theta", hints=_trajectory_hints(np.zeros(3)))


@pytest.mark.grades("logistic_regression.gradient_descent", points=2, hidden=False)
def test_gradient_descent_mgd_partial_batch_fixed(student, reference):
    """MGD with a last, shorter batch (n=7, batch_size=3): theta and history match the reference"""
    kwargs = dict(lr=0.5, epochs=3, batch_size=3, seed=11, theta0=np.array([0.1, -0.2, 0.3]))
    expected = reference.logistic_regression.gradient_descent(X7, Y7, **kwargs)
    # For the diagnosis only, three related runs (all fixed, so the recording replays them):
    # batches that tile n (X7[:6]), another seed, and the first epoch alone.
    related = {
        "divisible": ((X7[:6], Y7[:6]), kwargs),
        "other_seed": ((X7, Y7), {**kwargs, "seed": 12}),
        "one_epoch": ((X7, Y7), {**kwargs, "epochs": 1}),
    }
    reference_runs = {name: reference.logistic_regression.gradient_descent(*args, **kw)
                      for name, (args, kw) in related.items()}

    def student_matches(name: str, target=None) -> bool:
        args, kw = related[name]
        got = student.call(M, "gradient_descent", *args, swap=compare.callees(M, "gradient_descent"), **kw)
        return diagnose.same(got, reference_runs[name] if target is None else target)

    def loop_bug(got, expected):
        try:
            return (diagnose.only_partial_batch_wrong(got, expected, n=7, batch_size=3,
                                                      divisible_ok=student_matches("divisible"))
                    or diagnose.seed_ignored(got, expected, seed_ignored=student_matches("other_seed", full))
                    or diagnose.later_epochs_wrong(got, expected, first_epoch_ok=student_matches("one_epoch")))
        except StudentError:  # the extra runs are advice only
            return None

    got, what = compare.call(student, M, "gradient_descent", ("X", "y"), X7, Y7, **kwargs)
    full = got
    got_theta, got_history = compare.expect_pair(got, what=what)
    compare.expect_history(got_history, expected[1], what=f"{what}: history",
                           hints=[diagnose.history_shifted, loop_bug])
    compare.expect_array(got_theta, expected[0], what=f"{what}: theta",
                         hints=[*_trajectory_hints(kwargs["theta0"]), loop_bug])
