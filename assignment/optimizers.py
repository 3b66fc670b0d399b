"""Optimizers that improve on plain gradient descent.

Each class is built as ``Name(**hyperparameters)`` and has one method,
``update(params, grads)``: both are dicts from a name to an ndarray, and every
``params[key]`` is updated in place. State (velocity, accumulators, step count) is kept per
key on the instance, made lazily as zeros of the parameter's shape on the first call.
``g`` is a key's gradient and ``t`` counts the updates, starting at 1.
"""

import numpy as np


class SGD:
    """Stochastic gradient descent: ``w ← w − lr·g``."""

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        # TODO: for every key, subtract lr times its gradient in place
        raise NotImplementedError("SGD.update: for every key, subtract lr times its gradient in place")


class Momentum:
    """Momentum: ``v ← μv − lr·g; w ← w + v``.

    The velocity v is a decaying sum of past steps: directions the gradient keeps pointing
    accumulate speed, directions where it flips sign cancel out.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: dict[str, np.ndarray] = {}

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        # TODO: per key, start v at zeros of the parameter's shape; v ← μv − lr·g; w ← w + v
        raise NotImplementedError("Momentum.update: per key, start v at zeros of the parameter's shape; v ← μv − lr·g; w ← w + v")


class Nesterov:
    """Nesterov momentum: ``v' ← μv − lr·g; w ← w + μv' − lr·g; v ← v'``.

    The step looks ahead along the new velocity, the same rule as
    ``torch.optim.SGD(nesterov=True)``.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: dict[str, np.ndarray] = {}

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        # TODO: per key, v' = μv − lr·g, then w ← w + μv' − lr·g, then keep v'
        raise NotImplementedError("Nesterov.update: per key, v' = μv − lr·g, then w ← w + μv' − lr·g, then keep v'")


class AdaGrad:
    """AdaGrad: ``h ← h + g²; w ← w − lr·g / (√h + eps)``.

    Each coordinate's step is divided by the root of its summed squared gradients, so
    coordinates that moved a lot slow down. h only grows, so the steps shrink towards zero.
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        self.lr = lr
        self.eps = eps
        self.h: dict[str, np.ndarray] = {}

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        # TODO: per key, h starts at zeros; h ← h + g²; w ← w − lr·g / (√h + eps), eps outside the root
        raise NotImplementedError("AdaGrad.update: per key, h starts at zeros; h ← h + g²; w ← w − lr·g / (√h + eps), eps outside the root")


class RMSprop:
    """RMSprop: ``h ← ρh + (1−ρ)g²; w ← w − lr·g / (√h + eps)``.

    An exponential moving average replaces AdaGrad's sum, so old gradients fade and the
    steps no longer shrink to zero.
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h: dict[str, np.ndarray] = {}

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        # TODO: per key, h starts at zeros; h ← ρh + (1−ρ)g²; w ← w − lr·g / (√h + eps)
        raise NotImplementedError("RMSprop.update: per key, h starts at zeros; h ← ρh + (1−ρ)g²; w ← w − lr·g / (√h + eps)")


class Adam:
    """Adam (Kingma & Ba, Algorithm 1): momentum on g and RMSprop on g², bias-corrected.

    ``t ← t+1; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; m̂ = m/(1−β1^t);
    v̂ = v/(1−β2^t); w ← w − lr·m̂/(√v̂ + eps)``. m and v start at zero, so early averages
    are too small; dividing by ``1 − β^t`` corrects that bias.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t: dict[str, int] = {}
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def update(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        # TODO: per key, t, m and v start at zero; increment t first, update m and v, bias-correct both, then step
        raise NotImplementedError("Adam.update: per key, t, m and v start at zero; increment t first, update m and v, bias-correct both, then step")
