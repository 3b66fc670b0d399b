"""Hidden tests of ``logistic_regression``'s functions other than ``gradient_descent``.

Fresh random inputs from the seeded ``rng`` (never the public examples), several shapes per
test, n = 1 included, and the extreme z the contract promises to handle (|z| up to 1e4).
Each test grades one function; its callees are swapped for the reference's (`compare.call`).
The ``..._warning_free`` tests run the extreme z with warnings recorded in the sandbox: a
correct answer reached through an overflow (``1 / (1 + np.exp(-z))``) costs that point only.
"""

from functools import partial

import numpy as np
import pytest

from autograder.grading import compare, diagnose

M = "logistic_regression"
SHAPES = [(1, 1), (1, 4), (2, 2), (9, 3), (40, 6)]  # (n, d)

# z = X @ theta for the extreme tests: both tails, each beyond exp's range (|z| > 709) too.
EXTREME_Z = np.array([-1e4, -1e3, -800.0, -700.0, -40.0, -5.0, 0.0, 5.0, 40.0, 700.0, 800.0, 1e3, 1e4])
# Probabilities are compared to 1e-12 absolute: for |z| ≥ 28 the exact value is within 1e-12
# of 0 or 1, so clipping z or p there is accepted; NaN, inf, or the wrong tail are not.
EXTREME_P_TOL = dict(rtol=1e-9, atol=1e-12)


def problem(rng: np.random.Generator, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X with an intercept column and standard-normal features, 0/1 labels, a theta of scale 1."""
    X = np.column_stack([np.ones(n), rng.normal(size=(n, d - 1))])
    y = rng.integers(0, 2, size=n).astype(np.float64)
    theta = rng.normal(size=d)
    return X, y, theta


def extreme_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X = [1, z] and theta = [0, 1], so X @ theta = EXTREME_Z; y makes every large |z| costly."""
    X = np.column_stack([np.ones(EXTREME_Z.size), EXTREME_Z])
    y = (EXTREME_Z < 0).astype(np.float64)  # the wrong label for every z ≠ 0: the loss is ≈ |z|
    y[[0, -1]] = [0.0, 1.0]  # ...but right at ±1e4, where the exact loss term is 0
    return X, y, np.array([0.0, 1.0])


@pytest.mark.grades("logistic_regression.logistic", points=2, hidden=True)
def test_logistic_random(student, reference, rng):
    """matches the reference on random inputs of several shapes (n = 1 included)"""
    for n, d in SHAPES:
        X, _, theta = problem(rng, n, d)
        expected = reference.logistic_regression.logistic(X, theta)
        got, what = compare.call(student, M, "logistic", ("X", "theta"), X, theta)
        compare.expect_array(got, expected, what=what, hints=[diagnose.complement, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.logistic", points=2, hidden=True)
def test_logistic_extreme_z(student, reference):
    """exact and finite for extreme z (|z| up to 1e4), for a 2-D X and for single rows"""
    X, _, theta = extreme_problem()
    hints = [partial(diagnose.overflow, z=EXTREME_Z), diagnose.complement]
    expected = reference.logistic_regression.logistic(X, theta)
    got, what = compare.call(student, M, "logistic", ("X", "theta"), X, theta)
    compare.expect_array(got, expected, what=f"{what} (z = {compare.fmt(EXTREME_Z)})", hints=hints,
                         **EXTREME_P_TOL)
    for row in (0, 4, 9, 12):
        expected = reference.logistic_regression.logistic(X[row], theta)
        got, what = compare.call(student, M, "logistic", ("x", "theta"), X[row], theta)
        compare.expect_float(got, expected, what=f"{what} (z = {EXTREME_Z[row]:g})", hints=hints, **EXTREME_P_TOL)


@pytest.mark.grades("logistic_regression.loss", points=2, hidden=True)
def test_loss_random(student, reference, rng):
    """matches the reference on random inputs of several shapes (n = 1 included)"""
    for n, d in SHAPES:
        X, y, theta = problem(rng, n, d)
        expected = reference.logistic_regression.loss(X, y, theta)
        got, what = compare.call(student, M, "loss", ("X", "y", "theta"), X, y, theta)
        compare.expect_float(got, expected, what=what, hints=[
            partial(diagnose.summed_not_averaged, n=n), diagnose.sign_error, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.loss", points=1, hidden=True)
def test_loss_extreme_z(student, reference):
    """finite and exact for extreme z (|z| up to 1e4), where log(p) or log(1 − p) underflows"""
    X, y, theta = extreme_problem()
    for rows in (slice(None), slice(2, 3), slice(10, 11)):  # all of them, then z = −800 and z = 800 alone
        expected = reference.logistic_regression.loss(X[rows], y[rows], theta)
        got, what = compare.call(student, M, "loss", ("X", "y", "theta"), X[rows], y[rows], theta)
        compare.expect_float(got, expected, what=f"{what} (z = {compare.fmt(EXTREME_Z[rows])})", rtol=1e-9,
                             hints=[partial(diagnose.loss_not_finite, z=EXTREME_Z[rows]),
                                    partial(diagnose.capped_loss, z=EXTREME_Z[rows]),
                                    partial(diagnose.summed_not_averaged, n=len(y[rows]))])


@pytest.mark.grades("logistic_regression.logistic", points=1, hidden=True)
def test_logistic_warning_free(student, reference):
    """correct and raises no RuntimeWarning (overflow, divide by zero, invalid value) for extreme z"""
    X, _, theta = extreme_problem()
    for x, names in ((X, ("X", "theta")), (X[0], ("x", "theta")), (X[12], ("x", "theta"))):
        got = compare.expect_warning_free(student, M, "logistic", names, x, theta)
        compare.expect_array(got, reference.logistic_regression.logistic(x, theta), what="logistic: the result",
                             **EXTREME_P_TOL)


@pytest.mark.grades("logistic_regression.loss", points=1, hidden=True)
def test_loss_warning_free(student, reference):
    """correct and raises no RuntimeWarning (overflow, divide by zero, invalid value) for extreme z"""
    X, y, theta = extreme_problem()
    for rows in (slice(None), slice(2, 3), slice(10, 11)):
        got = compare.expect_warning_free(student, M, "loss", ("X", "y", "theta"), X[rows], y[rows], theta)
        compare.expect_float(got, reference.logistic_regression.loss(X[rows], y[rows], theta), what="loss: the result",
                             rtol=1e-9)


@pytest.mark.grades("logistic_regression.gradient_ij", points=1, hidden=True)
def test_gradient_ij_arrays(student, reference, rng):
    """works elementwise on arrays: an (n, d) X with y and p as (n, 1) columns, and 1-D arrays"""
    X, y, _ = problem(rng, 7, 3)
    p = rng.uniform(0.01, 0.99, size=7)
    for args in [(X, y[:, None], p[:, None]), (X[:, 1], y, p)]:
        expected = reference.logistic_regression.gradient_ij(*args)
        got, what = compare.call(student, M, "gradient_ij", ("x_ij", "y_i", "p_i"), *args)
        compare.expect_array(got, expected, what=what, hints=[diagnose.sign_error, diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.gradients", points=3, hidden=True)
def test_gradients_random(student, reference, rng):
    """matches the reference on random inputs of several shapes (n = 1 included)"""
    for n, d in SHAPES:
        X, y, theta = problem(rng, n, d)
        expected = reference.logistic_regression.gradients(X, y, theta)
        got, what = compare.call(student, M, "gradients", ("X", "y", "theta"), X, y, theta)
        compare.expect_array(got, expected, what=what, hints=[
            diagnose.sign_error, partial(diagnose.summed_not_averaged, n=n), partial(diagnose.averaged_twice, n=n),
            partial(diagnose.per_sample_not_reduced, n=n), diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.step", points=1, hidden=True)
def test_step_random(student, reference, rng):
    """returns theta − lr·grads on random vectors and learning rates"""
    for d, lr in [(1, 0.5), (4, 0.01), (10, 2.0)]:
        theta, grads = rng.normal(size=d), rng.normal(size=d)
        expected = reference.logistic_regression.step(theta, grads, lr)
        got, what = compare.call(student, M, "step", ("theta", "grads", "lr"), theta, grads, lr)
        compare.expect_array(got, expected, what=what, hints=[
            partial(diagnose.wrong_direction, start=theta), diagnose.shape_hint])


@pytest.mark.grades("logistic_regression.step", points=1, hidden=True)
def test_step_leaves_theta_unchanged(student, rng):
    """returns a new array and leaves theta unchanged (no in-place update)"""
    theta, grads = rng.normal(size=5), rng.normal(size=5)
    got, what = compare.call(student, M, "step", ("theta", "grads", "lr"), theta, grads, 0.1)
    compare.expect_kind(got, theta, what=what)
