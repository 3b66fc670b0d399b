"""Trusted metrics of a θ on one split: computed by the grader, never by student code."""

from __future__ import annotations

import math

import numpy as np

from autograder import metrics


def evaluate(kind: str, X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> dict[str, float]:
    """The sweep table's metrics of ``theta`` on one split (`autograder.metrics`).

    Classification: ``loss`` = mean NLL ``(1/n) Σ [log(1 + e^{z}) − y z]`` and ``accuracy``
    (p > ½ predicts 1). Regression: ``loss`` = ``½ MSE``, ``mse`` and ``r2``. A non-finite θ
    gives NaN or inf, no warning.
    """
    with np.errstate(all="ignore"):
        if kind == "classification":
            finite = bool(np.all(np.isfinite(X @ theta)))
            accuracy = metrics.accuracy(X, y, theta) if finite else math.nan
            return {"loss": metrics.mean_nll(X, y, theta), "accuracy": accuracy}
        mse = metrics.mse(X, y, theta)
        return {"loss": mse / 2, "mse": mse, "r2": metrics.r2(X, y, theta)}


def metric_names(kind: str) -> tuple[str, ...]:
    return ("loss", "accuracy") if kind == "classification" else ("loss", "mse", "r2")


def loss_name(kind: str) -> str:
    return "mean NLL" if kind == "classification" else "½ MSE"
