"""``autograder/contract.py`` against its two independent sources: the reference solutions'
signatures (``inspect.signature``) and the tables of docs/CONTRACT.md; and the rule that the
optimizers' names and defaults are written nowhere else in ``autograder/``."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re

import pytest

from autograder import contract
from autograder.paths import KIT_ROOT, SOLUTIONS

CONTRACT_MD = KIT_ROOT / "docs" / "CONTRACT.md"


def load_solution(module: str):
    spec = importlib.util.spec_from_file_location(f"_contract_{module}", SOLUTIONS / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def documented_tables() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """``({module: {function: "params"}}, {optimizer: "defaults"})`` from CONTRACT.md's tables."""
    functions: dict[str, dict[str, str]] = {}
    optimizers: dict[str, str] = {}
    module = None
    for line in CONTRACT_MD.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## \d+\. `(\w+)\.py`", line)
        if heading:
            module = heading.group(1)
            continue
        if line.startswith("## "):
            module = None
        if module is None or not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if module == "optimizers":
            optimizers[cells[0].strip("`")] = cells[1].strip("`")
        else:
            call = re.fullmatch(r"`(\w+)\((.*)\)`", cells[0])
            functions.setdefault(module, {})[call.group(1)] = call.group(2)
    return functions, optimizers


def test_every_module_is_described():
    assert set(contract.FUNCTIONS) | {"optimizers"} == set(contract.MODULES)


@pytest.mark.parametrize("module", ["logistic_regression", "linear_regression"])
def test_functions_match_the_solutions_signatures(module):
    solution = load_solution(module)
    public = {name for name, value in vars(solution).items()
              if inspect.isfunction(value) and value.__module__ == solution.__name__ and not name.startswith("_")}
    assert set(contract.names(module)) == public, f"solutions/{module}.py and contract.py name different functions"
    for described in contract.FUNCTIONS[module]:
        parameters = inspect.signature(getattr(solution, described.name)).parameters
        assert tuple(parameters) == described.parameters, described.name
        defaults = {name: p.default for name, p in parameters.items() if p.default is not inspect.Parameter.empty}
        assert defaults == dict(described.defaults), described.name


def test_optimizers_match_the_solutions_signatures():
    solution = load_solution("optimizers")
    classes = {name for name, value in vars(solution).items()
               if inspect.isclass(value) and value.__module__ == solution.__name__ and not name.startswith("_")}
    assert set(contract.OPTIMIZERS) == classes
    for name, hyperparameters in contract.OPTIMIZERS.items():
        parameters = inspect.signature(getattr(solution, name)).parameters
        assert {p: v.default for p, v in parameters.items()} == dict(hyperparameters), name
        assert tuple(inspect.signature(getattr(solution, name).update).parameters)[1:] == contract.UPDATE.parameters


def test_functions_match_the_documented_tables():
    functions, _ = documented_tables()
    for module in contract.FUNCTIONS:
        assert list(functions[module]) == list(contract.names(module)), module
        for name, params in functions[module].items():
            if params == "...":  # "same signature as in 3"
                params = functions["logistic_regression"][name]
            assert params == contract.function(module, name).signature()[len(name) + 1:-1], f"{module}.{name}"


def test_optimizers_match_the_documented_table():
    _, optimizers = documented_tables()
    assert list(optimizers) == list(contract.OPTIMIZERS)
    for name, text in optimizers.items():
        documented = {k: float(v) for k, v in (pair.split("=") for pair in text.split(", "))}
        assert documented == dict(contract.OPTIMIZERS[name]), name


def test_the_batch_loop_signature_is_the_documented_one():
    text = CONTRACT_MD.read_text(encoding="utf-8")
    assert f"`{contract.GRADIENT_DESCENT.signature()}`" in text


def test_optimizer_names_and_defaults_live_only_in_the_contract():
    """Outside contract.py, no code in autograder/ spells an optimizer's name as a string or
    writes its hyperparameter defaults: it reads them from the contract (docstrings and
    comments may name them)."""
    names = set(contract.OPTIMIZERS)
    offenders = []
    for path in sorted((KIT_ROOT / "autograder").rglob("*.py")):
        relative = path.relative_to(KIT_ROOT)
        if path.name == "contract.py" or relative.parts[:2] == ("autograder", "tests"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                words = set(re.findall(r"[A-Za-z]+", node.value))
                if node.value in names or (words & names and re.search(r"\b(SGD|Adam)\b.*\b(Momentum|RMSprop)\b",
                                                                          node.value)):
                    offenders.append(f"{relative}:{node.lineno}: {node.value[:60]!r}")
    assert not offenders, "optimizer names written outside autograder/contract.py:\n" + "\n".join(offenders)
