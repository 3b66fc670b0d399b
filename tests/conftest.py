"""Fixtures shared by the kit's own tests: the reference modules and the default tasks."""

from pathlib import Path

import pytest

from autograder.datasets import Task, load_task
from autograder.paths import SOLUTIONS
from autograder.reference import Reference


def load_reference(solutions: Path = SOLUTIONS) -> Reference:
    """The three reference modules of ``solutions/``, imported by path.

    `autograder.reference.Reference` imports each file as ``_reference_<module>``, a name
    that cannot clash with a student's ``logistic_regression`` or anything on ``sys.path``;
    its attributes are the modules (``.logistic_regression``, ``.optimizers``, ...).
    """
    return Reference(solutions)


@pytest.fixture(scope="session")
def ref() -> Reference:
    """The reference ``logistic_regression``, ``linear_regression`` and ``optimizers``."""
    return load_reference()


@pytest.fixture(scope="session")
def logistic_task() -> Task:
    """The default logistic task (breast cancer), with the intercept column 0."""
    return load_task("logistic")


@pytest.fixture(scope="session")
def linear_task() -> Task:
    """The default linear task (diabetes), with the intercept column 0."""
    return load_task("linear")
