"""The hyperparameter grid of a sweep: parsing each grid's values, and the configurations.

Each grid (lr, batch size, epochs, optimizer, seed) takes a value or a list of values, given
on the command line or in Python; a bad value is a one-line `UserError` naming what is
accepted. `build_grid` gives every combination as a `Config`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from autograder.contract import OPTIMIZERS
from autograder.datasets import Task
from autograder.errors import UserError
from autograder.validation import as_number, integer

STEP = "step"
SIX = tuple(OPTIMIZERS)
DEFAULT_LR = "default"
FULL = "full"

ACCEPTED = {
    "lr": "accepted: positive numbers such as 0.1 or 1e-3, or 'default' (each optimizer's own "
          "default learning rate; the task's for step)",
    "batch_size": "accepted: positive integers (1 = SGD, k = mini-batch) or 'full' (BGD: all training rows)",
    "epochs": "accepted: positive integers",
    "seed": "accepted: integers ≥ 0",
    "optimizer": f"accepted: {STEP}, {', '.join(SIX)}, each optionally with hyperparameters, "
                 "e.g. 'Adam(lr=0.01, beta1=0.8)'",
}


# -- the grid ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    """One configuration of the grid.

    ``optimizer`` is ``"step"`` (plain ``theta − lr·g``) or an optimizer class; ``lr`` is the
    learning rate actually used (the optimizer's ``lr`` for a class); ``hyperparameters`` are
    the class's other ones, as given; ``batch_size`` None is the full batch (BGD).
    """

    optimizer: str
    lr: float
    batch_size: int | None
    epochs: int
    seed: int
    hyperparameters: tuple[tuple[str, float], ...] = ()

    @property
    def optimizer_label(self) -> str:
        """``step``, ``Adam`` or ``Momentum(momentum=0.5)``: the optimizer without its lr."""
        if not self.hyperparameters:
            return self.optimizer
        return f"{self.optimizer}({', '.join(f'{k}={v:g}' for k, v in self.hyperparameters)})"

    @property
    def batch_label(self) -> str | int:
        return FULL if self.batch_size is None else self.batch_size

    def describe(self) -> str:
        return (f"{self.optimizer_label}, lr={self.lr:g}, batch_size={self.batch_label}, "
                f"epochs={self.epochs}, seed={self.seed}")

    def constructor_kwargs(self) -> dict[str, float]:
        return {"lr": self.lr, **dict(self.hyperparameters)}

    def gradient_descent_kwargs(self) -> dict:
        return {"lr": self.lr, "epochs": self.epochs, "batch_size": self.batch_size, "seed": self.seed}


def build_grid(task: Task, lr=None, batch_size=None, epochs=None, optimizer=None, seed=None) -> list[Config]:
    """Every combination of the grids, in the order optimizer, batch size, lr, epochs, seed.

    Each grid is a value or a list of values; None means the task's default (``task.defaults``;
    ``step``; seed 0). An optimizer given its own ``lr`` ignores the lr grid, so combinations
    that come out identical are kept once. Bad values raise a one-line `UserError`.
    """
    lrs = _grid("lr", lr, [DEFAULT_LR], _parse_lr)
    sizes = _grid("batch_size", batch_size, [task.defaults["batch_size"]], _parse_batch_size)
    epoch_counts = _grid("epochs", epochs, [task.defaults["epochs"]], lambda v: integer("epochs", v, 1, ACCEPTED["epochs"]))
    optimizers = _grid("optimizer", optimizer, [STEP], _parse_optimizer)
    seeds = _grid("seed", seed, [0], lambda v: integer("seed", v, 0, ACCEPTED["seed"]))
    configs = []
    for (name, hyper), size, lr_value, epochs_value, seed_value in itertools.product(
            optimizers, sizes, lrs, epoch_counts, seeds):
        hyper = dict(hyper)
        if "lr" in hyper:
            rate = hyper.pop("lr")
        elif lr_value == DEFAULT_LR:
            rate = task.defaults["lr"] if name == STEP else OPTIMIZERS[name]["lr"]
        else:
            rate = lr_value
        configs.append(Config(name, float(rate), size, epochs_value, seed_value, tuple(hyper.items())))
    return list(dict.fromkeys(configs))


def _grid(name: str, value, default: list, parse: Callable) -> list:
    if value is None:
        return [parse(v) for v in default]
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        value = [value]
    items = list(value)
    if not items:
        raise UserError(f"{name}: the grid is empty; give at least one value ({ACCEPTED[name]})")
    return [parse(v) for v in items]


def _parse_lr(value) -> float | str:
    if isinstance(value, str) and value.strip().lower() == DEFAULT_LR:
        return DEFAULT_LR
    number = as_number(value)
    if number is None:
        raise UserError(f"lr: {value!r} is not a number; {ACCEPTED['lr']}")
    if not (math.isfinite(number) and number > 0):
        raise UserError(f"lr: {value!r} is not a positive, finite number; {ACCEPTED['lr']}")
    return number


def _parse_batch_size(value) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in (FULL, "none", "all")):
        return None
    return integer("batch_size", value, 1, ACCEPTED["batch_size"])


_SPEC = re.compile(r"^\s*(\w+)\s*(?:\((.*)\))?\s*$", re.DOTALL)


def _parse_optimizer(spec) -> tuple[str, tuple[tuple[str, float], ...]]:
    """``"step"``, ``"Adam"`` or ``"Adam(lr=0.01, beta1=0.8)"`` → (name, hyperparameters)."""
    match = _SPEC.match(spec) if isinstance(spec, str) else None
    if not match:
        raise UserError(f"optimizer: {spec!r} is not accepted; {ACCEPTED['optimizer']}")
    word, arguments = match.group(1), match.group(2)
    names = {n.lower(): n for n in (STEP, *SIX)}
    if word.lower() not in names:
        raise UserError(f"optimizer: unknown optimizer {word!r}; {ACCEPTED['optimizer']}")
    name = names[word.lower()]
    if name == STEP:
        if arguments and arguments.strip():
            raise UserError(f"optimizer: {spec!r}: step takes no hyperparameters (its learning rate is the lr grid)")
        return STEP, ()
    hyper: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in (arguments or "").split(","))):
        key, sep, text = (s.strip() for s in part.partition("="))
        if not sep or key not in OPTIMIZERS[name]:
            raise UserError(f"optimizer: {spec!r}: {name} has no hyperparameter {key!r}; "
                            f"accepted: {', '.join(f'{k}=<number>' for k in OPTIMIZERS[name])}")
        number = as_number(text)
        if number is None or not math.isfinite(number):
            raise UserError(f"optimizer: {spec!r}: {name}'s {key} must be a finite number, got {text!r}")
        hyper[key] = number
    if "lr" in hyper and hyper["lr"] <= 0:
        raise UserError(f"optimizer: {spec!r}: {name}'s lr must be positive")
    return name, tuple(hyper.items())
