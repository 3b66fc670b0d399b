"""The trusted metrics of a θ: computed by the grader from the θ a submission returned, never
by student code. Grading (`grading.baselines`, `grading.leaderboard`) and the sweep's table
(`experiments.metrics`) measure with these, so a θ scores the same everywhere.

numpy only (no scikit-learn import: ``check`` and a one-shot ``grade`` stay light);
``tests/test_metrics.py`` holds them to scikit-learn's ``log_loss``, ``accuracy_score``,
``mean_squared_error`` and ``r2_score``.
"""

from __future__ import annotations

import numpy as np


def mean_nll(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """``(1/n) Σ_i [log(1 + e^{z_i}) − y_i z_i]`` with ``z = X @ theta``, never overflowing."""
    z = X @ theta
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def correct(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> int:
    """How many rows ``theta`` classifies right, predicting 1 where ``z = x·θ > 0`` (p > ½), as
    scikit-learn's ``LogisticRegression.predict`` does."""
    return int(np.sum((X @ theta > 0) == (y == 1)))


def accuracy(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """The share of rows classified right (see `correct`)."""
    return correct(X, y, theta) / len(y)


def mse(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """``(1/n) Σ (y_i − x_i·θ)²`` (the linear ``loss`` is half of it)."""
    residual = y - X @ theta
    return float(np.mean(residual * residual))


def r2(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """``1 − Σ (y_i − x_i·θ)² / Σ (y_i − ȳ)²``."""
    residual = y - X @ theta
    return 1.0 - float(np.sum(residual * residual)) / float(np.sum((y - y.mean()) ** 2))
