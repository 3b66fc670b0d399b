"""The package's shape: no import cycle anywhere in ``autograder/`` (lazy imports inside
functions count too: they hide a cycle, they do not break it)."""

from __future__ import annotations

import ast
from pathlib import Path

from autograder.paths import KIT_ROOT

PACKAGE = KIT_ROOT / "autograder"


def module_name(path: Path) -> str:
    parts = path.relative_to(KIT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, modules: set[str]) -> set[str]:
    """The ``autograder`` modules that ``path`` imports, at any depth (``TYPE_CHECKING`` blocks aside)."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py", modules)


def imports_in(source: str, name: str, is_package: bool, modules: set[str]) -> set[str]:
    tree = ast.parse(source)
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
               and ast.unparse(node.test).endswith("TYPE_CHECKING") for n in ast.walk(node)}
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            # ``from pkg import module`` needs the module, not what else pkg/__init__ imports
            names = submodules if any(m in modules for m in submodules) else [base]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found - {name}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py") if "tests" not in p.relative_to(PACKAGE).parts}
    return {name: imported(path, set(paths)) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_every_form_of_import():
    modules = {"pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d", "pkg.e"}
    source = ("import pkg.a\nfrom pkg import b\nfrom . import c\nfrom .sub import d\n"
              "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.e\n"
              "def later():\n    from pkg.sub.d import thing\n")
    assert imports_in(source, "pkg.x", False, modules) == {"pkg.a", "pkg.b", "pkg.c", "pkg.sub.d"}
    assert "autograder.cli" in import_graph()["autograder.__main__"]


def test_no_import_cycles():
    """A package's parts depend one way (submission -> sandbox -> grading -> report): a module
    that needs something of a module that needs it back shares the wrong home."""
    found = cycles(import_graph())
    assert not found, "import cycles in autograder/: " + "; ".join(" <-> ".join(c) for c in found)
