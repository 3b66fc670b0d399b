"""Public tests of ``logistic_regression`` (CONTRACT.md section 3).

Fixed, small inputs, so a student's ``check`` replays the reference answers recorded at
release time. Each test grades one function; the functions it calls are swapped for
the reference's during the call (`compare.call`), so one bug costs points once. Values are
compared in any lossless representation; each function's ``..._representation`` test alone
grades the documented type and shape (contract section 2), so a format slip costs one point.
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


@pytest.mark.grades("logistic_regression.logistic", points=1, hidden=False)
def test_logistic_fixed(student, reference):
    """matches the reference on a small fixed X, and on one row of it (a 1-D X)"""
    expected = reference.logistic_regression.logistic(X, THETA)
    got, what = compare.call(student, M, "logistic", ("X", "theta"), X, THETA)
    compare.expect_array(got, expected, what=what, hints=[diagnose.complement, diagnose.shape_hint])
    expected = reference.logistic_regression.logistic(X[2], THETA)
    got, what = compare.call(student, M, "logistic", ("x", "theta"), X[2], THETA)
    compare.expect_float(got, expected, what=what, hints=[diagnose.complement, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.logistic", points=1, hidden=False)
def test_logistic_representation(student, reference):
    """returns the documented types: an ndarray of shape (n,) for a 2-D X, a float for one row"""
    expect_representations(student, reference, "logistic", [(("X", "theta"), (X, THETA)),
                                                            (("x", "theta"), (X[2], THETA))])


def expect_representations(student, reference, function: str, calls: list) -> None:
    """Each call's result has exactly the type and shape of the reference's (values aside)."""
    for names, args in calls:
        expected = getattr(reference.logistic_regression, function)(*args)
        got, what = compare.call(student, M, function, names, *args)
        compare.expect_representation(got, expected, what=what)


@pytest.mark.grades("logistic_regression.loss", points=1, hidden=False)
def test_loss_fixed(student, reference):
    """matches the reference on a small fixed problem"""
    expected = reference.logistic_regression.loss(X, Y, THETA)
    got, what = compare.call(student, M, "loss", ("X", "y", "theta"), X, Y, THETA)
    compare.expect_float(got, expected, what=what, hints=[
        partial(diagnose.summed_not_averaged, n=len(Y)), diagnose.sign_error, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.loss", points=1, hidden=False)
def test_loss_representation(student, reference):
    """returns the documented type: a float"""
    expect_representations(student, reference, "loss", [(("X", "y", "theta"), (X, Y, THETA))])


@pytest.mark.grades("logistic_regression.gradient_ij", points=1, hidden=False)
def test_gradient_ij_fixed(student, reference):
    """matches the reference on scalars"""
    for x_ij, y_i, p_i in [(0.5, 1.0, 0.75), (-1.2, 0.0, 0.3), (2.0, 1.0, 0.9)]:
        expected = reference.logistic_regression.gradient_ij(x_ij, y_i, p_i)
        got, what = compare.call(student, M, "gradient_ij", ("x_ij", "y_i", "p_i"), x_ij, y_i, p_i)
        compare.expect_float(got, expected, what=what, hints=[diagnose.sign_error])


@pytest.mark.grades("logistic_regression.gradient_ij", points=1, hidden=False)
def test_gradient_ij_representation(student, reference):
    """returns the documented types: a float for scalars, an ndarray of the broadcast shape for arrays"""
    p = reference.logistic_regression.logistic(X, THETA)
    expect_representations(student, reference, "gradient_ij", [
        (("x_ij", "y_i", "p_i"), (0.5, 1.0, 0.75)), (("x_ij", "y_i", "p_i"), (X, Y[:, None], p[:, None]))])


@pytest.mark.grades("logistic_regression.gradients", points=1, hidden=False)
def test_gradients_fixed(student, reference):
    """matches the reference on a small fixed problem"""
    expected = reference.logistic_regression.gradients(X, Y, THETA)
    got, what = compare.call(student, M, "gradients", ("X", "y", "theta"), X, Y, THETA)
    n = len(Y)
    compare.expect_array(got, expected, what=what, hints=[
        diagnose.sign_error, partial(diagnose.summed_not_averaged, n=n), partial(diagnose.averaged_twice, n=n),
        partial(diagnose.per_sample_not_reduced, n=n), diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.gradients", points=1, hidden=False)
def test_gradients_representation(student, reference):
    """returns the documented type: a float64 ndarray of shape (d,)"""
    expect_representations(student, reference, "gradients", [(("X", "y", "theta"), (X, Y, THETA))])


@pytest.mark.grades("logistic_regression.step", points=1, hidden=False)
def test_step_fixed(student, reference):
    """returns theta − lr·grads on fixed vectors"""
    grads = np.array([0.5, -0.25, 1.0])
    expected = reference.logistic_regression.step(THETA, grads, 0.1)
    got, what = compare.call(student, M, "step", ("theta", "grads", "lr"), THETA, grads, 0.1)
    compare.expect_array(got, expected, what=what, hints=[
        partial(diagnose.wrong_direction, start=THETA), diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.step", points=1, hidden=False)
def test_step_representation(student, reference):
    """returns the documented type: a float64 ndarray of shape (d,)"""
    expect_representations(student, reference, "step", [(("theta", "grads", "lr"),
                                                         (THETA, np.array([0.5, -0.25, 1.0]), 0.1))])


def _trajectory_hints(theta0: np.ndarray) -> list:
    return [partial(diagnose.unchanged, start=theta0, advice="theta is never updated")]


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=False)
def test_gradient_descent_bgd_fixed(student, reference):
    """BGD (batch_size=None): theta and history match the reference"""
    kwargs = dict(lr=0.5, epochs=4, batch_size=None, seed=3)
    theta, history = reference.logistic_regression.gradient_descent(X, Y, **kwargs)
    got, what = compare.call(student, M, "gradient_descent", ("X", "y"), X, Y, **kwargs)
    got_theta, got_history = compare.expect_pair(got, what=what)
    compare.expect_history(got_history, history, what=f"{what}: history", hints=[diagnose.history_shifted])
    compare.expect_array(got_theta, theta, what=f"{what}: theta", hints=_trajectory_hints(np.zeros(3)))


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=False)
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


@pytest.mark.grades("logistic_regression.gradient_descent", points=1, hidden=False)
def test_gradient_descent_representation(student, reference):
    """returns the documented types: a tuple of theta (a float64 ndarray of shape (d,)) and history (a list of floats)"""
    kwargs = dict(lr=0.5, epochs=2, batch_size=3, seed=3)
    expected = reference.logistic_regression.gradient_descent(X7, Y7, **kwargs)
    got, what = compare.call(student, M, "gradient_descent", ("X", "y"), X7, Y7, **kwargs)
    compare.expect_representation(got, expected, what=what)
