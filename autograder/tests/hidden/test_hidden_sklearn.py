"""Hidden tests: ``gradient_descent`` on the real data reaches scikit-learn's optimum.

The submission's loop runs on the task's training split with the course's default
hyperparameters, ``task.defaults``, with the functions it calls swapped for the reference's;
once the loop has passed its own tests, only those that have not (`compare.partial_swap`,
from the ``proven`` fixture): the others' own run is the same computation within tolerance,
and each saves one callback per batch (thousands of them for the linear defaults). Its θ is
scored like scikit-learn's exact fit (`autograder.grading.baselines`, fitted once per process).
With these defaults the reference lands within 7e-5 of sklearn's train NLL and 2e-4 (relative)
of its validation MSE and R², so the tolerances below leave a wide margin for round-off while
any real bug in the loop (wrong batches, too few updates, wrong loss recorded) misses them.
"""

import numpy as np
import pytest

from autograder.grading import compare
from autograder.grading.baselines import baseline, scores

NLL_TOL = 1e-3  # absolute, on the mean NLL of the training split (≈ 0.158 at the optimum)
ACCURACY_TOL = 1  # validation samples classified differently
LINEAR_RTOL = 1e-3  # relative, on the validation MSE and R²


def run_defaults(student, proven: frozenset[str], module: str, name: str) -> tuple[np.ndarray, dict, str]:
    """The submission's θ from ``gradient_descent(X_train, y_train, **defaults)``, and its scores."""
    task = baseline(name).task
    got, what = compare.call(student, module, "gradient_descent", ("X_train", "y_train"), task.X_train,
                             task.y_train, swap=compare.partial_swap(module, "gradient_descent", proven), timeout=120,
                             **task.defaults)
    theta, _ = compare.expect_pair(got, what=what)
    compare.expect_kind(theta, baseline(name).theta, what=f"{what}: theta")
    if not np.isfinite(theta).all():
        raise AssertionError(f"{what}: theta is not finite: {compare.fmt(theta)}")
    return theta, scores(task, theta), what


@pytest.mark.grades("logistic_regression.gradient_descent", points=2, hidden=True)
def test_logistic_gradient_descent_reaches_sklearn(student, proven):
    """with the course's defaults on breast cancer, reaches scikit-learn's maximum-likelihood fit

    Train NLL within 1e-3 of LogisticRegression(C=inf)'s, and the same validation accuracy
    within one sample.
    """
    sk = baseline("logistic").scores
    _, got, what = run_defaults(student, proven, "logistic_regression", "logistic")
    n_val = len(baseline("logistic").task.y_val)
    nll_ok = abs(got["train_nll"] - sk["train_nll"]) <= NLL_TOL
    accuracy_ok = abs(got["val_correct"] - sk["val_correct"]) <= ACCURACY_TOL
    if not (nll_ok and accuracy_ok):
        raise AssertionError(
            f"{what}: does not reach scikit-learn's maximum-likelihood fit\n"
            f"  train NLL: expected {sk['train_nll']:.6f} ± {NLL_TOL:g}, got {got['train_nll']:.6f}\n"
            f"  validation accuracy: expected {sk['val_correct']}/{n_val} ± {ACCURACY_TOL} sample, "
            f"got {got['val_correct']}/{n_val}")


@pytest.mark.grades("linear_regression.gradient_descent", points=2, hidden=True)
def test_linear_gradient_descent_reaches_sklearn(student, proven):
    """with the course's defaults on diabetes, reaches scikit-learn's least-squares fit

    Validation MSE and R² each within 1e-3 (relative) of LinearRegression's.
    """
    sk = baseline("linear").scores
    _, got, what = run_defaults(student, proven, "linear_regression", "linear")
    off = {key: abs(got[key] - sk[key]) / abs(sk[key]) for key in ("val_mse", "val_r2")}
    if max(off.values()) > LINEAR_RTOL:
        raise AssertionError(
            f"{what}: does not reach scikit-learn's least-squares fit (allowed: {LINEAR_RTOL:g} relative)\n"
            f"  validation MSE: expected {sk['val_mse']:.6g}, got {got['val_mse']:.6g}\n"
            f"  validation R²: expected {sk['val_r2']:.6f}, got {got['val_r2']:.6f}")
