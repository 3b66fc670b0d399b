"""Logistic regression, fitted by maximum likelihood with gradient descent.

Model: ``p_i = σ(z_i)`` with ``z_i = x_i·θ`` and ``σ(z) = 1 / (1 + e^{-z})``.

Each label is a Bernoulli draw, so the likelihood of θ is
``L(θ) = Π_i p_i^{y_i} (1 − p_i)^{1 − y_i}``. The logarithm is increasing, so maximising
``L`` is minimising the mean negative log-likelihood (NLL)

    l(θ) = −(1/n) log L(θ) = (1/n) Σ_i [log(1 + e^{z_i}) − y_i z_i].

The NLL is convex in θ, so gradient descent with a small enough learning rate reaches its
global minimum whenever one exists. There is no closed form: setting the gradient to zero
gives equations that are non-linear in θ.
"""

import numpy as np


def logistic(X: np.ndarray, theta: np.ndarray) -> np.ndarray | float:
    """Probability that y = 1: ``σ(X @ theta)``.

    ``σ(z) = 1 / (1 + e^{-z}) = exp(−log(1 + e^{-z}))``; the second form, with
    ``np.logaddexp(0, −z) = log(1 + e^{-z})``, never overflows, so the result is exact and
    warning-free for any finite z (|z| up to 1e4 and beyond).

    Parameters
    ----------
    X : ndarray of shape (n, d), or (d,) for a single row
    theta : ndarray of shape (d,)

    Returns
    -------
    p : ndarray of shape (n,), or a float when X is one row
    """
    # TODO: compute z = X @ theta, then σ(z) = exp(−logaddexp(0, −z)); return a float for a 1-D X
    raise NotImplementedError("logistic: compute z = X @ theta, then σ(z) = exp(−logaddexp(0, −z)); return a float for a 1-D X")


def loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """Mean negative log-likelihood ``(1/n) Σ_i [log(1 + e^{z_i}) − y_i z_i]``.

    This is ``−(1/n) Σ_i [y_i log p_i + (1 − y_i) log(1 − p_i)]`` rewritten with
    ``log(p / (1 − p)) = z`` and ``log(1 − p) = −log(1 + e^{z})``; ``np.logaddexp(0, z)``
    keeps it finite for any finite z, where the log-of-probabilities form gives ``inf``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,), labels in {0, 1}
    theta : ndarray of shape (d,)

    Returns
    -------
    loss : float
    """
    # TODO: z = X @ theta; average logaddexp(0, z) − y·z over the samples; return a float
    raise NotImplementedError("loss: z = X @ theta; average logaddexp(0, z) − y·z over the samples; return a float")


def gradient_ij(x_ij: np.ndarray | float, y_i: np.ndarray | float, p_i: np.ndarray | float) -> np.ndarray | float:
    """Derivative of sample i's NLL with respect to ``θ_j``: ``−(y_i − p_i) · x_ij``.

    From ``l_i(θ) = log(1 + e^{z_i}) − y_i z_i`` and ``∂z_i/∂θ_j = x_ij``:
    ``∂l_i/∂θ_j = (e^{z_i} / (1 + e^{z_i}) − y_i) x_ij = −(y_i − p_i) x_ij``.
    Works elementwise on arrays of matching (broadcastable) shapes.
    """
    # TODO: the derivative is −(y_i − p_i) times x_ij
    raise NotImplementedError("gradient_ij: the derivative is −(y_i − p_i) times x_ij")


def gradients(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Gradient of `loss`: ``∂l/∂θ_j = (1/n) Σ_i −(y_i − p_i) x_ij`` for every j.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    theta : ndarray of shape (d,)

    Returns
    -------
    grads : ndarray of shape (d,)
    """
    # TODO: p = logistic(X, theta); apply gradient_ij to all (i, j) at once (y and p as columns), then average over i
    raise NotImplementedError("gradients: p = logistic(X, theta); apply gradient_ij to all (i, j) at once (y and p as columns), then average over i")


def step(theta: np.ndarray, grads: np.ndarray, lr: float) -> np.ndarray:
    """One gradient-descent update, as a new array: ``θ − lr · ∇l(θ)``.

    The directional derivative of l along a unit vector u is ``∇l · u = |∇l| cos α``; it is
    most negative for u = −∇l / |∇l|, so a small step against the gradient lowers the loss
    fastest. ``lr`` (the learning rate) sets the step length.
    """
    # TODO: move against the gradient by lr, returning a new array (do not modify theta)
    raise NotImplementedError("step: move against the gradient by lr, returning a new array (do not modify theta)")


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

    ``batch_size=None`` (or any value ≥ n) is batch gradient descent (BGD: one update per
    epoch on all rows); ``1`` is stochastic gradient descent (SGD: one row per update);
    ``k`` is mini-batch gradient descent (MGD: k rows per update). Each epoch walks
    ``rng.permutation(n)`` in consecutive slices of ``batch_size``, the shorter last slice
    included, so it makes ``ceil(n / batch_size)`` updates. Each update computes the mean
    gradient over its batch and applies ``step`` (or ``optimizer.update``, which then owns
    the learning rate and keeps its state across batches and epochs).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    lr : float, learning rate for `step` (ignored when ``optimizer`` is given)
    epochs : int, number of passes over the data
    batch_size : int or None
    seed : int, seeds ``np.random.default_rng``, made once
    theta0 : ndarray of shape (d,) or None (zeros); copied, never modified
    optimizer : object with ``update(params, grads)``, or None

    Returns
    -------
    theta : ndarray of shape (d,)
    history : list of ``epochs + 1`` floats, the loss on all of X, y before the first epoch
        and after each one

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
