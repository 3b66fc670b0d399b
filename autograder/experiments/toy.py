"""The classic optimizer comparison on a toy function (Deep Learning from Scratch, ch. 6)."""

from __future__ import annotations

import numpy as np

from autograder.contract import OPTIMIZERS, TOY_LR

# f(x, y) = x²/20 + y² from (−7, 2), 30 steps, each optimizer with the step size that shows its
# character (`autograder.contract.TOY_LR`), its other hyperparameters at their defaults.
TOY_START = (-7.0, 2.0)
TOY_STEPS = 30
TOY_SETTINGS: dict[str, dict[str, float]] = {name: {"lr": TOY_LR[name]} for name in OPTIMIZERS}


def toy_function(x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray | float:
    """``f(x, y) = x²/20 + y²``: a long, narrow valley along x, its minimum at (0, 0)."""
    return x**2 / 20 + y**2


def toy_gradient(point: np.ndarray) -> np.ndarray:
    """``∇f = (x/10, 2y)``."""
    return np.array([point[0] / 10, 2 * point[1]])
