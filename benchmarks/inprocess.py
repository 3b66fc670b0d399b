"""The unsandboxed peer: the same grading tests, run by pytest in this process, on modules imported here.

`InProcessStudent` offers the interface the grading tests use (`autograder.sandbox.parent.Student`)
without a child process: calls go straight to the submission's modules, imported by path in this
interpreter. Arguments are deep-copied first, as the wire does, so "inputs unchanged" checks and
``inputs_after`` mean the same thing. Swapped names are set on the module for the call only.
This is what grading would cost with no isolation at all: the price of safety is the ratio.
"""

from __future__ import annotations

import copy
import tempfile
import warnings as warnings_module
from pathlib import Path

from autograder.paths import MODULES
from autograder.reference import load_module
from autograder.sandbox.errors import NotImplementedYet, Raised
from autograder.sandbox.parent import ReferenceOptimizer


class InProcessStudent:
    """``student.call(module, function, *args, swap=..., inputs_after=...)`` without a sandbox."""

    def __init__(self, folder: Path, reference, tag: str = "inprocess", copies: bool = True) -> None:
        self._reference = reference
        self._copies = copies
        self._modules = {name: load_module(folder / f"{name}.py", f"_{tag}_{name}") for name in MODULES
                         if (folder / f"{name}.py").is_file()}

    @classmethod
    def from_sources(cls, sources: dict[str, bytes], reference, tag: str = "inprocess",
                     copies: bool = True) -> InProcessStudent:
        """The same, from ``{module: source}`` (what the sweep's ``runner`` hook is given)."""
        with tempfile.TemporaryDirectory() as folder:
            for name, data in sources.items():
                (Path(folder) / f"{name}.py").write_bytes(data)
            return cls(Path(folder), reference, tag, copies)

    def _resolve(self, value):
        if isinstance(value, ReferenceOptimizer):
            return self._reference.new("optimizers", value.name, **value.hyperparameters)
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._resolve(v) for v in value)
        return value

    def call(self, module: str, function: str, *args, swap: tuple[str, ...] = (), inputs_after: bool = False,
             timeout: float | None = None, strikes: str | None = None, warnings: bool = False, **kwargs):
        # timeout and strikes are the sandbox's: nothing here times out or counts time-outs.
        target = self._modules[module]
        if self._copies:
            args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        args, kwargs = self._resolve(args), self._resolve(kwargs)
        saved = {name: getattr(target, name) for name in swap}
        for name in swap:
            setattr(target, name, self._reference.function(module, name))
        try:
            with warnings_module.catch_warnings(record=True) as caught:
                warnings_module.simplefilter("always" if warnings else "default")
                value = _raising_as_the_sandbox(getattr(target, function), args, kwargs)
        finally:
            for name, original in saved.items():
                setattr(target, name, original)
        result = (value, tuple(args), kwargs) if inputs_after else value
        if not warnings:
            return result
        return result, [{"category": w.category.__name__, "runtime": issubclass(w.category, RuntimeWarning),
                         "message": str(w.message)} for w in caught]

    def new(self, module: str, name: str, *args, **kwargs):
        instance = _raising_as_the_sandbox(getattr(self._modules[module], name), args, kwargs)
        return _Copying(instance) if self._copies else instance

    def __getattr__(self, module: str):
        if module not in MODULES:
            raise AttributeError(module)
        return _Module(self, module)


class _Module:
    def __init__(self, student: InProcessStudent, module: str) -> None:
        self._student, self._module = student, module

    def __getattr__(self, name: str):
        student, module = self._student, self._module
        if name[:1].isupper():
            return lambda *args, **kwargs: student.new(module, name, *args, **kwargs)
        return lambda *args, **kwargs: student.call(module, name, *args, **kwargs)


class _Copying:
    """An instance whose method calls see copies of their arrays, then write the results back
    into the caller's dicts, as `RemoteObject` does across the wire."""

    def __init__(self, target) -> None:
        self._target = target

    def __getattr__(self, method: str):
        def call(*args, timeout: float | None = None, **kwargs):
            sent = copy.deepcopy(args)
            value = _raising_as_the_sandbox(getattr(self._target, method), sent, copy.deepcopy(kwargs))
            for original, after in zip(args, sent):
                if isinstance(original, dict) and isinstance(after, dict):
                    original.clear()
                    original.update(after)
            return value

        return call


def _raising_as_the_sandbox(function, args, kwargs):
    """Call ``function``; its exceptions reach the tests as the sandbox reports them."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise NotImplementedYet("is not implemented yet (it still raises NotImplementedError)") from None
    except Exception as error:  # noqa: BLE001  (student code: report it as data, like the child does)
        raise Raised(type(error).__name__, str(error)[:300]) from None
