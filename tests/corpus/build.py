"""Write the corpus as submissions: apply each case's edits to the reference and save it.

``python tests/corpus/build.py DEST`` writes every case into DEST (one entry per submission),
to look at them or to grade them by hand with ``python -m autograder grade DEST --out OUT``.
"""

from __future__ import annotations

import site
import sys
import zipfile
from pathlib import Path

import nbformat

if __package__ in (None, ""):  # run as a script: make ``corpus`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "corpus"

from autograder.paths import KIT_ROOT, MODULES, SOLUTIONS  # noqa: E402

from .bugs import BUGS, VARIANTS  # noqa: E402
from .cases import CONTAINMENT, Bug, Edit, Hostile, Variant  # noqa: E402
from .hostile import HOSTILE, NAMED  # noqa: E402


class OutOfStep(Exception):
    """An edit no longer matches the reference exactly once: update the corpus with the solutions."""


def reference_sources() -> dict[str, str]:
    return {m: (SOLUTIONS / f"{m}.py").read_text(encoding="utf-8") for m in MODULES}


def apply_edits(sources: dict[str, str], edits: tuple[Edit, ...], label: str) -> dict[str, str]:
    """``sources`` with each edit applied in turn; each ``old`` must occur exactly once."""
    sources = dict(sources)
    for edit in edits:
        count = sources[edit.module].count(edit.old)
        if count != 1:
            raise OutOfStep(f"{label}: {edit.module}.py holds {count} copies of {edit.old!r}, expected exactly one")
        sources[edit.module] = sources[edit.module].replace(edit.old, edit.new)
    return sources


def fill(text: str, context: dict) -> str:
    """Replace the ``$NAME`` placeholders of hostile code (see ``hostile``'s docstring)."""
    for key in ("KIT", "OUT", "SITE", "MARK", "PORT", "SLEEP"):
        text = text.replace(f"${key}", str(context.get(key.lower(), f"${key}")))
    return text


def case_sources(case: Bug | Variant | Hostile, context: dict | None = None) -> dict[str, str]:
    """The three modules of ``case``: the reference, its base bug's edits, then its own."""
    sources = reference_sources()
    if isinstance(case, Hostile) and case.base:
        sources = apply_edits(sources, bug_named(case.base).edits, case.base)
    edits = case.edits
    if isinstance(case, Hostile):
        edits = tuple(Edit(e.module, e.old, fill(e.new, context or {})) for e in edits)
    return apply_edits(sources, edits, case.name)


def bug_named(name: str) -> Bug:
    for case in BUGS:
        if case.name == name:
            return case
    raise KeyError(f"no bug named {name!r}")


def write_folder(folder: Path, sources: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return folder


def write_zip(path: Path, sources: dict[str, str], nested: bool) -> Path:
    """A flat zip, or one as archivers make it: a top folder, __MACOSX junk, a stale copy deeper down."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        prefix = "my_submission/" if nested else ""
        for name, text in sources.items():
            archive.writestr(f"{prefix}{name}.py", text)
        if nested:
            archive.writestr(f"__MACOSX/{prefix}._{MODULES[0]}.py", b"\x00\x05\x16\x07 resource fork")
            archive.writestr(f"{prefix}old/attempt1/{MODULES[0]}.py", "raise SystemExit('an old attempt')\n")
            archive.writestr(f"{prefix}.DS_Store", b"\x00\x00\x00\x01Bud1")
    return path


def cell_body(lines: list[str]) -> str:
    """A cell holding these lines: ``%%writefile`` ends what it writes with a newline when the
    cell has none, so the cell drops one (unless the text ends with a blank line)."""
    text = "".join(lines)
    return text if text.endswith("\n\n") else text.removesuffix("\n")


def write_notebook(folder: Path, sources: dict[str, str]) -> Path:
    """assignment.ipynb: each module in two cells (``%%writefile`` then ``%%writefile -a``),
    between a markdown cell and a training cell the grader never runs."""
    folder.mkdir(parents=True)
    cells = [nbformat.v4.new_markdown_cell("# My solutions")]
    for name, text in sources.items():
        lines = text.splitlines(keepends=True)
        half = len(lines) // 2
        cells.append(nbformat.v4.new_code_cell(f"%%writefile {name}.py\n" + cell_body(lines[:half])))
        cells.append(nbformat.v4.new_code_cell(f"\n%%writefile -a {name}.py\n" + cell_body(lines[half:])))
    cells.append(nbformat.v4.new_code_cell("import logistic_regression as lr\nraise SystemExit('never run')"))
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "assignment.ipynb")
    return folder


def write_case(root: Path, entry: str, case: Bug | Variant | Hostile, context: dict) -> Path:
    """Write ``case`` under ``root`` as the entry named ``entry``; returns its path."""
    sources = case_sources(case, context)
    folder = root / entry
    if isinstance(case, Hostile) and case.writer is not None:
        return case.writer(folder, sources, {**context, "reference": reference_sources()})
    form = case.form if isinstance(case, Variant) else "folder"
    if form in ("zip", "nested-zip"):
        return write_zip(folder.with_suffix(".zip"), sources, nested=form == "nested-zip")
    if form == "notebook":
        return write_notebook(folder, sources)
    return write_folder(folder, sources)


def entry_name(case: Bug | Variant | Hostile) -> str:
    return NAMED.get(case.name, case.name)


def containment(isolation) -> set[str]:
    """What the sandbox ``isolation`` (``autograder.sandbox.jail.isolation()``) contains."""
    found = {"read-only"} if isolation.mode == "bwrap" else set()
    found |= {"hidden"} if isolation.hides_answers else set()  # plain as root hides them too
    return found | ({"no-network"} if not isolation.network else set())


def write_corpus(root: Path, context: dict,
                 contains: tuple[str, ...] | set[str] = CONTAINMENT) -> dict[str, Bug | Variant | Hostile]:
    """Write every case into ``root``; returns ``{entry name: case}``.

    Hostile cases that need what ``contains`` lacks are left out (see ``Hostile.needs``).
    """
    root.mkdir(parents=True, exist_ok=True)
    cases: dict[str, Bug | Variant | Hostile] = {}
    for case in (*BUGS, *VARIANTS, *HOSTILE):
        if isinstance(case, Hostile) and case.needs and case.needs not in contains:
            continue
        entry = entry_name(case)
        write_case(root, entry, case, context)
        cases[entry] = case
    return cases


def default_context() -> dict:
    return {"kit": KIT_ROOT, "out": "/nonexistent-output", "site": site.getsitepackages()[0],
            "mark": "corpus", "port": 9, "sleep": "47.0"}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/corpus/build.py DEST")
    written = write_corpus(Path(sys.argv[1]), default_context())
    print(f"wrote {len(written)} submissions into {sys.argv[1]}")
