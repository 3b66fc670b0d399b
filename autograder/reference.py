"""The reference solutions, imported by path into the grader (trusted code, never the child).

The grading tests ask it for expected values; the sandbox asks it to answer a child's
callbacks (the functions swapped in so that one function is graded alone).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from autograder.paths import MODULES, SOLUTIONS


def load_module(path: Path, name: str) -> ModuleType:
    """Import the file at ``path`` as a module called ``name`` (registered in sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Reference:
    """``reference.logistic_regression.gradients(...)``, ``reference.optimizers.Adam(lr=0.1)``."""

    def __init__(self, folder: Path = SOLUTIONS) -> None:
        self.modules = {name: load_module(folder / f"{name}.py", f"_reference_{name}") for name in MODULES}

    def function(self, module: str, name: str):
        return getattr(self.modules[module], name)

    def new(self, module: str, name: str, **kwargs):
        return getattr(self.modules[module], name)(**kwargs)

    def call(self, module: str, name: str, *args, **kwargs):
        return self.function(module, name)(*args, **kwargs)

    def __getattr__(self, module: str) -> ModuleType:
        try:
            return self.__dict__["modules"][module]
        except KeyError:
            raise AttributeError(module) from None
