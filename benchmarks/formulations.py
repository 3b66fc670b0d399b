"""Other ways to write the reference's logistic descent, to price its readable formulation.

The reference (``solutions/logistic_regression.py``) computes the gradient as the course
derives it, ``gradient_ij`` broadcast over an ``(n, d)`` array then averaged, and gathers
``X[idx]`` for every batch. The variants here compute the same numbers differently:

- ``matvec``: the reference's own loop, with ``gradients`` as ``Xᵀ(p − y) / n`` (no ``(n, d)``
  temporary: one matrix-vector product);
- ``matvec, one gather``: also shuffles ``X`` once per epoch and takes each batch as a view
  of the shuffled copy (the same rows in the same order as ``X[order[start:stop]]``), and for
  a full batch uses ``X`` itself, since the mean gradient does not depend on the row order.

Each is checked against the reference (same θ and history to 1e-9) before it is timed.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np

from autograder.paths import SOLUTIONS
from autograder.reference import load_module


def matvec_gradients(logistic: Callable) -> Callable:
    def gradients(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """``(1/n) Xᵀ(p − y)``: the same sum as the mean of ``gradient_ij``, without the (n, d) array."""
        return X.T @ (logistic(X, theta) - y) / len(y)

    return gradients


def with_matvec(tag: str = "matvec") -> ModuleType:
    """A fresh copy of the reference module whose ``gradients`` is `matvec_gradients`."""
    module = load_module(SOLUTIONS / "logistic_regression.py", f"_benchmark_{tag}_logistic_regression")
    module.gradients = matvec_gradients(module.logistic)
    return module


def one_gather_descent(module: ModuleType) -> Callable:
    """``gradient_descent`` with one shuffle of X per epoch (views for batches), same numbers."""

    def gradient_descent(X, y, lr=0.1, epochs=100, batch_size=None, seed=0, theta0=None):
        n, d = X.shape
        batch_size = n if batch_size is None else min(int(batch_size), n)
        theta = np.zeros(d) if theta0 is None else np.array(theta0, dtype=float)
        rng = np.random.default_rng(seed)
        history = [module.loss(X, y, theta)]
        for _ in range(epochs):
            order = rng.permutation(n)  # drawn even for a full batch: the same random stream
            Xs, ys = (X, y) if batch_size == n else (X[order], y[order])
            for start in range(0, n, batch_size):
                theta = theta - lr * module.gradients(Xs[start:start + batch_size], ys[start:start + batch_size], theta)
            history.append(module.loss(X, y, theta))
        return theta, history

    return gradient_descent


def variants(reference: ModuleType) -> dict[str, Callable]:
    """``{name: gradient_descent}``: the reference and the variants above."""
    matvec = with_matvec()
    return {"reference": reference.gradient_descent, "matvec": matvec.gradient_descent,
            "matvec, one gather": one_gather_descent(matvec)}


def gradient_forms(reference: ModuleType) -> dict[str, Callable]:
    return {"reference": reference.gradients, "matvec": matvec_gradients(reference.logistic)}


def check_same(reference: ModuleType, rows: int = 2000, d: int = 8) -> None:
    """Every variant gives the reference's θ and history (MGD with a short last batch, and BGD)."""
    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(rows), rng.standard_normal((rows, d - 1))])
    y = (rng.random(rows) < 0.4).astype(float)
    for batch_size in (64, None):
        expected = reference.gradient_descent(X, y, lr=0.1, epochs=3, batch_size=batch_size, seed=3)
        for name, descent in variants(reference).items():
            theta, history = descent(X, y, lr=0.1, epochs=3, batch_size=batch_size, seed=3)
            if not (np.allclose(theta, expected[0], rtol=1e-9, atol=1e-12)
                    and np.allclose(history, expected[1], rtol=1e-9, atol=1e-12)):
                raise AssertionError(f"formulation {name!r} does not reproduce the reference (batch {batch_size})")
