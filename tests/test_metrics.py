"""The trusted metrics against scikit-learn's, on real splits and on edge cases."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score

from autograder import metrics
from autograder.datasets import load_task


@pytest.fixture(scope="module")
def logistic():
    task = load_task("logistic")
    theta = np.random.default_rng(0).normal(scale=0.3, size=task.X_train.shape[1])
    return task, theta


def test_mean_nll_is_sklearns_log_loss(logistic):
    task, theta = logistic
    p = 1 / (1 + np.exp(-(task.X_train @ theta)))
    assert metrics.mean_nll(task.X_train, task.y_train, theta) == pytest.approx(log_loss(task.y_train, p), rel=1e-12)


def test_mean_nll_is_finite_for_extreme_z():
    X = np.array([[1.0], [1.0]])
    assert metrics.mean_nll(X, np.array([1.0, 0.0]), np.array([1e4])) == pytest.approx(1e4 / 2, rel=1e-12)


def test_accuracy_predicts_as_sklearn_does(logistic):
    task, theta = logistic
    model = LogisticRegression(fit_intercept=False)
    model.classes_, model.coef_, model.intercept_ = np.array([0.0, 1.0]), theta[None, :], np.zeros(1)
    expected = accuracy_score(task.y_val, model.predict(task.X_val))
    assert metrics.accuracy(task.X_val, task.y_val, theta) == expected
    # z = 0 exactly: p = ½ predicts class 0, as LogisticRegression.predict does
    X0 = np.zeros((2, task.X_val.shape[1]))
    assert metrics.correct(X0, np.array([0.0, 1.0]), theta) == int(np.sum(model.predict(X0) == [0.0, 1.0]))


def test_mse_and_r2_are_sklearns():
    task = load_task("linear")
    theta = np.random.default_rng(1).normal(size=task.X_val.shape[1])
    predicted = task.X_val @ theta
    assert metrics.mse(task.X_val, task.y_val, theta) == pytest.approx(mean_squared_error(task.y_val, predicted),
                                                                        rel=1e-12)
    assert metrics.r2(task.X_val, task.y_val, theta) == pytest.approx(r2_score(task.y_val, predicted), rel=1e-12)
