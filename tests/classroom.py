"""A class folder like an LMS export, for the gradebook tests: good work, a blank one, a corrupt
zip, an empty folder, a syntax error, a filled notebook beside untouched modules."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from autograder.paths import ASSIGNMENT, KIT_ROOT, MODULES, SOLUTIONS
from autograder.release.command import build_release


def solution_notebook() -> str:
    return build_release(KIT_ROOT).solution_notebook


def write_reference(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for module in MODULES:
        shutil.copyfile(SOLUTIONS / f"{module}.py", folder / f"{module}.py")
    return folder


def write_syntax_error(folder: Path) -> int:
    """The reference with a broken last line in optimizers.py (``def (:``); returns its number."""
    write_reference(folder)
    text = (folder / "optimizers.py").read_text(encoding="utf-8").rstrip("\n")
    (folder / "optimizers.py").write_text(text + "\ndef (:\n", encoding="utf-8")
    return text.count("\n") + 2


def write_filled_notebook_beside_blank_modules(folder: Path) -> Path:
    """What a student who worked in the notebook and never ran it hands in."""
    shutil.copytree(ASSIGNMENT, folder, ignore=shutil.ignore_patterns("*.ipynb"))
    (folder / "assignment.ipynb").write_text(solution_notebook(), encoding="utf-8")
    return folder


def build_class(root: Path, names: tuple[str, ...] = ("alice", "bob", "carol")) -> Path:
    """``root/submissions``: the named reference submissions plus every awkward kind."""
    submissions = root / "submissions"
    submissions.mkdir(parents=True)
    for name in names:
        write_reference(submissions / name)
    (submissions / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not a zip archive")
    (submissions / "empty").mkdir()
    write_syntax_error(submissions / "syntax")
    write_filled_notebook_beside_blank_modules(submissions / "notebook_only")
    return submissions


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return target


def write_bug(folder: Path, bug: str) -> Path:
    """The reference with one of the corpus's bugs (``corpus.bugs``), as a folder."""
    from corpus.build import apply_edits, bug_named, reference_sources, write_folder

    return write_folder(folder, apply_edits(reference_sources(), bug_named(bug).edits, bug))


def write_hang(folder: Path) -> Path:
    """The reference whose SGD never returns: a submission that takes its time limits to grade."""
    from corpus.build import reference_sources, write_folder

    sources = reference_sources()
    init = "    def __init__(self, lr: float = 0.01) -> None:\n"  # SGD's
    assert sources["optimizers"].count(init) == 1
    sources["optimizers"] = sources["optimizers"].replace(init, init + "        while True:\n            pass\n")
    return write_folder(folder, sources)
