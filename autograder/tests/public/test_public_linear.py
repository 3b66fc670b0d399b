"""Public tests of ``linear_regression`` (CONTRACT.md section 4).

Fixed, small inputs, so a student's ``check`` replays the reference answers recorded at
release time. Each test grades one function; the functions it calls are swapped for
the reference's during the call (`compare.call`), so one bug costs points once.
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


@pytest.mark.grades("linear_regression.gradients", points=2, hidden=False)
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


@pytest.mark.grades("linear_regression.gradient_descent", points=2, hidden=False)
def test_gradient_descent_bgd_fixed(student, reference):
    """BGD (batch_size=None): theta and history match the reference"""
    kwargs = dict(lr=0.2, epochs=5, batch_size=None, seed=5, theta0=np.array([0.5, 0.0, -0.5]))
    theta, history = reference.linear_regression.gradient_descent(X, Y, **kwargs)
    got, what = compare.call(student, M, "gradient_descent", ("X", "y"), X, Y, **kwargs)
    got_theta, got_history = compare.expect_pair(got, what=what)
    compare.expect_history(got_history, history, what=f"{what}: history", hints=[diagnose.history_shifted])
    compare.expect_array(got_theta, theta, what=f"{what}: theta", hints=[
        partial(diagnose.unchanged, start=kwargs["theta0"], advice="theta is never updated")])
