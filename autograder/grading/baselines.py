"""scikit-learn's optimum on each task's training split: the target the batch loop must reach.

``baseline(name)`` fits once per process (cached) and is shared by every submission graded in
it. The models are the exact, unpenalised problems the kit's losses define:

- ``logistic`` / ``digits``: ``LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12,
  max_iter=100000)`` (lbfgs) is the maximum-likelihood θ of the mean NLL; the intercept is
  column 0 of X, hence ``fit_intercept=False``; sklearn's default tol=1e-4 stops 2-4e-3 short.
- ``linear``: ``LinearRegression(fit_intercept=False)``, the least-squares θ.

`scores` measures any θ the same way on the same splits, so a submission's θ and the
baseline's are compared metric by metric.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression

from autograder.datasets import Task, load_task
from autograder.metrics import correct, mean_nll, mse, r2


@dataclass(frozen=True)
class Baseline:
    """scikit-learn's θ on a task's training split and its `scores`."""

    task: Task
    theta: np.ndarray
    scores: dict[str, float]


def scores(task: Task, theta: np.ndarray) -> dict[str, float]:
    """The metrics the grading tests compare, for ``theta`` on ``task``.

    Classification: ``train_nll`` (mean NLL on the training split), ``val_correct`` (validation
    samples classified right, predicting 1 where z > 0) and ``val_accuracy``. Regression:
    ``val_mse`` and ``val_r2`` on the validation split, ``train_mse`` on the training split.
    """
    if task.kind == "classification":
        right = correct(task.X_val, task.y_val, theta)
        return {"train_nll": mean_nll(task.X_train, task.y_train, theta), "val_correct": right,
                "val_accuracy": right / len(task.y_val)}
    return {"train_mse": mse(task.X_train, task.y_train, theta), "val_mse": mse(task.X_val, task.y_val, theta),
            "val_r2": r2(task.X_val, task.y_val, theta)}


@functools.cache
def baseline(name: str) -> Baseline:
    """Fit scikit-learn's exact model on ``load_task(name)``'s training split, once per process."""
    task = load_task(name)
    if task.kind == "classification":
        model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=100_000)
    else:
        model = LinearRegression(fit_intercept=False)
    model.fit(task.X_train, task.y_train)
    theta = np.asarray(model.coef_, dtype=np.float64).ravel()
    return Baseline(task=task, theta=theta, scores=scores(task, theta))
