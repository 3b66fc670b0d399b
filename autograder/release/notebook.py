"""The assignment notebook, built from one narrative source and the three modules.

The narrative lives in ``solutions/notebook.md``: Markdown with a few fenced directives, so
it reads and diffs like a document.

- Text outside fences is Markdown. A line ``+++`` ends one Markdown cell and starts the next.
- A ```` ```python ```` fence is a code cell, the same for students and instructors.
- A ```` ```{module} logistic_regression.loss ```` fence (empty) places one piece of a module
  as a ``%%writefile`` cell: ``logistic_regression`` alone is the module's head (docstring
  and imports), ``logistic_regression.<name>`` its top-level function or class ``<name>``.
  Every piece of every module must be placed once, in the module's own order, so the
  cells rebuild the file exactly (contract, section 1).
- A ```` ```{answer} <name> ```` fence holds the model answer (Markdown) to the written
  question above it. The student notebook gets a ``**Your answer:**`` placeholder there,
  the solution notebook ``**Model answer:**`` and the text.
- A ```` ```{setup} ```` fence, whose body is the URL of the student bundle's zip, places the
  setup cell (`setup_source`): it gets a fresh Colab runtime ready, registers the
  ``%%writefile`` that keeps a copy of work it would overwrite (`autograder.writefile`),
  imports ``check`` and sets the language of its messages. It must come before any module.
- After every module piece that public tests grade, the builder adds a check cell,
  ``check("<module>.<name>")`` (`autograder.grading.check_cell`).
- A front-matter block between two ``---`` lines at the very top is for editors and ignored.
- One source per language, ``notebook.md`` (English) and ``notebook.<lang>.md``: the same
  cells in the same order and the same code, the prose translated (`same_code` checks it).
- Other fences (```` ```text ````, ```` ``` ````) stay inside the Markdown as they are.

The module cells come from the skeleton (student) or the marker-free solution (instructor),
so the code exists in one place only. Output is deterministic: cell ids are derived from
the source (``md-03``, ``code-02``, ``answer-<name>``, ``logistic_regression-loss``,
``check-logistic_regression-loss``, ``setup``),
there are no outputs, execution counts or timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_notebook

from autograder.errors import UserError
from autograder.i18n import DEFAULT
from autograder.i18n import text as message

SOURCE_NAME = "notebook.md"
NOTEBOOK_NAME = "assignment.ipynb"
STUDENT_ANSWER = message("notebook.your_answer", DEFAULT)
MODEL_ANSWER = message("notebook.model_answer", DEFAULT)

SETUP = '''# Run this cell first. On a fresh Colab runtime it downloads the course kit (its code, the data
# and check) from the course's page and installs it; where the kit is installed, it only loads it.
import importlib.util
import os
import sys

KIT_URL = "{url}"  # the student bundle (a .zip), published by the course staff
os.environ["AUTOGRADER_LANG"] = "{lang}"  # the language of check's messages: "en" or "ko"
if importlib.util.find_spec("autograder") is None:
    import io
    import subprocess
    import urllib.request
    import zipfile
    from pathlib import Path

    with urllib.request.urlopen(KIT_URL) as response:
        zipfile.ZipFile(io.BytesIO(response.read())).extractall("course-kit")
    kit = next(p.parent for p in sorted(Path("course-kit").resolve().glob("**/setup.cfg")))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", str(kit)], check=True)
    sys.path.insert(0, str(kit))

from autograder import check, writefile  # noqa: E402

writefile.register()  # %%writefile keeps a copy of work it would overwrite, and says so'''


def setup_source(url: str, lang: str) -> str:
    """The notebook's first code cell: Colab set-up, the writefile backup, ``check``, the language."""
    return SETUP.format(url=url.strip(), lang=lang)


def language_of(filename: str) -> str:
    """``notebook.md`` is English; ``notebook.ko.md`` Korean."""
    parts = filename.rsplit("/", 1)[-1].split(".")
    return parts[1] if len(parts) == 3 else DEFAULT

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,48}$")
_FENCE = "```"


@dataclass(frozen=True)
class SourceCell:
    """One cell of the narrative source: kind is markdown, code, module or answer."""

    kind: str
    text: str
    name: str  # module piece ("logistic_regression.loss") or answer name; "" otherwise
    line: int  # 1-based line of the cell's start in the source, for error messages


def parse_source(text: str, filename: str) -> list[SourceCell]:
    """Split the narrative source into cells (see the module docstring for the format).

    Raises
    ------
    UserError
        ``<filename>:<line>: ...`` for an unclosed fence or front matter, an unknown
        directive, a bad name, a module fence with a body or an empty code or answer cell.
    """
    lines = text.splitlines()
    cells: list[SourceCell] = []
    start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                start = i + 1
                break
        else:
            raise UserError(f"{filename}:1: the front matter opened by '---' is never closed")

    markdown: list[str] = []
    markdown_line = start + 1

    def flush_markdown() -> None:
        body = "\n".join(markdown).strip("\n")
        if body.strip():
            cells.append(SourceCell("markdown", body, "", markdown_line))
        markdown.clear()

    i = start
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        if line.rstrip() == "+++":
            flush_markdown()
            markdown_line = lineno + 1
            i += 1
            continue
        if not line.startswith(_FENCE):
            if not markdown:
                markdown_line = lineno
            markdown.append(line)
            i += 1
            continue
        info = line[len(_FENCE):].strip()
        close = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == _FENCE), None)
        if close is None:
            raise UserError(f"{filename}:{lineno}: this fence is never closed by a line '```'")
        body = "\n".join(lines[i + 1: close])
        if info == "python" or info.startswith("{"):
            flush_markdown()
            cells.append(_directive(info, body, filename, lineno))
            markdown_line = close + 2
        else:
            # a fence inside the prose (```text, a bare ```): it stays Markdown
            if not markdown:
                markdown_line = lineno
            markdown.extend(lines[i: close + 1])
        i = close + 1
    flush_markdown()
    return cells


def _directive(info: str, body: str, filename: str, lineno: int) -> SourceCell:
    where = f"{filename}:{lineno}"
    if info == "python":
        if not body.strip():
            raise UserError(f"{where}: empty python cell")
        return SourceCell("code", body.strip("\n"), "", lineno)
    kind, _, name = info.partition("}")
    kind, name = kind.lstrip("{").strip(), name.strip()
    if kind == "module":
        if body.strip():
            raise UserError(f"{where}: a {{module}} fence takes no body; its code comes from solutions/")
        if not all(_NAME.match(part) for part in name.split(".")) or name.count(".") > 1:
            raise UserError(f"{where}: {{module}} needs '<module>' or '<module>.<function or class>', got {name!r}")
        return SourceCell("module", "", name, lineno)
    if kind == "setup":
        if not re.match(r"^https?://\S+$", body.strip()):
            raise UserError(f"{where}: a {{setup}} fence holds one line, the http(s) URL of the student bundle's zip")
        return SourceCell("setup", body.strip(), "", lineno)
    if kind == "answer":
        if not _NAME.match(name):
            raise UserError(f"{where}: {{answer}} needs a name of letters, digits, '-' or '_', got {name!r}")
        if not body.strip():
            raise UserError(f"{where}: the answer {name!r} has no model answer")
        return SourceCell("answer", body.strip("\n"), name, lineno)
    raise UserError(f"{where}: unknown directive {info!r}; use ```python, ```{{module}} <piece>, ```{{answer}} <name> "
                    "or ```{{setup}}")


def split_module(text: str, module: str) -> list[tuple[str, str]]:
    """Cut a module into its head and one piece per top-level function or class.

    A piece starts at the blank lines before its ``def``/``class`` (and before any decorators
    or comments right above it), so the pieces joined in order are the module again.

    Returns
    -------
    pieces : list of (name, text): ``(module, head)`` then ``(module.function, text)``...
    """
    lines = text.splitlines(keepends=True)
    starts: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        for keyword in ("def ", "async def ", "class "):
            if line.startswith(keyword):
                name = line[len(keyword):].split("(", 1)[0].split(":", 1)[0].strip()
                first = i
                while first > 0 and lines[first - 1].startswith(("@", "#")):
                    first -= 1
                while first > 0 and not lines[first - 1].strip():
                    first -= 1
                starts.append((first, f"{module}.{name}"))
    bounds = [0] + [first for first, _ in starts] + [len(lines)]
    names = [module] + [name for _, name in starts]
    return [(name, "".join(lines[a:b])) for name, a, b in zip(names, bounds[:-1], bounds[1:], strict=True)]


def writefile_source(module: str, piece: str, first: bool) -> str:
    """The source of a ``%%writefile`` cell that writes ``piece`` exactly.

    IPython appends a newline to a cell that lacks one, so the piece's final newline is left
    out of the cell (and kept when the piece ends in a blank line, which IPython would lose).
    """
    magic = f"%%writefile {module}.py" if first else f"%%writefile -a {module}.py"
    body = piece[:-1] if piece.endswith("\n") and not piece.endswith("\n\n") else piece
    return f"{magic}\n{body}"


def _module_cells(cells: list[SourceCell], modules: dict[str, str], filename: str) -> dict[str, tuple[str, bool]]:
    """Check the placement of every module piece; map each placed name to (text, first)."""
    pieces = {module: split_module(text, module) for module, text in modules.items()}
    for module, text in modules.items():
        if not text.endswith("\n"):
            raise UserError(f"solutions/{module}.py must end with a newline to be written by %%writefile")
    placed: dict[str, tuple[str, bool]] = {}
    progress = {module: 0 for module in modules}
    for cell in cells:
        if cell.kind != "module":
            continue
        module = cell.name.split(".", 1)[0]
        if module not in pieces:
            raise UserError(f"{filename}:{cell.line}: no module {module!r} in solutions/ (have: {', '.join(modules)})")
        names = [name for name, _ in pieces[module]]
        if cell.name not in names:
            raise UserError(f"{filename}:{cell.line}: {cell.name!r} is not a piece of {module}.py; "
                            f"its pieces are: {', '.join(names)}")
        expected = names[progress[module]] if progress[module] < len(names) else None
        if cell.name != expected:
            raise UserError(f"{filename}:{cell.line}: {cell.name!r} is placed twice or out of order; "
                            f"the next piece of {module}.py is {expected!r}")
        placed[cell.name] = (pieces[module][progress[module]][1], progress[module] == 0)
        progress[module] += 1
    missing = [name for module in modules for name, _ in pieces[module][progress[module]:]]
    if missing:
        raise UserError(f"{filename}: these module pieces have no {{module}} cell: {', '.join(missing)}")
    return placed


def _cell(kind: str, source: str, cell_id: str, tags: list[str] | None = None) -> NotebookNode:
    """A v4 cell; the notebook is validated once as a whole (per-cell validation is slow)."""
    cell = NotebookNode(cell_type=kind, id=cell_id, metadata=NotebookNode({"tags": tags} if tags else {}),
                        source=source)
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def build_notebook(source: str, modules: dict[str, str], solution: bool, filename: str = SOURCE_NAME,
                   checked: frozenset[str] = frozenset()) -> NotebookNode:
    """The assignment notebook (nbformat v4) from the narrative source and the module texts.

    Parameters
    ----------
    source : text of the narrative source (``solutions/notebook.md``)
    modules : ``{module name: text}``, the skeletons for students or the marker-free
        solutions for instructors
    solution : True for the instructor's notebook (model answers and a banner)
    filename : how error messages name the source; its name gives the language (`language_of`)
    checked : the module pieces (``"logistic_regression.loss"``) that get a check cell after them

    Raises
    ------
    UserError
        If the source is malformed or does not place every module piece once, in order.
    """
    cells = parse_source(source, filename)
    placed = _module_cells(cells, modules, filename)
    lang = language_of(filename)
    setups = [c for c in cells if c.kind == "setup"]
    first_module = next((i for i, c in enumerate(cells) if c.kind == "module"), len(cells))
    if len(setups) > 1 or (setups and cells.index(setups[0]) > first_module):
        raise UserError(f"{filename}:{setups[-1].line}: one {{setup}} cell, before the first {{module}} cell")
    counters = {"markdown": 0, "code": 0}
    nb_cells: list[NotebookNode] = []
    if solution:
        nb_cells.append(_cell("markdown", message("notebook.solution_banner", lang), "solution-banner"))
    for cell in cells:
        if cell.kind == "module":
            piece, first = placed[cell.name]
            module = cell.name.split(".", 1)[0]
            nb_cells.append(_cell("code", writefile_source(module, piece, first), cell.name.replace(".", "-"),
                                  tags=["module"]))
            if cell.name in checked:
                nb_cells.append(_cell("code", f"check({cell.name!r})".replace("'", '"'),
                                      f"check-{cell.name.replace('.', '-')}", tags=["check"]))
        elif cell.kind == "setup":
            nb_cells.append(_cell("code", setup_source(cell.text, lang), "setup", tags=["setup"]))
        elif cell.kind == "answer":
            answer = (f"{message('notebook.model_answer', lang)}\n\n{cell.text}" if solution
                      else message("notebook.your_answer", lang))
            nb_cells.append(_cell("markdown", answer, f"answer-{cell.name}", tags=["answer"]))
        else:
            counters[cell.kind] += 1
            prefix = "md" if cell.kind == "markdown" else "code"
            nb_cells.append(_cell(cell.kind, cell.text, f"{prefix}-{counters[cell.kind]:02d}"))
    ids = [c.id for c in nb_cells]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UserError(f"{filename}: cell ids must be unique; repeated: {', '.join(duplicates)}")
    nb = new_notebook(cells=nb_cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def same_code(nb: NotebookNode, other: NotebookNode, filename: str) -> None:
    """Two editions of the notebook must hold the same cells in the same order, the same code
    in every code cell (the setup cell differs in its language only) and the same questions.

    Raises
    ------
    UserError
        Naming the first cell where ``other`` (built from ``filename``) differs.
    """
    def shape(book: NotebookNode) -> list[tuple[str, str, str]]:
        return [(c.cell_type, c.id, c.source if c.cell_type == "code" and c.id != "setup" else "")
                for c in book.cells]

    ours, theirs = shape(nb), shape(other)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        if a != b:
            what = "its code differs" if a[:2] == b[:2] else f"it is {b[0]} cell {b[1]!r}, expected {a[0]} cell {a[1]!r}"
            raise UserError(f"{filename}: cell {i + 1} does not match the English notebook: {what}")
    if len(ours) != len(theirs):
        raise UserError(f"{filename}: {len(theirs)} cells where the English notebook has {len(ours)}")


def notebook_text(nb: NotebookNode) -> str:
    """The notebook as nbformat writes it (sorted keys, one-space indent), newline-terminated."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"
