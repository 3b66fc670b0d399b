"""RUBRIC.md, generated from the grading tests' markers.

Every grading test carries ``@pytest.mark.grades("module.function", points=P, hidden=H)`` and
a docstring whose first line says what it checks. The markers are read from the test files'
syntax trees (nothing is imported or run); the rubric's prose is ``RUBRIC.in.md`` beside it,
where ``{{...}}`` fields take the numbers and tables:

``{{total}}``, ``{{tests}}``, ``{{public}}``, ``{{hidden}}``: points and test counts;
``{{points:MODULE}}`` or ``{{points:MODULE.FUNCTION}}``: the points of one module or function;
``{{table:functions}}``, ``{{table:tests}}``: the two tables.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from autograder import contract
from autograder.errors import UserError

TEMPLATE_NAME = "RUBRIC.in.md"
RUBRIC_NAME = "RUBRIC.md"
FIELD = re.compile(r"\{\{([a-z:_.]+)\}\}")


@dataclass(frozen=True)
class Graded:
    """One grading test as its marker describes it."""

    test: str  # "public/test_public_logistic.py::test_logistic_fixed"
    function: str  # "logistic_regression.logistic"
    points: float
    visibility: str  # "public" or "hidden"
    title: str  # the docstring's first line


def read_markers(tests_folder: Path) -> list[Graded]:
    """The ``grades`` markers of ``tests_folder/{public,hidden}/test_*.py``, in rubric order.

    Raises
    ------
    UserError
        If a test function has no ``grades`` marker, more than one, or one whose arguments are
        not literals.
    """
    found = []
    for visibility in ("public", "hidden"):
        for path in sorted((tests_folder / visibility).glob("test_*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                    found.append(_graded(node, f"{visibility}/{path.name}", visibility))
    order = {name: i for i, name in enumerate(contract.qualified_names())}
    return sorted(found, key=lambda g: (order.get(g.function, len(order)), g.visibility != "public", g.test))


def _graded(node: ast.FunctionDef, file: str, visibility: str) -> Graded:
    where = f"{file}::{node.name}"
    marks = [d for d in node.decorator_list
             if isinstance(d, ast.Call) and ast.unparse(d.func) == "pytest.mark.grades"]
    if len(marks) != 1:
        raise UserError(f"{where}: a grading test needs exactly one @pytest.mark.grades(...), has {len(marks)}")
    try:
        function = ast.literal_eval(marks[0].args[0])
        keywords = {k.arg: ast.literal_eval(k.value) for k in marks[0].keywords}
        points, hidden = keywords["points"], keywords["hidden"]
    except (IndexError, KeyError, ValueError) as error:
        raise UserError(f"{where}: write grades('module.function', points=P, hidden=H) with literals "
                        f"({type(error).__name__})") from None
    if hidden != (visibility == "hidden"):
        raise UserError(f"{where}: hidden={hidden} but the test is in {visibility}/")
    docstring = ast.get_docstring(node) or ""
    return Graded(where, function, float(points), visibility, docstring.strip().splitlines()[0] if docstring else "")


def _points(value: float) -> str:
    return f"{value:g}"


def _tables(graded: list[Graded]) -> dict[str, str]:
    functions = list(dict.fromkeys(g.function for g in graded))
    rows = ["| function | public | hidden | total |", "|---|---:|---:|---:|"]
    for function in functions:
        public = sum(g.points for g in graded if g.function == function and g.visibility == "public")
        hidden = sum(g.points for g in graded if g.function == function and g.visibility == "hidden")
        rows.append(f"| `{function}` | {_points(public)} | {_points(hidden)} | {_points(public + hidden)} |")
    public = sum(g.points for g in graded if g.visibility == "public")
    total = sum(g.points for g in graded)
    rows.append(f"| **total** | **{_points(public)}** | **{_points(total - public)}** | **{_points(total)}** |")
    tests = ["| test | function | points | visibility | what it checks |", "|---|---|---:|---|---|"]
    tests += [f"| `{g.test}` | `{g.function}` | {_points(g.points)} | {g.visibility} | {g.title} |" for g in graded]
    return {"table:functions": "\n".join(rows), "table:tests": "\n".join(tests)}


def render_rubric(template: str, graded: list[Graded], display: str = TEMPLATE_NAME) -> str:
    """``template`` with every ``{{field}}`` filled from ``graded`` (``UserError`` on an unknown one)."""
    values = {"total": sum(g.points for g in graded), "tests": len(graded),
              "public": sum(g.points for g in graded if g.visibility == "public"),
              "hidden": sum(g.points for g in graded if g.visibility == "hidden")}
    values = {key: _points(v) for key, v in values.items()} | _tables(graded)

    def fill(match: re.Match) -> str:
        key = match.group(1)
        if key in values:
            return values[key]
        if key.startswith("points:"):
            name = key.removeprefix("points:")
            matching = [g.points for g in graded if g.function == name or g.function.startswith(name + ".")]
            if matching:
                return _points(sum(matching))
        raise UserError(f"{display}: unknown field {{{{{key}}}}} (no such module, function or value)")

    return FIELD.sub(fill, template)


def rubric_text(tests_folder: Path) -> str:
    """RUBRIC.md for the grading tests in ``tests_folder``, from its ``RUBRIC.in.md``."""
    template = tests_folder / TEMPLATE_NAME
    if not template.is_file():
        raise UserError(f"missing the rubric's template {template}")
    return render_rubric(template.read_text(encoding="utf-8"), read_markers(tests_folder),
                         f"autograder/tests/{TEMPLATE_NAME}")
