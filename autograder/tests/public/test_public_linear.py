"""Public tests of ``linear_regression`` (CONTRACT.md section 4).

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

M = "linear_regression"

# Six samples, an intercept column and two features; y is a noisy line in them.
X = np.array([
    [1.0, 0.5, -1.2],
    [1.0, -0.3, 0.8],
    [1.0, 2.0, 0.1],
    [1.0, -1.5, -0.4],
    [1.0, 0.7, 1.9],
    [1.0, -0.9, 0.6],
])
Y = np.array([1.3, -0.2, 3.1, -1.4, 2.6, 0.4])
THETA = np.array([0.2, -0.4, 0.3])


@pytest.mark.grades("linear_regression.predict", points=1, hidden=False)
def test_predict_fixed(student, reference):
    """matches the reference on a small fixed X"""
    expected = reference.linear_regression.predict(X, THETA)
    got, what = compare.call(student, M, "predict", ("X", "theta"), X, THETA)
    compare.expect_array(got, expected, what=what, hints=[diagnose.shape_hint])


@pytest.mark.grades("linear_regression.loss", points=1, hidden=False)
def test_loss_fixed(student, reference):
    """matches the reference on a small fixed problem"""
    expected = reference.linear_regression.loss(X, Y, THETA)
    got, what = compare.call(student, M, "loss", ("X", "y", "theta"), X, Y, THETA)
    compare.expect_float(got, expected, what=what, hints=[
        diagnose.missing_half, partial(diagnose.summed_not_averaged, n=len(Y)),
        partial(diagnose.summed_not_averaged, n=2 * len(Y)), diagnose.shape_hint])


@pytest.mark.grades("linear_regression.gradient_ij", points=1, hidden=False)
def test_gradient_ij_fixed(student, reference):
    """matches the reference on scalars"""
    for x_ij, y_i, yhat_i in [(0.5, 1.3, 0.9), (-1.2, -0.2, 0.4), (2.0, 3.1, 3.5)]:
        expected = reference.linear_regression.gradient_ij(x_ij, y_i, yhat_i)
        got, what = compare.call(student, M, "gradient_ij", ("x_ij", "y_i", "yhat_i"), x_ij, y_i, yhat_i)
        compare.expect_float(got, expected, what=what, hints=[diagnose.sign_error, diagnose.extra_factor_two])


@pytest.mark.grades("linear_regression.gradients", points=1, hidden=False)
def test_gradients_fixed(student, reference):
    """matches the reference on a small fixed problem"""
    expected = reference.linear_regression.gradients(X, Y, THETA)
    got, what = compare.call(student, M, "gradients", ("X", "y", "theta"), X, Y, THETA)
    n = len(Y)
    compare.expect_array(got, expected, what=what, hints=[
        diagnose.sign_error, diagnose.extra_factor_two, partial(diagnose.summed_not_averaged, n=n),
        partial(diagnose.averaged_twice, n=n), partial(diagnose.per_sample_not_reduced, n=n),
        diagnose.shape_hint])


@pytest.mark.grades("linear_regression.step", points=1, hidden=False)
def test_step_fixed(student, reference):
    """returns theta − lr·grads on fixed vectors"""
    grads = np.array([-0.5, 0.25, 2.0])
    expected = reference.linear_regression.step(THETA, grads, 0.05)
    got, what = compare.call(student, M, "step", ("theta", "grads", "lr"), THETA, grads, 0.05)
    compare.expect_array(got, expected, what=what, hints=[
        partial(diagnose.wrong_direction, start=THETA), diagnose.shape_hint])


@pytest.mark.grades("linear_regression.normal_equation", points=1, hidden=False)
def test_normal_equation_fixed(student, reference):
    """matches the reference on a small fixed problem"""
    expected = reference.linear_regression.normal_equation(X, Y)
    got, what = compare.call(student, M, "normal_equation", ("X", "y"), X, Y)
    compare.expect_array(got, expected, what=what, rtol=1e-8, atol=1e-10, hints=[diagnose.shape_hint])


@pytest.mark.grades("linear_regression.gradient_descent", points=1, hidden=False)
def test_gradient_descent_bgd_fixed(student, reference):
    """BGD (batch_size=None): theta and history match the reference"""
    kwargs = dict(lr=0.2, epochs=5, batch_size=None, seed=5, theta0=np.array([0.5, 0.0, -0.5]))
    theta, history = reference.linear_regression.gradient_descent(X, Y, **kwargs)
    got, what = compare.call(student, M, "gradient_descent", ("X", "y"), X, Y, **kwargs)
    got_theta, got_history = compare.expect_pair(got, what=what)
    compare.expect_history(got_history, history, what=f"{what}: history", hints=[diagnose.history_shifted])
    compare.expect_array(got_theta, theta, what=f"{what}: theta", hints=[
        partial(diagnose.unchanged, start=kwargs["theta0"], advice="theta is never updated")])


def expect_representations(student, reference, function: str, calls: list) -> None:
    """Each call's result has exactly the type and shape of the reference's (values aside)."""
    for names, args, kwargs in calls:
        expected = getattr(reference.linear_regression, function)(*args, **kwargs)
        got, what = compare.call(student, M, function, names, *args, **kwargs)
        compare.expect_representation(got, expected, what=what)


@pytest.mark.grades("linear_regression.predict", points=1, hidden=False)
def test_predict_representation(student, reference):
    """returns the documented types: an ndarray of shape (n,) for a 2-D X, a float for one row"""
    expect_representations(student, reference, "predict", [(("X", "theta"), (X, THETA), {}),
                                                           (("x", "theta"), (X[1], THETA), {})])


@pytest.mark.grades("linear_regression.loss", points=1, hidden=False)
def test_loss_representation(student, reference):
    """returns the documented type: a float"""
    expect_representations(student, reference, "loss", [(("X", "y", "theta"), (X, Y, THETA), {})])


@pytest.mark.grades("linear_regression.gradient_ij", points=1, hidden=False)
def test_gradient_ij_representation(student, reference):
    """returns the documented types: a float for scalars, an ndarray of the broadcast shape for arrays"""
    yhat = reference.linear_regression.predict(X, THETA)
    expect_representations(student, reference, "gradient_ij", [
        (("x_ij", "y_i", "yhat_i"), (0.5, 1.3, 0.9), {}), (("x_ij", "y_i", "yhat_i"), (X, Y[:, None], yhat[:, None]), {})])


@pytest.mark.grades("linear_regression.gradients", points=1, hidden=False)
def test_gradients_representation(student, reference):
    """returns the documented type: a float64 ndarray of shape (d,)"""
    expect_representations(student, reference, "gradients", [(("X", "y", "theta"), (X, Y, THETA), {})])


@pytest.mark.grades("linear_regression.step", points=1, hidden=False)
def test_step_representation(student, reference):
    """returns the documented type: a float64 ndarray of shape (d,)"""
    expect_representations(student, reference, "step", [(("theta", "grads", "lr"),
                                                         (THETA, np.array([-0.5, 0.25, 2.0]), 0.05), {})])


@pytest.mark.grades("linear_regression.normal_equation", points=1, hidden=False)
def test_normal_equation_representation(student, reference):
    """returns the documented type: a float64 ndarray of shape (d,)"""
    expect_representations(student, reference, "normal_equation", [(("X", "y"), (X, Y), {})])


@pytest.mark.grades("linear_regression.gradient_descent", points=1, hidden=False)
def test_gradient_descent_representation(student, reference):
    """returns the documented types: a tuple of theta (a float64 ndarray of shape (d,)) and history (a list of floats)"""
    expect_representations(student, reference, "gradient_descent", [
        (("X", "y"), (X, Y), dict(lr=0.2, epochs=2, batch_size=4, seed=1))])
