"""Running configurations in sandboxes: one `Trainer` (one child) runs many, one after the other.

A `Trainer` keeps one `Sandbox` for the submission and runs configurations through its
``gradient_descent`` (or its optimizers, for the toy paths), turning whatever comes back into a
`Run`: θ and history, checked, or the one-line reason there is none. `LocalPool` runs a list
of configurations over ``jobs`` trainers on this machine (threads: the work happens in the
children, the threads only wait on pipes), each taking the next configuration from a shared
queue, so no configuration pays for a process start; `autograder.experiments.cluster` does
the same on a Dask cluster.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from autograder.errors import UserError
from autograder.experiments.grid import STEP, Config
from autograder.experiments.metrics import evaluate
from autograder.experiments.toy import TOY_SETTINGS, TOY_START, toy_gradient
from autograder.sandbox import jail
from autograder.sandbox.errors import MissingName, NotImplementedYet, StudentError, TimedOut
from autograder.sandbox.limits import Limits
from autograder.sandbox.parent import RemoteObject, Sandbox, Student


@dataclass
class Run:
    """What one configuration gave: θ and history, or the reason it gave nothing usable."""

    theta: np.ndarray | None = None
    history: np.ndarray | None = None
    error: str = ""
    seconds: float = math.nan
    thetas: list[np.ndarray] | None = None  # θ after each epoch, from a recording run


class LossRecorder:
    """Answers the child's callbacks: ``loss`` records the θ it gets and returns the trusted loss."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.thetas: list[np.ndarray] = []

    def function(self, module: str, name: str):
        if name != "loss":
            raise KeyError(f"{module}.{name} is not answered during a sweep")
        return self._loss

    def new(self, module: str, name: str, **kwargs):
        raise KeyError(f"{module}.{name} is not answered during a sweep")

    def _loss(self, X, y, theta) -> float:
        X, y, theta = (np.array(a, dtype=np.float64) for a in (X, y, theta))
        self.thetas.append(theta)
        return evaluate(self.kind, X, y, theta)["loss"]


class Trainer:
    """One child (one `Sandbox`) that runs many configurations, one after the other."""

    def __init__(self, sources: dict[str, bytes], module: str, kind: str, limits: Limits, runner=None) -> None:
        self.module = module
        self.recorder = LossRecorder(kind)
        if runner is None:
            self.sandbox: Sandbox | None = Sandbox(sources, self.recorder, limits)
            self.student = Student(self.sandbox)
        else:
            self.sandbox = None
            self.student = runner(sources, self.recorder)

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()

    def __enter__(self) -> Trainer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def optimizer(self, config: Config):
        """A fresh instance of the submission's optimizer (state never carries across runs)."""
        instance = self.student.new("optimizers", config.optimizer, **config.constructor_kwargs())
        # A child-side instance travels as its handle; the child resolves it to the object.
        return instance._handle if isinstance(instance, RemoteObject) else instance

    def arguments(self, config: Config) -> dict:
        """``gradient_descent``'s keyword arguments for ``config``, a fresh optimizer included."""
        kwargs = config.gradient_descent_kwargs()
        if config.optimizer != STEP:
            kwargs["optimizer"] = self.optimizer(config)
        return kwargs

    def gradient_descent(self, X: np.ndarray, y: np.ndarray, config: Config, swap: tuple[str, ...] = ()):
        """The submission's ``gradient_descent`` on (X, y) with ``config``; raises `StudentError`."""
        return self.student.call(self.module, "gradient_descent", X, y, swap=swap, **self.arguments(config))

    def train(self, X: np.ndarray, y: np.ndarray, config: Config, record: bool = False) -> Run:
        """Run one configuration; ``record`` also collects θ after every epoch (see the module doc)."""
        self.recorder.thetas = []
        start = time.perf_counter()
        try:
            kwargs = self.arguments(config)
        except StudentError as error:
            return Run(error=f"optimizers.{config.optimizer}(...) {error.describe()}", seconds=time.perf_counter() - start)
        try:
            value = self.student.call(self.module, "gradient_descent", X, y, swap=("loss",) if record else (), **kwargs)
        except StudentError as error:
            return Run(error=f"gradient_descent {error.describe()}", seconds=time.perf_counter() - start)
        seconds = time.perf_counter() - start
        theta, history, problem = check_output(value, X.shape[1], config.epochs)
        if problem:
            return Run(error=f"gradient_descent {problem}", seconds=seconds)
        return Run(theta, history, seconds=seconds, thetas=self.recorder.thetas if record else None)

    def toy_path(self, name: str, hyperparameters: dict[str, float], steps: int) -> np.ndarray | str:
        """The submission's ``name`` optimizer walking `toy_function` from `TOY_START`."""
        try:
            instance = self.student.new("optimizers", name, **hyperparameters)
            params = {"theta": np.array(TOY_START, dtype=np.float64)}
            path = [params["theta"].copy()]
            for _ in range(steps):
                instance.update(params, {"theta": toy_gradient(path[-1])})
                point = params.get("theta")
                if not isinstance(point, np.ndarray) or point.shape != (2,) or not np.issubdtype(point.dtype, np.number):
                    return f"update left params['theta'] as {type(point).__name__}; expected an array of shape (2,)"
                path.append(point.astype(np.float64))
        except StudentError as error:
            return f"{name} {error.describe()}"
        return np.array(path)


def check_output(value, d: int, epochs: int) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """``(theta, history)`` as float arrays, or the reason the value is not that."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None, None, f"returned {type(value).__name__}; expected (theta, history)"
    theta, history = value
    if not isinstance(theta, np.ndarray) or theta.shape != (d,) or not np.issubdtype(theta.dtype, np.number) \
            or np.iscomplexobj(theta):
        what = f"an array of shape {theta.shape} ({theta.dtype})" if isinstance(theta, np.ndarray) \
            else getattr(theta, "type_name", type(theta).__name__)
        return None, None, f"returned theta as {what}; expected an array of shape ({d},)"
    if isinstance(history, np.ndarray) and history.ndim == 1 and np.issubdtype(history.dtype, np.number):
        history = history.tolist()
    if not isinstance(history, (list, tuple)) or not all(
            isinstance(h, (int, float, np.integer, np.floating)) and not isinstance(h, (bool, np.bool_)) for h in history):
        return None, None, f"returned history as {type(history).__name__}; expected a list of epochs + 1 floats"
    if len(history) != epochs + 1:
        return None, None, f"returned a history of {len(history)} values; expected epochs + 1 = {epochs + 1}"
    return theta.astype(np.float64), np.array(history, dtype=np.float64), ""


def sweep_limits(timeout: float) -> Limits:
    # A sweep is long and legitimate: no budget for the whole submission and a CPU limit far
    # above it (RLIMIT_CPU is per child, and one child runs many configurations); each call
    # keeps its own wall-time limit, so an endless loop costs one row, not the sweep.
    return Limits(call_seconds=timeout, submission_seconds=math.inf, cpu_seconds=7 * 24 * 3600)


def costliest_first(configs: Sequence[Config], n: int) -> list[int]:
    """Indices of ``configs`` by decreasing work, ``epochs · (ceil(n / batch_size) + 1)`` batch
    updates and loss evaluations (on the course's small data, calls cost more than rows).
    Handed out in this order, the last to finish are the short ones, so no trainer idles while
    another runs a long configuration alone."""
    def work(config: Config) -> int:
        size = n if config.batch_size is None else min(config.batch_size, n)
        return config.epochs * (-(-n // size) + 1)

    return sorted(range(len(configs)), key=lambda i: -work(configs[i]))


def run_all(trainers: list[Trainer], items: Sequence, work: Callable, progress: bool, label: str,
            order: Sequence[int] | None = None) -> list:
    """``work(trainer, item)`` for every item; each trainer (thread) takes the next item from a
    queue, in ``order`` (indices) when given. Results come in the order of ``items``."""
    from autograder.experiments.progress import progress_bar

    results: list = [None] * len(items)
    if not items:
        return results
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for index in range(len(items)) if order is None else order:
        todo.put((index, items[index]))
    stop = threading.Event()
    bar = progress_bar(total=len(items), desc=label, unit="config", disable=not progress)

    def drain(trainer: Trainer) -> None:
        while not stop.is_set():
            try:
                index, item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[index] = work(trainer, item)
            except BaseException:
                stop.set()
                raise
            bar.update(1)

    try:
        if len(trainers) == 1:
            drain(trainers[0])
        else:
            from joblib import Parallel, delayed

            Parallel(n_jobs=len(trainers), backend="threading")(delayed(drain)(w) for w in trainers)
    except BaseException:
        stop.set()  # Ctrl-C or an error: the other trainers take no new configuration
        raise
    finally:
        bar.close()
    return results


def preflight(trainer: Trainer, X: np.ndarray, y: np.ndarray, configs: list[Config], where: str) -> None:
    """Fail in one line, before the sweep, when the code it needs is missing or still blank.

    One short call per optimizer in the grid (1 epoch on 16 rows); other errors are left to the
    rows, which report them configuration by configuration.
    """
    module = trainer.module
    unfinished = f"{where}: {module}.py is not finished: gradient_descent, or a function it calls, still raises " \
                 "NotImplementedError; fill in its blanks first (or sweep a finished submission, e.g. solutions/)"
    for config in {c.optimizer: c for c in configs}.values():
        probe = replace(config, epochs=1, batch_size=None, seed=0)
        try:
            if config.optimizer != STEP:
                instance = trainer.student.new("optimizers", config.optimizer, **config.constructor_kwargs())
                try:
                    instance.update({"theta": np.zeros(X.shape[1])}, {"theta": np.ones(X.shape[1])})
                except NotImplementedYet:
                    raise UserError(f"{where}: optimizers.py is not finished: {config.optimizer}.update still "
                                    "raises NotImplementedError; fill in its blanks first, or sweep step only") from None
            trainer.gradient_descent(X, y, probe)
        except NotImplementedYet:
            raise UserError(unfinished) from None
        except MissingName as error:
            raise UserError(f"{where}: {error}") from None
        except TimedOut as error:
            raise UserError(f"{where}: {module}.gradient_descent {error} on one epoch of 16 rows") from None
        except StudentError:
            pass


def toy_paths_of(trainer: Trainer, steps: int) -> dict[str, np.ndarray | str]:
    """The trainer's six optimizers on the toy function, with `TOY_SETTINGS`."""
    return {name: trainer.toy_path(name, hyper, steps) for name, hyper in TOY_SETTINGS.items()}


class LocalPool:
    """``jobs`` trainers on this machine, one per thread; ``runner`` as in `Trainer`."""

    def __init__(self, sources: dict[str, bytes], module: str, kind: str, limits: Limits, jobs: int,
                 runner=None, progress: bool = True) -> None:
        jail.isolation()  # probe the sandbox once, before the trainers' threads start their children
        self.trainers = [Trainer(sources, module, kind, limits, runner) for _ in range(jobs)]
        self.progress = progress
        for trainer in self.trainers:  # every child starts now, side by side, while the first one is checked
            if trainer.sandbox is not None:
                trainer.sandbox.prestart()

    def preflight(self, X: np.ndarray, y: np.ndarray, configs: list[Config], where: str) -> None:
        preflight(self.trainers[0], X, y, configs, where)

    def train(self, X: np.ndarray, y: np.ndarray, configs: list[Config], record: bool, label: str) -> list[Run]:
        return run_all(self.trainers, configs, lambda w, c: w.train(X, y, c, record=record), self.progress, label,
                       order=costliest_first(configs, len(X)))

    def toy_paths(self, steps: int) -> dict[str, np.ndarray | str]:
        return toy_paths_of(self.trainers[0], steps)

    def close(self) -> None:
        for trainer in self.trainers:
            trainer.close()
