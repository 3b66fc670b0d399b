"""The class leaderboard: how well each student's own ``gradient_descent`` trains.

The entry is the validation accuracy on the default logistic task (breast cancer) of
``logistic_regression.gradient_descent`` run with the course's default hyperparameters and
the student's own functions (no swap: this is their whole pipeline). Accuracy is computed
here, in the grader, from the returned ``theta``; a submission that gives no usable theta
gets no entry value (``None``), never a crash.
"""

from __future__ import annotations

import numpy as np

from autograder.metrics import accuracy
from autograder.sandbox.errors import StudentError

NAME = "validation accuracy (logistic, default hyperparameters)"


def leaderboard_entry(student) -> list[dict]:
    from autograder.datasets import load_task

    task = load_task("logistic")
    value = None
    try:
        theta, _ = student.call("logistic_regression", "gradient_descent", task.X_train, task.y_train, **task.defaults)
        if type(theta) is np.ndarray and theta.shape == (task.X_val.shape[1],) and np.isfinite(theta).all():
            value = round(accuracy(task.X_val, task.y_val, theta.astype(float)), 4)
    except (StudentError, TypeError, ValueError):
        value = None
    return [{"name": NAME, "value": value, "order": "desc"}]
