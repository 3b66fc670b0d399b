"""The assignment's interface, described once (docs/CONTRACT.md sections 1 and 3-6).

Everything that needs the modules, the functions, their signatures, what they return or the
optimizers with their hyperparameters reads them here: the grader's registry and callees, the
sweep's grid, the toy comparison, the release checks and the kit's own tests. Adding an
optimizer is its solution class, its narrative, its grading tests and one line in
:data:`OPTIMIZERS`; ``tests/test_contract.py`` fails, naming what is missing, when this file,
``solutions/`` and docs/CONTRACT.md disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

# The three modules of a submission, in the order they are graded.
MODULES: tuple[str, ...] = ("logistic_regression", "linear_regression", "optimizers")

# What a function returns, in the words the representation tests use:
VECTOR = "vector"  # an ndarray of shape (d,) or (n,)
FLOAT = "float"  # a Python float (a numpy float or a 0-d array is the same value)
ROWS = "rows"  # (n,) for a 2-D X, a float for a 1-D X (one row)
ELEMENTWISE = "elementwise"  # a float for scalars, an array of the broadcast shape for arrays
THETA_HISTORY = "theta_history"  # (theta of shape (d,), history: a list of epochs + 1 floats)
NONE = "none"  # update(params, grads) returns None


@dataclass(frozen=True)
class Function:
    """One function of a module: its parameters (with defaults where it has them) and its return."""

    name: str
    parameters: tuple[str, ...]
    returns: str
    defaults: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def signature(self) -> str:
        """``name(a, b, c=1)`` as the contract writes it."""
        params = [p if p not in self.defaults else f"{p}={self.defaults[p]!r}" for p in self.parameters]
        return f"{self.name}({', '.join(params)})"


# Section 6: the batch loop's defaults, the same in both regressions.
GRADIENT_DESCENT = Function(
    "gradient_descent", ("X", "y", "lr", "epochs", "batch_size", "seed", "theta0", "optimizer"), THETA_HISTORY,
    MappingProxyType({"lr": 0.1, "epochs": 100, "batch_size": None, "seed": 0, "theta0": None, "optimizer": None}))

FUNCTIONS: MappingProxyType = MappingProxyType({
    "logistic_regression": (
        Function("logistic", ("X", "theta"), ROWS),
        Function("loss", ("X", "y", "theta"), FLOAT),
        Function("gradient_ij", ("x_ij", "y_i", "p_i"), ELEMENTWISE),
        Function("gradients", ("X", "y", "theta"), VECTOR),
        Function("step", ("theta", "grads", "lr"), VECTOR),
        GRADIENT_DESCENT,
    ),
    "linear_regression": (
        Function("predict", ("X", "theta"), ROWS),
        Function("loss", ("X", "y", "theta"), FLOAT),
        Function("gradient_ij", ("x_ij", "y_i", "yhat_i"), ELEMENTWISE),
        Function("gradients", ("X", "y", "theta"), VECTOR),
        Function("step", ("theta", "grads", "lr"), VECTOR),
        Function("normal_equation", ("X", "y"), VECTOR),
        GRADIENT_DESCENT,
    ),
})

# Section 5: each optimizer class, its hyperparameters in signature order with their defaults.
# Each has one method, ``update(params, grads)``, returning None.
OPTIMIZERS: MappingProxyType = MappingProxyType({
    "SGD": MappingProxyType({"lr": 0.01}),
    "Momentum": MappingProxyType({"lr": 0.01, "momentum": 0.9}),
    "Nesterov": MappingProxyType({"lr": 0.01, "momentum": 0.9}),
    "AdaGrad": MappingProxyType({"lr": 0.01, "eps": 1e-7}),
    "RMSprop": MappingProxyType({"lr": 0.01, "decay_rate": 0.99, "eps": 1e-7}),
    "Adam": MappingProxyType({"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
})
UPDATE = Function("update", ("params", "grads"), NONE)

# The course's step size for each optimizer on the toy valley f(x, y) = x²/20 + y² (Deep
# Learning from Scratch, ch. 6: the size that shows each one's character); Nesterov and RMSprop
# are not in the book's script and take 0.1. A course setting, kept here so that an optimizer
# is added in one place.
TOY_LR: MappingProxyType = MappingProxyType({
    "SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSprop": 0.1, "Adam": 0.3,
})


def names(module: str) -> tuple[str, ...]:
    """The contract's names in ``module`` (functions, or optimizer classes), in rubric order."""
    if module == "optimizers":
        return tuple(OPTIMIZERS)
    return tuple(f.name for f in FUNCTIONS[module])


def function(module: str, name: str) -> Function:
    """The description of ``module.name`` (``KeyError`` if the contract has no such function)."""
    for described in FUNCTIONS[module]:
        if described.name == name:
            return described
    raise KeyError(f"{module}.{name}")


def qualified_names() -> tuple[str, ...]:
    """Every graded name as ``module.name``, in rubric order."""
    return tuple(f"{module}.{name}" for module in MODULES for name in names(module))
