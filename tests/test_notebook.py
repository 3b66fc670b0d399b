"""The assignment notebook: its %%writefile cells are the modules, and the solution runs.

`rebuild` restates the contract's notebook form (section 1) as IPython runs it: a code cell
whose first line is ``%%writefile [-a] <file>`` writes (or appends) the rest of the cell,
with a newline added when the cell lacks one. The slow test runs the solution notebook in a
real kernel and compares the files the kernel wrote.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.errors import UserError
from autograder.grading.check_cell import public_functions
from autograder.paths import KIT_ROOT, MODULES
from autograder.release.command import build_release
from autograder.release.notebook import STUDENT_ANSWER, build_notebook, parse_source, split_module, writefile_source

NOTEBOOK = KIT_ROOT / "assignment" / "assignment.ipynb"


def rebuild(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The files a notebook's %%writefile cells write, run top to bottom."""
    files: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.startswith("%%writefile"):
            continue
        first, _, body = cell.source.partition("\n")
        words = first.split()
        append = "-a" in words[1:-1]
        if not body.endswith("\n"):
            body += "\n"
        files[words[-1]] = (files.get(words[-1], "") if append else "") + body
    return files


def without_markers(path: Path) -> str:
    return "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not line.lstrip().startswith(("# BEGIN SOLUTION", "# END SOLUTION")))


@pytest.fixture(scope="module")
def student() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def solution() -> nbformat.NotebookNode:
    return nbformat.reads(build_release(KIT_ROOT).solution_notebook, as_version=4)


def test_student_notebook_rebuilds_exactly_the_assignment_modules(student):
    files = rebuild(student)
    assert sorted(files) == sorted(f"{name}.py" for name in MODULES)
    for name in files:
        assert files[name] == (KIT_ROOT / "assignment" / name).read_text(encoding="utf-8"), name


def test_solution_notebook_rebuilds_the_solutions_without_markers(solution):
    files = rebuild(solution)
    assert sorted(files) == sorted(f"{name}.py" for name in MODULES)
    for name in files:
        assert files[name] == without_markers(KIT_ROOT / "solutions" / name), name


def test_each_module_cell_holds_one_function_or_class(student):
    for name in MODULES:
        cells = [c for c in student.cells if c.cell_type == "code" and c.source.split("\n", 1)[0].endswith(f" {name}.py")]
        assert cells[0].source.startswith(f"%%writefile {name}.py\n")
        assert all(c.source.startswith(f"%%writefile -a {name}.py\n") for c in cells[1:])
        assert "import numpy as np" in cells[0].source and "def " not in cells[0].source
        for cell in cells[1:]:
            top_level = [line for line in cell.source.splitlines()[1:] if line.startswith(("def ", "class "))]
            assert len(top_level) == 1, top_level
            assert cell.id == f"{name}-{top_level[0].split()[1].split('(')[0].rstrip(':')}"


def test_notebooks_are_clean_valid_and_share_their_structure(student, solution):
    for nb in (student, solution):
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        ids = [cell.id for cell in nb.cells]
        assert len(ids) == len(set(ids))
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
    assert [c.id for c in solution.cells] == ["solution-banner"] + [c.id for c in student.cells]
    # the narrative is shared: only module cells and answers differ
    for ours, theirs in zip(student.cells, solution.cells[1:], strict=True):
        if "module" not in ours.metadata.get("tags", []) and "answer" not in ours.metadata.get("tags", []):
            assert ours.source == theirs.source


def test_answers_are_placeholders_for_students_and_model_answers_for_instructors(student, solution):
    student_answers = {c.id: c.source for c in student.cells if c.id.startswith("answer-")}
    solution_answers = {c.id: c.source for c in solution.cells if c.id.startswith("answer-")}
    assert set(student_answers) == set(solution_answers)
    assert len(student_answers) >= 5
    assert all(text == STUDENT_ANSWER for text in student_answers.values())
    student_json = json.dumps(student)
    for text in solution_answers.values():
        assert text.startswith("**Model answer:**\n\n")
        model = text.split("\n\n", 2)[1]
        assert len(model) > 100
        assert json.dumps(model)[1:-1] not in student_json  # no model answer leaks to students
    # every answer cell follows a question
    cells = student.cells
    for i, cell in enumerate(cells):
        if cell.id.startswith("answer-"):
            assert cells[i - 1].cell_type == "markdown" and "**Question" in cells[i - 1].source


def test_the_three_parts_are_there(student):
    markdown = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    for heading in ("## Part 1", "## Part 2", "## Part 3"):
        assert heading in markdown
    for words in ("from autograder.datasets import load_task", "importlib.reload", "batch_size",
                  "plt.show()", "pd.DataFrame"):
        assert words in code


# ---------------------------------------------------------------- the builder


MODULE = '''"""Doc."""

import numpy as np


# a comment that belongs to f
@staticmethod
def f(x):
    return x


class C:
    def g(self):
        return 1

'''


def test_pieces_rebuild_the_module_exactly_as_ipython_writes_them():
    pieces = split_module(MODULE, "m")
    assert [name for name, _ in pieces] == ["m", "m.f", "m.C"]
    assert "".join(text for _, text in pieces) == MODULE
    assert pieces[1][1].startswith("\n\n# a comment that belongs to f\n@staticmethod\n")
    cells = [nbformat.v4.new_code_cell(writefile_source("m", text, i == 0)) for i, (_, text) in enumerate(pieces)]
    assert rebuild(nbformat.v4.new_notebook(cells=cells)) == {"m.py": MODULE}  # trailing blank line kept


SOURCE = """---
editors' notes
---
# Title

+++
Between.
```text
not a cell
```

```{module} m
```

```{module} m.f
```

```python
print(1)
```

**Question.**

```{answer} q
Because.
```

```{module} m.C
```
"""


def test_the_source_format():
    cells = parse_source(SOURCE, "nb.md")
    assert [(c.kind, c.name) for c in cells] == [
        ("markdown", ""), ("markdown", ""), ("module", "m"), ("module", "m.f"), ("code", ""),
        ("markdown", ""), ("answer", "q"), ("module", "m.C")]
    assert cells[0].text == "# Title"
    assert cells[1].text == "Between.\n```text\nnot a cell\n```"
    assert cells[4].text == "print(1)"
    student = build_notebook(SOURCE, {"m": MODULE}, solution=False)
    assert [c.id for c in student.cells] == ["md-01", "md-02", "m", "m-f", "code-01", "md-03", "answer-q", "m-C"]
    assert student.cells[6].source == STUDENT_ANSWER
    solution = build_notebook(SOURCE, {"m": MODULE}, solution=True)
    assert solution.cells[7].source == "**Model answer:**\n\nBecause."


BROKEN = {
    "a piece is missing": (SOURCE.replace("```{module} m.C\n```\n", ""), "have no {module} cell: m.C"),
    "pieces out of order": (SOURCE.replace("{module} m.f", "{module} m.X").replace("{module} m.C", "{module} m.f")
                            .replace("{module} m.X", "{module} m.C"), "nb.md:15: 'm.C' is placed twice or out of order"),
    "a piece twice": (SOURCE.replace("{module} m.C", "{module} m.f"), "'m.f' is placed twice or out of order"),
    "an unknown piece": (SOURCE.replace("{module} m.C", "{module} m.D"), "'m.D' is not a piece of m.py"),
    "an unknown module": (SOURCE.replace("{module} m.C", "{module} n.C"), "no module 'n'"),
    "an unknown directive": (SOURCE.replace("{answer} q", "{question} q"), "nb.md:24: unknown directive"),
    "an unclosed fence": (SOURCE + "```python\nx = 1\n", "this fence is never closed"),
    "a module fence with a body": (SOURCE.replace("```{module} m\n```", "```{module} m\nx = 1\n```"), "takes no body"),
    "an answer without a name": (SOURCE.replace("{answer} q", "{answer}"), "{answer} needs a name"),
    "an empty answer": (SOURCE.replace("Because.\n", ""), "has no model answer"),
    "unclosed front matter": (SOURCE.replace("---\n# Title", "# Title"), "nb.md:1: the front matter"),
}


@pytest.mark.parametrize(("source", "words"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_source_is_a_clear_error(source, words):
    with pytest.raises(UserError) as info:
        build_notebook(source, {"m": MODULE}, solution=False, filename="nb.md")
    assert words in str(info.value)
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- running it


EDITIONS = {"en": "assignment.ipynb", "ko": "assignment.ko.ipynb"}


def edition(lang: str, solution: bool) -> nbformat.NotebookNode:
    built = build_release(KIT_ROOT)
    text = (built.solution_notebook if lang == "en" else built.translated_solutions[lang]) if solution \
        else built.files[f"assignment/{EDITIONS[lang]}"]
    return nbformat.reads(text, as_version=4)


def shown(cell: nbformat.NotebookNode, kind: str) -> str:
    """What a cell displayed as ``kind`` (text/plain, text/html), all outputs joined."""
    return "".join(out.get("data", {}).get(kind, "") for out in cell.outputs)


@pytest.mark.slow
@pytest.mark.parametrize("lang", EDITIONS)
def test_solution_notebook_runs_headless_and_writes_the_solutions(tmp_path: Path, lang: str):
    path = tmp_path / EDITIONS[lang]
    nbformat.write(edition(lang, solution=True), path)
    nb = nbformat.read(path, as_version=4)
    # a cwd that holds nothing else, so the notebook's imports find only what it wrote
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    errors = [(cell.id, out.get("ename"), out.get("evalue")) for cell in nb.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert errors == []
    warnings = [out.text for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
                if out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text]
    assert warnings == []
    # progress bars never leave text in a cell's output
    stderr = [(cell.id, out.text) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "stream" and out.name == "stderr"]
    assert stderr == []
    for name in MODULES:
        written = (tmp_path / f"{name}.py").read_text(encoding="utf-8")
        assert written == without_markers(KIT_ROOT / "solutions" / f"{name}.py"), name
    # every check cell: a table, every public test of its function passed, in the edition's language
    checks = [cell for cell in nb.cells if "check" in cell.metadata.get("tags", [])]
    assert len(checks) == len(public_functions())
    passed = {"en": "All public tests of {} passed", "ko": "{}의 공개 테스트를 모두 통과했습니다"}[lang]
    for cell in checks:
        function = cell.source.split('"')[1]
        html = shown(cell, "text/html")
        assert "<table" in html and passed.format(function) in shown(cell, "text/plain"), cell.id
        assert html.count("<tr>") == 1 + sum(1 for _ in re.finditer("✓", html)), cell.id  # header + all rows passed
        assert "✗" not in html and "…" not in html, cell.id
    plotting = [cell for cell in nb.cells if cell.cell_type == "code" and "plt.show()" in cell.source]
    assert len(plotting) >= 3
    for cell in plotting:
        assert any("image/png" in out.get("data", {}) for out in cell.outputs), cell.id
        assert any("text/html" in out.get("data", {}) for out in cell.outputs), cell.id  # the pandas table
    # Part 3: the sweep's table, and each of its figures shown as a picture
    figures = [cell for cell in nb.cells if cell.cell_type == "code"
               and ("figures[" in cell.source or "optimizer_paths(" in cell.source)]
    assert len(figures) >= 5
    for cell in figures:
        assert any("image/png" in out.get("data", {}) for out in cell.outputs), cell.id
    table = next(cell for cell in nb.cells if "result = sweep(" in cell.source)
    assert any("text/html" in out.get("data", {}) for out in table.outputs)
    gradient_check = next(cell for cell in nb.cells if "numerical_gradient(module.loss" in cell.source)
    printed = "".join(out.text for out in gradient_check.outputs if out.output_type == "stream")
    differences = [float(line.rsplit(" ", 1)[1]) for line in printed.splitlines()]
    assert len(differences) == 2 and max(differences) < 1e-8


@pytest.mark.slow
@pytest.mark.parametrize("lang", EDITIONS)
def test_student_notebook_writes_the_skeletons_and_checks_show_not_implemented(tmp_path: Path, lang: str):
    nb = edition(lang, solution=False)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    for name in MODULES:
        assert (tmp_path / f"{name}.py").read_bytes() == (KIT_ROOT / "assignment" / f"{name}.py").read_bytes()
    errors = [(cell.id, out.ename, out.evalue) for cell in nb.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    # the setup, module and check cells run; the first blank is hit by the gradient check of Part 2
    assert errors[0] == ("code-02", "NotImplementedError", errors[0][2])
    assert errors[0][2].startswith("gradients: ")
    missing = {"en": "not implemented yet", "ko": "아직 구현되지 않음"}[lang]
    checks = [cell for cell in nb.cells if "check" in cell.metadata.get("tags", [])]
    for cell in checks:
        html = shown(cell, "text/html")
        rows = html.count("<tr>") - 1
        assert rows >= 1 and html.count(f"… {missing}") == rows, cell.id
        assert "Traceback" not in shown(cell, "text/plain")
    assert shown(nb.cells[[c.id for c in nb.cells].index("setup")], "text/plain") == ""  # nothing displayed
