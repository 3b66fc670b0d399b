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
    # TODO: ŷ = X @ theta; return a float for a 1-D X
    raise NotImplementedError("predict: ŷ = X @ theta; return a float for a 1-D X")


def loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """Half the mean squared error: ``(1/(2n)) Σ_i (y_i − ŷ_i)²``, as a float."""
    # TODO: residuals y − predict(X, theta); half their mean square, as a float
    raise NotImplementedError("loss: residuals y − predict(X, theta); half their mean square, as a float")


def gradient_ij(x_ij: np.ndarray | float, y_i: np.ndarray | float, yhat_i: np.ndarray | float) -> np.ndarray | float:
    """Derivative of ``½(y_i − ŷ_i)²`` with respect to ``θ_j``: ``−(y_i − ŷ_i) · x_ij``.

    Works elementwise on arrays of matching (broadcastable) shapes.
    """
    # TODO: the derivative is −(y_i − ŷ_i) times x_ij
    raise NotImplementedError("gradient_ij: the derivative is −(y_i − ŷ_i) times x_ij")


def gradients(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Gradient of `loss`: ``∂l/∂θ_j = (1/n) Σ_i −(y_i − ŷ_i) x_ij``, shape (d,)."""
    # TODO: yhat = predict(X, theta); apply gradient_ij to all (i, j) at once (y and yhat as columns), then average over i
    raise NotImplementedError("gradients: yhat = predict(X, theta); apply gradient_ij to all (i, j) at once (y and yhat as columns), then average over i")


def step(theta: np.ndarray, grads: np.ndarray, lr: float) -> np.ndarray:
    """One gradient-descent update, as a new array: ``θ − lr · ∇l(θ)``."""
    # TODO: move against the gradient by lr, returning a new array (do not modify theta)
    raise NotImplementedError("step: move against the gradient by lr, returning a new array (do not modify theta)")


def normal_equation(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Closed-form least squares: the θ that solves ``XᵀX θ = Xᵀy``.

    Solved by ``np.linalg.lstsq`` (an SVD of X), which is stable even when XᵀX is badly
    conditioned; forming and inverting XᵀX squares the condition number.

    Returns
    -------
    theta : ndarray of shape (d,)
    """
    # TODO: solve the least-squares problem with np.linalg.lstsq (rcond=None) and return its first output
    raise NotImplementedError("normal_equation: solve the least-squares problem with np.linalg.lstsq (rcond=None) and return its first output")


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
    # TODO: None or ≥ n means n (BGD); reject bools, non-integers and values < 1 with ValueError
    raise NotImplementedError("gradient_descent: None or ≥ n means n (BGD); reject bools, non-integers and values < 1 with ValueError")
    # TODO: copy theta0 (or zeros), make rng once, then per epoch walk rng.permutation(n) in slices of batch_size, updating with step or optimizer.update; record the loss before and after every epoch
    raise NotImplementedError("gradient_descent: copy theta0 (or zeros), make rng once, then per epoch walk rng.permutation(n) in slices of batch_size, updating with step or optimizer.update; record the loss before and after every epoch")
