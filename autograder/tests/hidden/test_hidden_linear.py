"""Hidden tests of ``linear_regression``'s functions other than ``gradient_descent``.

Fresh random inputs from the seeded ``rng`` (never the public examples), several shapes per
test, n = 1 included. Each test grades one function; its callees are swapped for the
reference's (`compare.call`). ``normal_equation`` is also checked on a badly conditioned X,
where only a stable solve reaches the least-squares minimum.
"""

from functools import partial

import numpy as np
import pytest

from autograder.grading import compare, diagnose

M = "linear_regression"
SHAPES = [(1, 1), (1, 4), (2, 2), (9, 3), (40, 6)]  # (n, d)


def problem(rng: np.random.Generator, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X with an intercept column and standard-normal features, a noisy linear y, a random theta."""
    X = np.column_stack([np.ones(n), rng.normal(size=(n, d - 1))])
    y = X @ rng.normal(size=d) + rng.normal(scale=0.5, size=n)
    theta = rng.normal(size=d)
    return X, y, theta


@pytest.mark.grades("linear_regression.predict", points=1, hidden=True)
def test_predict_random(student, reference, rng):
    """matches the reference on random inputs of several shapes, and returns a float for one row"""
    for n, d in SHAPES:
        X, _, theta = problem(rng, n, d)
        expected = reference.linear_regression.predict(X, theta)
        got, what = compare.call(student, M, "predict", ("X", "theta"), X, theta)
        compare.expect_array(got, expected, what=what, hints=[diagnose.shape_hint])
    expected = reference.linear_regression.predict(X[3], theta)
    got, what = compare.call(student, M, "predict", ("x", "theta"), X[3], theta)
    compare.expect_float(got, expected, what=what, hints=[diagnose.shape_hint])


@pytest.mark.grades("linear_regression.loss", points=1, hidden=True)
def test_loss_random(student, reference, rng):
    """matches the reference on random inputs of several shapes (n = 1 included)"""
    for n, d in SHAPES:
        X, y, theta = problem(rng, n, d)
        expected = reference.linear_regression.loss(X, y, theta)
        got, what = compare.call(student, M, "loss", ("X", "y", "theta"), X, y, theta)
        compare.expect_float(got, expected, what=what, hints=[
            diagnose.missing_half, partial(diagnose.summed_not_averaged, n=n),
            partial(diagnose.summed_not_averaged, n=2 * n), diagnose.shape_hint])


@pytest.mark.grades("linear_regression.gradient_ij", points=1, hidden=True)
def test_gradient_ij_arrays(student, reference, rng):
    """works elementwise on arrays: an (n, d) X with y and ŷ as (n, 1) columns, and 1-D arrays"""
    X, y, theta = problem(rng, 7, 3)
    yhat = X @ theta
    for args in [(X, y[:, None], yhat[:, None]), (X[:, 1], y, yhat)]:
        expected = reference.linear_regression.gradient_ij(*args)
        got, what = compare.call(student, M, "gradient_ij", ("x_ij", "y_i", "yhat_i"), *args)
        compare.expect_array(got, expected, what=what, hints=[
            diagnose.sign_error, diagnose.extra_factor_two, diagnose.shape_hint])


@pytest.mark.grades("linear_regression.gradients", points=2, hidden=True)
def test_gradients_random(student, reference, rng):
    """matches the reference on random inputs of several shapes (n = 1 included)"""
    for n, d in SHAPES:
        X, y, theta = problem(rng, n, d)
        expected = reference.linear_regression.gradients(X, y, theta)
        got, what = compare.call(student, M, "gradients", ("X", "y", "theta"), X, y, theta)
        compare.expect_array(got, expected, what=what, hints=[
            diagnose.sign_error, diagnose.extra_factor_two, partial(diagnose.summed_not_averaged, n=n),
            partial(diagnose.averaged_twice, n=n), partial(diagnose.per_sample_not_reduced, n=n),
            diagnose.shape_hint])


@pytest.mark.grades("linear_regression.step", points=1, hidden=True)
def test_step_leaves_theta_unchanged(student, rng):
    """returns a new array and leaves theta unchanged (no in-place update)"""
    theta, grads = rng.normal(size=5), rng.normal(size=5)
    got, what = compare.call(student, M, "step", ("theta", "grads", "lr"), theta, grads, 0.1)
    compare.expect_kind(got, theta, what=what)


@pytest.mark.grades("linear_regression.normal_equation", points=1, hidden=True)
def test_normal_equation_random(student, reference, rng):
    """matches the reference on random, well-conditioned problems (n ≥ d)"""
    for n, d in [(3, 3), (9, 3), (40, 6), (200, 11)]:
        X, y, _ = problem(rng, n, d)
        expected = reference.linear_regression.normal_equation(X, y)
        got, what = compare.call(student, M, "normal_equation", ("X", "y"), X, y)
        compare.expect_array(got, expected, what=what, rtol=1e-7, atol=1e-9, hints=[diagnose.shape_hint])


@pytest.mark.grades("linear_regression.normal_equation", points=1, hidden=True)
def test_normal_equation_ill_conditioned(student, reference, rng):
    """reaches the least-squares minimum on a badly conditioned X (cond(X) ≈ 2e8)

    Two nearly collinear columns make cond(XᵀX) ≈ 4e16: an explicit inverse, or a solve of
    XᵀX θ = Xᵀy, then loses every digit (measured: the loss lands 6e-4 to 5e2 above the
    minimum), while a solve on X itself (lstsq, QR, pinv(X)) lands within 2e-9. Graded on the
    loss reached, within 1e-6 relative of the reference's; θ itself is too ill-determined.
    """
    n = 60
    u = rng.normal(size=n)
    X = np.column_stack([np.ones(n), u, u + 1e-8 * rng.normal(size=n), rng.normal(size=n)])
    y = X @ np.array([1.0, 2.0, -1.0, 0.5]) + rng.normal(scale=0.1, size=n)
    best = reference.linear_regression.loss(X, y, reference.linear_regression.normal_equation(X, y))
    got, what = compare.call(student, M, "normal_equation", ("X", "y"), X, y)
    compare.expect_kind(got, np.zeros(X.shape[1]), what=what)
    reached = reference.linear_regression.loss(X, y, got)
    compare.expect_float(reached, best, what=f"the loss at {what}, X of condition number "
                         f"{np.linalg.cond(X):.1e}", rtol=1e-6, atol=0.0, hints=[diagnose.unstable_solve])
