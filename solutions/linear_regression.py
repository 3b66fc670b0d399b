"""Linear regression, fitted by least squares in closed form and by gradient descent.

Model: ``ŷ_i = x_i·θ``. With Gaussian noise, ``y_i = x_i·θ + ε_i`` and ``ε_i ~ N(0, σ²)``,
the log-likelihood is ``−(1/(2σ²)) Σ_i (y_i − ŷ_i)² + const``, so the maximum-likelihood θ
is the least-squares θ. The loss below is the mean squared error halved,

    l(θ) = (1/(2n)) Σ_i (y_i − ŷ_i)²,

whose ½ cancels the 2 of the derivative. It is convex; its minimum solves the normal
equation ``XᵀX θ = Xᵀy``, and gradient descent reaches the same point.
"""

import numpy as np


def predict(X: np.ndarray, theta: np.ndarray) -> np.ndarray | float:
    """Predictions ``X @ theta``: shape (n,), or a float when X is one row of shape (d,)."""
    # BEGIN SOLUTION: ŷ = X @ theta; return a float for a 1-D X
    yhat = X @ theta
    return yhat if np.ndim(yhat) else float(yhat)
    # END SOLUTION


def loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """Half the mean squared error: ``(1/(2n)) Σ_i (y_i − ŷ_i)²``, as a float."""
    # BEGIN SOLUTION: residuals y − predict(X, theta); half their mean square, as a float
    residuals = y - predict(X, theta)
    return float(np.mean(residuals**2) / 2)
    # END SOLUTION


def gradient_ij(x_ij: np.ndarray | float, y_i: np.ndarray | float, yhat_i: np.ndarray | float) -> np.ndarray | float:
    """Derivative of ``½(y_i − ŷ_i)²`` with respect to ``θ_j``: ``−(y_i − ŷ_i) · x_ij``.

    Works elementwise on arrays of matching (broadcastable) shapes.
    """
    # BEGIN SOLUTION: the derivative is −(y_i − ŷ_i) times x_ij
    return -(y_i - yhat_i) * x_ij
    # END SOLUTION


def gradients(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Gradient of `loss`: ``∂l/∂θ_j = (1/n) Σ_i −(y_i − ŷ_i) x_ij``, shape (d,)."""
    # BEGIN SOLUTION: yhat = predict(X, theta); apply gradient_ij to all (i, j) at once (y and yhat as columns), then average over i
    yhat = predict(X, theta)
    return gradient_ij(X, y[:, None], yhat[:, None]).mean(axis=0)
    # END SOLUTION


def step(theta: np.ndarray, grads: np.ndarray, lr: float) -> np.ndarray:
    """One gradient-descent update, as a new array: ``θ − lr · ∇l(θ)``."""
    # BEGIN SOLUTION: move against the gradient by lr, returning a new array (do not modify theta)
    return theta - lr * grads
    # END SOLUTION


def normal_equation(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Closed-form least squares: the θ that solves ``XᵀX θ = Xᵀy``.

    Solved by ``np.linalg.lstsq`` (an SVD of X), which is stable even when XᵀX is badly
    conditioned; forming and inverting XᵀX squares the condition number.

    Returns
    -------
    theta : ndarray of shape (d,)
    """
    # BEGIN SOLUTION: solve the least-squares problem with np.linalg.lstsq (rcond=None) and return its first output
    return np.linalg.lstsq(X, y, rcond=None)[0]
    # END SOLUTION


def gradient_descent(
    X: np.ndarray,
    y: np.ndarray,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    theta0: np.ndarray | None = None,
    optimizer=None,
) -> tuple[np.ndarray, list[float]]:
    """Minimise `loss` by batch, stochastic or mini-batch gradient descent.

    The same batch loop as ``logistic_regression.gradient_descent``, with this module's
    `loss` and `gradients`: ``batch_size=None`` (or ≥ n) is BGD, ``1`` is SGD, ``k`` is
    MGD; each epoch walks ``rng.permutation(n)`` in slices of ``batch_size``, the shorter
    last slice included.

    Returns
    -------
    theta : ndarray of shape (d,)
    history : list of ``epochs + 1`` floats, the loss before the first epoch and after each

    Raises
    ------
    ValueError
        If ``batch_size`` is not None and not a positive integer.
    """
    n, d = X.shape
    # BEGIN SOLUTION: None or ≥ n means n (BGD); reject bools, non-integers and values < 1 with ValueError
    if batch_size is None:
        batch_size = n
    elif isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be None or a positive integer, got {batch_size!r}")
    batch_size = min(int(batch_size), n)
    # END SOLUTION
    # BEGIN SOLUTION: copy theta0 (or zeros), make rng once, then per epoch walk rng.permutation(n) in slices of batch_size, updating with step or optimizer.update; record the loss before and after every epoch
    theta = np.zeros(d) if theta0 is None else np.array(theta0, dtype=float)
    params = {"theta": theta}
    rng = np.random.default_rng(seed)
    history = [loss(X, y, theta)]
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            g = gradients(X[idx], y[idx], theta)
            if optimizer is None:
                theta = step(theta, g, lr)
            else:
                optimizer.update(params, {"theta": g})
                theta = params["theta"]
        history.append(loss(X, y, theta))
    return theta, history
    # END SOLUTION
