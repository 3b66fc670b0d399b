"""The grading tests' markers agree with each other, with the contract and with RUBRIC.md.

Every grading test (``autograder/tests/{public,hidden}/test_*.py``) carries one
``@pytest.mark.grades(function, points=..., hidden=...)``; the points total 100, each names a
contract function, its ``hidden`` flag matches its folder, and RUBRIC.md's table lists exactly
these tests with these points. The modules are imported by path and their marks read from
``func.pytestmark``, without running any test.
"""

import importlib.util
import inspect
import re
from dataclasses import dataclass

import pytest

from autograder.grading.compare import CONTRACT
from autograder.paths import GRADING_TESTS

RUBRIC = GRADING_TESTS / "RUBRIC.md"
CONTRACT_FUNCTIONS = {f"{module}.{name}" for module, names in CONTRACT.items() for name in names}
MODULE_POINTS = {"logistic_regression": 40, "linear_regression": 30, "optimizers": 30}


@dataclass(frozen=True)
class Graded:
    test: str  # "public/test_public_logistic.py::test_logistic_fixed"
    function: str
    points: float
    visibility: str  # "public" or "hidden"
    title: str  # the docstring's first line


def grading_modules():
    for folder in ("public", "hidden"):
        for path in sorted((GRADING_TESTS / folder).glob("test_*.py")):
            spec = importlib.util.spec_from_file_location(f"_rubric_{folder}_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            yield folder, path, module


def graded_functions(module):
    return [(name, f) for name, f in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("test_") and f.__module__ == module.__name__]


@pytest.fixture(scope="module")
def graded() -> list[Graded]:
    rows = []
    for folder, path, module in grading_modules():
        for name, function in graded_functions(module):
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "grades"]
            assert len(marks) == 1, f"{path.name}::{name} needs exactly one grades marker, has {len(marks)}"
            mark = marks[0]
            assert set(mark.kwargs) == {"points", "hidden"}, f"{path.name}::{name}: grades(function, points=, hidden=)"
            title = (function.__doc__ or "").strip().splitlines()[0] if function.__doc__ else ""
            rows.append(Graded(f"{folder}/{path.name}::{name}", mark.args[0], mark.kwargs["points"],
                               "hidden" if mark.kwargs["hidden"] else "public", title))
    return rows


def rubric_rows() -> list[Graded]:
    """The rows of RUBRIC.md's table: | `test` | `function` | points | visibility | title |."""
    rows = []
    for line in RUBRIC.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|\s*([\d.]+)\s*\|\s*(\w+)\s*\|\s*(.+?)\s*\|", line)
        if match:
            test, function, points, visibility, title = match.groups()
            rows.append(Graded(test, function, float(points), visibility, title))
    return rows


def test_there_are_grading_tests(graded):
    assert len(graded) >= 40


def test_points_total_100(graded):
    assert sum(g.points for g in graded) == 100


def test_each_module_has_its_documented_share(graded):
    shares = {module: 0.0 for module in MODULE_POINTS}
    for g in graded:
        shares[g.function.split(".")[0]] += g.points
    assert shares == MODULE_POINTS


def test_public_tests_are_about_a_third(graded):
    """About a third, a little more: every function's representation test is public, so `check`
    shows a format slip before grading does."""
    public = sum(g.points for g in graded if g.visibility == "public")
    assert 28 <= public <= 40, public


def test_every_function_has_one_public_representation_test_of_one_point(graded):
    """Contract section 2: types and shapes are graded once per function, in a test of its own."""
    representation = [g for g in graded if g.test.endswith("_representation")]
    assert sorted(g.function for g in representation) == sorted(CONTRACT_FUNCTIONS)
    assert all(g.points == 1 and g.visibility == "public" for g in representation)


def test_every_test_grades_a_contract_function(graded):
    assert {g.function for g in graded} <= CONTRACT_FUNCTIONS
    assert all(g.points > 0 and float(g.points).is_integer() for g in graded)


def test_every_contract_function_is_graded_publicly_and_hidden(graded):
    for visibility in ("public", "hidden"):
        assert {g.function for g in graded if g.visibility == visibility} == CONTRACT_FUNCTIONS, visibility


def test_hidden_flag_matches_folder(graded):
    for g in graded:
        assert g.test.startswith(f"{g.visibility}/"), g.test


def test_result_names_are_unique_and_titled(graded):
    """A result is named "<function>: <title>": two tests must never share a name."""
    names = [f"{g.function}: {g.title}" for g in graded]
    assert all(g.title for g in graded)
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_test_names_begin_with_the_function_they_grade(graded):
    """``test_<function>_...`` (the module prefix only where one file grades both regressions)."""
    for g in graded:
        module, function = g.function.split(".")
        name = g.test.split("::")[1].removeprefix("test_")
        short = {"logistic_regression": "logistic_", "linear_regression": "linear_", "optimizers": ""}[module]
        assert name.startswith((function.lower(), short + function.lower())), g.test


def test_graded_tests_are_not_parametrised():
    """Every collected item records its marker's points: a parametrised test would count them twice."""
    for _, path, module in grading_modules():
        for name, function in graded_functions(module):
            assert not [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"], \
                f"{path.name}::{name}"


def test_rubric_lists_exactly_the_marked_tests(graded):
    assert sorted(rubric_rows(), key=lambda g: g.test) == sorted(graded, key=lambda g: g.test)
