"""`python -m autograder release`: the committed student files are what solutions/ generates.

The skeletons are checked against the reference itself: they import, every blank raises
NotImplementedError naming its function (the same calls succeed on the reference), the
signatures and docstrings are the reference's, and no line of a solution block survives.
"""

from __future__ import annotations

import importlib.util
import inspect
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import numpy as np
import pytest

from autograder import contract
from autograder.cli import main
from autograder.errors import UserError
from autograder.paths import KIT_ROOT, MODULES
from autograder.release.command import build_release
from autograder.release.skeleton import make_skeleton, strip_markers

GENERATED = [f"assignment/{name}.py" for name in MODULES] + ["assignment/assignment.ipynb", "assignment/assignment.ko.ipynb"]


def release(*args: str | Path) -> subprocess.CompletedProcess:
    """``python -m autograder release ARGS`` in a fresh interpreter, from the kit's root."""
    return subprocess.run([sys.executable, "-m", "autograder", "release", *map(str, args)],
                          capture_output=True, text=True, cwd=KIT_ROOT, timeout=120)


@pytest.fixture
def run_release(capsys):
    """The same command in this process (faster), returning (exit code, stdout, stderr)."""
    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main(["release", *map(str, args)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def import_path(path: Path, name: str) -> ModuleType:
    """Import a file by path under a private name, kept out of sys.modules."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solution_blocks(text: str) -> tuple[list[str], list[str], list[str]]:
    """Split a solution file by its markers: (hints, lines inside blocks, lines outside)."""
    hints, inside, outside = [], [], []
    in_block = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# BEGIN SOLUTION:"):
            hints.append(stripped.split(":", 1)[1].strip())
            in_block = True
        elif stripped == "# END SOLUTION":
            in_block = False
        else:
            (inside if in_block else outside).append(stripped)
    return hints, inside, outside


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """A copy of the parts of the kit that release reads and writes."""
    for folder in ("solutions", "assignment"):
        shutil.copytree(KIT_ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="module")
def skeletons() -> dict[str, ModuleType]:
    return {name: import_path(KIT_ROOT / "assignment" / f"{name}.py", f"skeleton_{name}") for name in MODULES}


@pytest.fixture(scope="module")
def references() -> dict[str, ModuleType]:
    return {name: import_path(KIT_ROOT / "solutions" / f"{name}.py", f"solution_{name}") for name in MODULES}


# ---------------------------------------------------------------- the command


def test_committed_files_are_up_to_date():
    result = release("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_in_a_copy_fails_naming_the_edited_file(kit: Path):
    notebook = kit / "assignment" / "assignment.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("Your answer", "My answer"), encoding="utf-8")
    result = release("--check", "--root", kit)
    assert result.returncode == 1
    assert result.stdout == "assignment/assignment.ipynb: out of date\n"
    assert "python -m autograder release" in result.stderr


@pytest.mark.parametrize("relative", GENERATED)
def test_check_names_a_modified_file_and_release_restores_it(kit: Path, relative: str, run_release):
    original = (kit / relative).read_bytes()
    (kit / relative).write_bytes(original + b"\n# an edit by hand\n")
    code, out, _ = run_release("--check", "--root", kit)
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("assignment/")] == [f"{relative}: out of date"]
    assert (kit / relative).read_bytes() != original  # --check wrote nothing

    code, out, err = run_release("--root", kit)
    assert code == 0, err
    assert f"wrote {relative}" in out
    assert (kit / relative).read_bytes() == original
    assert run_release("--check", "--root", kit)[0] == 0


def test_check_names_missing_files(kit: Path, run_release):
    (kit / "assignment" / "assignment.ipynb").unlink()
    (kit / "assignment" / "optimizers.py").unlink()
    code, out, _ = run_release("--check", "--root", kit)
    assert code == 1
    assert "assignment/assignment.ipynb: missing" in out
    assert "assignment/optimizers.py: missing" in out
    assert not (kit / "assignment" / "optimizers.py").exists()


def test_a_rerun_writes_identical_bytes(kit: Path, run_release):
    shutil.rmtree(kit / "assignment")
    assert run_release("--root", kit)[0] == 0
    first = {relative: (kit / relative).read_bytes() for relative in GENERATED}
    assert run_release("--root", kit)[0] == 0
    assert {relative: (kit / relative).read_bytes() for relative in GENERATED} == first
    assert first == {relative: (KIT_ROOT / relative).read_bytes() for relative in GENERATED}


def test_a_changed_solution_makes_the_files_stale(kit: Path, run_release):
    path = kit / "solutions" / "linear_regression.py"
    path.write_text(path.read_text(encoding="utf-8").replace("# BEGIN SOLUTION: ŷ = X @ theta;",
                                                             "# BEGIN SOLUTION: ŷ = X @ θ;"), encoding="utf-8")
    code, out, _ = run_release("--check", "--root", kit)
    assert code == 1
    assert "assignment/linear_regression.py: out of date" in out
    assert "assignment/assignment.ipynb: out of date" in out
    assert "assignment/optimizers.py" not in out


def test_missing_solutions_is_a_one_line_error(tmp_path: Path):
    result = release("--check", "--root", tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: no solutions directory")
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_marker_is_a_one_line_error_naming_file_and_line(kit: Path, run_release):
    path = kit / "solutions" / "optimizers.py"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if "# BEGIN SOLUTION:" in line)
    lines[begin] = lines[begin].split(":", 1)[0] + "\n"  # drop the hint
    path.write_text("".join(lines), encoding="utf-8")
    for args in ((), ("--check",)):
        code, _, err = run_release(*args, "--root", kit)
        assert code == 2
        assert err == (f"error: solutions/optimizers.py:{begin + 1}: '# BEGIN SOLUTION' needs a hint "
                                 "for the student: '# BEGIN SOLUTION: <hint>'\n")
    assert (kit / "assignment" / "optimizers.py").read_bytes() == (KIT_ROOT / "assignment" / "optimizers.py").read_bytes()


def test_solution_notebook_is_written_where_asked_and_never_into_assignment(kit: Path, run_release):
    target = kit / "instructor" / "solution.ipynb"
    code, _, err = run_release("--root", kit, "--solution-notebook", target)
    assert code == 0, err
    solution = nbformat.read(target, as_version=4)
    code = "".join(cell.source for cell in solution.cells if cell.cell_type == "code")
    assert "raise NotImplementedError(" not in code and "# TODO: " not in code
    assert any(cell.source.startswith("**Model answer:**") for cell in solution.cells)

    code, _, err = run_release("--root", kit, "--solution-notebook", kit / "assignment" / "solution.ipynb")
    assert code == 2
    assert "must not point into assignment/" in err
    assert not (kit / "assignment" / "solution.ipynb").exists()


def test_help_explains_the_verb():
    result = release("--help")
    assert result.returncode == 0
    for words in ("solutions/", "--check", "--solution-notebook", "--root", "NotImplementedError"):
        assert words in result.stdout


# ---------------------------------------------------------------- the skeletons

X = np.array([[1.0, 0.5], [1.0, -1.0], [1.0, 2.0], [1.0, 0.0]])
Y01 = np.array([0.0, 1.0, 1.0, 0.0])
THETA = np.array([0.1, -0.2])
OPTIMIZERS = tuple(contract.OPTIMIZERS)

# (module, qualified name, call): small valid inputs for every function with a blank
CALLS = [
    ("logistic_regression", "logistic", lambda m: m.logistic(X, THETA)),
    ("logistic_regression", "loss", lambda m: m.loss(X, Y01, THETA)),
    ("logistic_regression", "gradient_ij", lambda m: m.gradient_ij(0.5, 1.0, 0.3)),
    ("logistic_regression", "gradients", lambda m: m.gradients(X, Y01, THETA)),
    ("logistic_regression", "step", lambda m: m.step(THETA, THETA, 0.1)),
    ("logistic_regression", "gradient_descent", lambda m: m.gradient_descent(X, Y01, epochs=2, batch_size=2)),
    ("linear_regression", "predict", lambda m: m.predict(X, THETA)),
    ("linear_regression", "loss", lambda m: m.loss(X, Y01, THETA)),
    ("linear_regression", "gradient_ij", lambda m: m.gradient_ij(0.5, 1.0, 0.3)),
    ("linear_regression", "gradients", lambda m: m.gradients(X, Y01, THETA)),
    ("linear_regression", "step", lambda m: m.step(THETA, THETA, 0.1)),
    ("linear_regression", "normal_equation", lambda m: m.normal_equation(X, Y01)),
    ("linear_regression", "gradient_descent", lambda m: m.gradient_descent(X, Y01, epochs=2)),
] + [
    ("optimizers", f"{name}.update",
     lambda m, name=name: getattr(m, name)().update({"theta": THETA.copy()}, {"theta": THETA.copy()}))
    for name in OPTIMIZERS
]


def defined_callables(module: ModuleType) -> list[str]:
    """Qualified names of the functions and methods (but __init__) a module defines itself."""
    names = []
    for name, value in vars(module).items():
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            names.append(name)
        elif inspect.isclass(value) and value.__module__ == module.__name__:
            names += [f"{name}.{attr}" for attr, member in vars(value).items()
                      if inspect.isfunction(member) and attr != "__init__"]
    return names


@pytest.mark.parametrize("module", MODULES)
def test_every_function_with_a_blank_is_called_below(module, skeletons):
    assert sorted(defined_callables(skeletons[module])) == sorted(name for m, name, _ in CALLS if m == module)


@pytest.mark.parametrize(("module", "qualname", "call"), CALLS, ids=[f"{m}.{n}" for m, n, _ in CALLS])
def test_each_blank_raises_naming_its_function(module, qualname, call, skeletons, references):
    call(references[module])  # the inputs are valid: the reference runs them
    with pytest.raises(NotImplementedError) as info:
        call(skeletons[module])
    message = str(info.value)
    assert message.startswith(f"{qualname}: ")
    assert "\n" not in message


@pytest.mark.parametrize("module", MODULES)
def test_signatures_and_docstrings_are_the_solutions(module, skeletons, references):
    skeleton, reference = skeletons[module], references[module]
    assert skeleton.__doc__ == reference.__doc__
    public = sorted(n for n, v in vars(reference).items()
                    if (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__ == reference.__name__)
    assert sorted(n for n, v in vars(skeleton).items()
                  if (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__ == skeleton.__name__) == public
    for name in public:
        ours, theirs = getattr(skeleton, name), getattr(reference, name)
        assert inspect.getdoc(ours) == inspect.getdoc(theirs), name
        if inspect.isclass(theirs):
            assert sorted(vars(ours)) == sorted(vars(theirs)), name
            for attr, member in vars(theirs).items():
                if inspect.isfunction(member):
                    assert str(inspect.signature(vars(ours)[attr])) == str(inspect.signature(member)), f"{name}.{attr}"
                    assert inspect.getdoc(vars(ours)[attr]) == inspect.getdoc(member), f"{name}.{attr}"
        else:
            assert str(inspect.signature(ours)) == str(inspect.signature(theirs)), name


@pytest.mark.parametrize("module", MODULES)
def test_no_solution_line_leaks_and_every_block_becomes_a_todo(module):
    solution = (KIT_ROOT / "solutions" / f"{module}.py").read_text(encoding="utf-8")
    skeleton = (KIT_ROOT / "assignment" / f"{module}.py").read_text(encoding="utf-8")
    hints, inside, outside = solution_blocks(solution)
    skeleton_lines = {line.strip() for line in skeleton.splitlines()}
    leaked = {line for line in inside if line and line not in outside} & skeleton_lines
    assert not leaked
    todos = [line.strip()[len("# TODO: "):] for line in skeleton.splitlines() if line.strip().startswith("# TODO: ")]
    assert todos == hints
    assert "BEGIN SOLUTION" not in skeleton and "END SOLUTION" not in skeleton
    # everything outside the blocks is kept, in order
    kept = iter(line.strip() for line in skeleton.splitlines())
    assert all(line in kept for line in outside)


@pytest.mark.parametrize("module", MODULES)
def test_strip_markers_keeps_every_other_line(module):
    solution = (KIT_ROOT / "solutions" / f"{module}.py").read_text(encoding="utf-8")
    expected = "".join(line for line in solution.splitlines(keepends=True)
                       if line.strip() != "# END SOLUTION" and not line.strip().startswith("# BEGIN SOLUTION"))
    assert strip_markers(solution, module) == expected


def test_skeleton_of_a_small_module():
    source = ('import numpy as np\n\n\nclass Box:\n    def area(self, w):\n        """Doc."""\n'
              '        # BEGIN SOLUTION: multiply "w" by itself\n        return w * w\n        # END SOLUTION\n')
    assert make_skeleton(source, "box.py") == (
        'import numpy as np\n\n\nclass Box:\n    def area(self, w):\n        """Doc."""\n'
        '        # TODO: multiply "w" by itself\n'
        "        raise NotImplementedError('Box.area: multiply \"w\" by itself')\n")


MALFORMED = {
    "BEGIN without a hint": ("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n",
                             2, "needs a hint"),
    "BEGIN with an empty hint": ("def f():\n    # BEGIN SOLUTION:   \n    return 1\n    # END SOLUTION\n",
                                 2, "needs a hint"),
    "unclosed": ("def f():\n    x = 1\n    # BEGIN SOLUTION: h\n    return x\n", 3, "never closed"),
    "nested": ("def f():\n    # BEGIN SOLUTION: a\n    # BEGIN SOLUTION: b\n    return 1\n"
               "    # END SOLUTION\n    # END SOLUTION\n", 3, "nested"),
    "END without BEGIN": ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without"),
    "END at another indentation": ("def f():\n    # BEGIN SOLUTION: h\n    return 1\n# END SOLUTION\n",
                                   4, "indentation"),
    "END with trailing text": ("def f():\n    # BEGIN SOLUTION: h\n    return 1\n    # END SOLUTION here\n",
                               4, "takes nothing after it"),
    "empty block": ("def f():\n    # BEGIN SOLUTION: h\n\n    # END SOLUTION\n", 2, "empty"),
    "block outside a function": ("# BEGIN SOLUTION: h\nx = 1\n# END SOLUTION\n", 1, "inside a function"),
    "block leaving its function": ("def f():\n    # BEGIN SOLUTION: h\n    y = 1\nz = 2\n    # END SOLUTION\n",
                                   4, "indented less"),
}


@pytest.mark.parametrize(("source", "line", "words"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_markers_name_file_and_line(source, line, words):
    for transform in (make_skeleton, strip_markers):
        with pytest.raises(UserError) as info:
            transform(source, "solutions/bad.py")
        message = str(info.value)
        assert message.startswith(f"solutions/bad.py:{line}: ")
        assert words in message
        assert "\n" not in message


def test_build_release_generates_every_file_in_memory():
    built = build_release(KIT_ROOT)
    assert sorted(built.files) == sorted([*GENERATED, "autograder/tests/RUBRIC.md"])
    for relative, text in built.files.items():
        assert (KIT_ROOT / relative).read_text(encoding="utf-8") == text
