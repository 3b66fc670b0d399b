"""Trusted metrics of a θ on one split: computed by the grader, never by student code."""

from __future__ import annotations

import math

import numpy as np

from autograder.grading.baselines import mean_nll


def evaluate(kind: str, X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> dict[str, float]:
    """The metrics of ``theta`` on one split, computed here (never by student code).

    Classification: ``loss`` = mean NLL ``(1/n) Σ [log(1 + e^{z}) − y z]`` and ``accuracy`` =
    share of rows with ``(z ≥ 0) == (y = 1)`` (p ≥ 0.5). Regression: ``loss`` = ``½ MSE``,
    ``mse`` and ``r2`` = ``1 − Σ r² / Σ (y − ȳ)²``. A non-finite θ gives NaN or inf, no warning.
    """
    with np.errstate(all="ignore"):
        z = X @ theta
        finite = bool(np.all(np.isfinite(z)))
        if kind == "classification":
            accuracy = float(np.mean((z >= 0) == (y == 1))) if finite else math.nan
            return {"loss": mean_nll(X, y, theta), "accuracy": accuracy}
        residual = y - z
        mse = float(np.mean(residual * residual))
        r2 = 1 - float(np.sum(residual * residual)) / float(np.sum((y - y.mean()) ** 2))
        return {"loss": mse / 2, "mse": mse, "r2": r2}


def metric_names(kind: str) -> tuple[str, ...]:
    return ("loss", "accuracy") if kind == "classification" else ("loss", "mse", "r2")


def loss_name(kind: str) -> str:
    return "mean NLL" if kind == "classification" else "½ MSE"
