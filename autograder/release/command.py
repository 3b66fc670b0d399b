"""Generate the student files from solutions/, or check that they are up to date.

solutions/ is the single source of truth. From solutions/<module>.py it makes
assignment/<module>.py, every '# BEGIN SOLUTION: <hint>' ... '# END SOLUTION' block
replaced by a TODO and a NotImplementedError naming the function; from those and the
narrative solutions/notebook.md it makes assignment/assignment.ipynb; from the grading tests'
markers and autograder/tests/RUBRIC.in.md it makes autograder/tests/RUBRIC.md. The output is
deterministic (no timestamps, no outputs, stable cell ids): a rerun gives identical bytes.
Each translation of the narrative, solutions/notebook.<lang>.md (notebook.ko.md: Korean),
makes assignment/assignment.<lang>.ipynb, with the same cells and code as the English one.

examples:
  python -m autograder release                  write assignment/*.py and assignment.ipynb
  python -m autograder release --check          write nothing; exit 1 naming each stale file
  python -m autograder release --student-bundle ~/bundle
                                                write what students get: skeleton, notebook,
                                                data, public tests and check; no solution
                                                code and no hidden test
  python -m autograder release --solution-notebook ~/solution.ipynb
                                                also write the instructor's notebook
                                                (blanks filled, model answers; keep it
                                                out of assignment/ and out of students' hands),
                                                and each translation beside it (solution.ko.ipynb)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UserError
from autograder.paths import KIT_ROOT, MODULES
from autograder.release.bundle import build_student_bundle
from autograder.release.notebook import NOTEBOOK_NAME, SOURCE_NAME, build_notebook, notebook_text, same_code
from autograder.release.rubric import RUBRIC_NAME, TEMPLATE_NAME, rubric_text
from autograder.release.skeleton import make_skeleton, strip_markers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 and name each file that is missing or differs from "
                           "what would be generated, 0 when all are up to date")
    mode.add_argument("--solution-notebook", metavar="PATH", type=Path,
                      help="also write the solution notebook (blanks filled, model answers) to PATH; "
                           "refused inside assignment/")
    mode.add_argument("--student-bundle", metavar="DIR", type=Path,
                      help="write the student bundle into DIR (new or empty) after releasing")
    parser.add_argument("--root", metavar="DIR", type=Path, default=KIT_ROOT,
                        help="the kit to work on: reads DIR/solutions, writes DIR/assignment "
                             "(default: the kit this package belongs to)")


@dataclass
class Release:
    """Everything ``release`` makes, as text: student files by path relative to the root."""

    files: dict[str, str]
    solution_notebook: str
    translated_solutions: dict[str, str]  # language -> its solution notebook


def build_release(root: Path) -> Release:
    """Generate the student modules, the student notebook and the solution notebook in memory.

    Raises
    ------
    UserError
        If solutions/ or one of its files is missing, or a marker or the notebook source is
        malformed.
    """
    solutions = root / "solutions"
    if not solutions.is_dir():
        raise UserError(f"no solutions directory at {solutions}; give the kit's root with --root")
    sources = {path.stem: path for path in sorted(solutions.glob("*.py"))}
    missing = [f"solutions/{name}.py" for name in MODULES if name not in sources]
    if missing:
        raise UserError(f"missing reference module(s): {', '.join(missing)}")
    notebook_source = solutions / SOURCE_NAME
    if not notebook_source.is_file():
        raise UserError(f"missing the notebook's narrative source solutions/{SOURCE_NAME}")

    skeletons: dict[str, str] = {}
    finished: dict[str, str] = {}
    for name, path in sources.items():
        text = path.read_text(encoding="utf-8")
        display = f"solutions/{path.name}"
        skeletons[name] = make_skeleton(text, display)
        finished[name] = strip_markers(text, display)
    from autograder.grading.check_cell import public_functions

    checked = frozenset(public_functions())
    files = {f"assignment/{name}.py": text for name, text in skeletons.items()}
    english: dict[bool, object] = {}
    solutions_by_language: dict[str, str] = {}
    for source in [notebook_source, *sorted(solutions.glob("notebook.*.md"))]:
        lang = source.name.split(".")[1] if source != notebook_source else ""
        display = f"solutions/{source.name}"
        narrative = source.read_text(encoding="utf-8")
        for solution in (False, True):
            nb = build_notebook(narrative, finished if solution else skeletons, solution, display, checked)
            if not lang:
                english[solution] = nb
            else:
                same_code(english[solution], nb, display)
            if solution:
                solutions_by_language[lang] = notebook_text(nb)
            else:
                files[f"assignment/{Path(NOTEBOOK_NAME).stem}{'.' + lang if lang else ''}.ipynb"] = notebook_text(nb)
    english_solution = solutions_by_language.pop("")
    tests = root / "autograder" / "tests"
    if (tests / TEMPLATE_NAME).is_file():  # a kit with grading tests (not a bare solutions/ folder)
        files[f"autograder/tests/{RUBRIC_NAME}"] = rubric_text(tests)
    return Release(files, english_solution, solutions_by_language)


def stale_files(root: Path, files: dict[str, str]) -> list[str]:
    """The paths among ``files`` that are missing under ``root`` or whose bytes differ."""
    stale = []
    for relative, text in files.items():
        path = root / relative
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            stale.append(relative)
    return stale


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _check(root: Path, release: Release) -> int:
    stale = stale_files(root, release.files) + stale_recordings(root)
    for relative in stale:
        state = "missing" if not (root / relative).is_file() else "out of date"
        print(f"{relative}: {state}")
    if stale:
        print(f"{len(stale)} generated file(s) differ from their sources (solutions/, the grading tests' "
              "markers); run: python -m autograder release", file=sys.stderr)
        return 1
    print(f"up to date: {len(release.files)} generated files and the recorded baselines")
    return 0


def stale_recordings(root: Path) -> list[str]:
    """The kit's recordings of submission-independent work (the scikit-learn baselines) that
    are missing or no longer match its data and code; only for this package's own kit."""
    from autograder.grading import baselines

    if root != KIT_ROOT or baselines.recording_state() is None:
        return []
    return [str(baselines.RECORDING.relative_to(KIT_ROOT))]


def _write_solution_notebook(root: Path, path: Path, text: str) -> None:
    target = path.expanduser().resolve()
    if target.is_dir():
        raise UserError(f"--solution-notebook wants a file name, {path} is a directory")
    if target.is_relative_to((root / "assignment").resolve()):
        raise UserError("--solution-notebook must not point into assignment/: that folder is what students get")
    _write(target, text)
    print(f"wrote the solution notebook {target}")


def run(args: argparse.Namespace) -> int:
    root = args.root.expanduser().resolve()
    release = build_release(root)
    if args.check:
        return _check(root, release)
    stale = stale_files(root, release.files)
    for relative in stale:
        _write(root / relative, release.files[relative])
        print(f"wrote {relative}")
    for relative in stale_recordings(root):
        from autograder.grading.baselines import record_baselines

        record_baselines()
        print(f"wrote {relative}")
    print(f"{len(stale)} file(s) written, {len(release.files) - len(stale)} already up to date")
    if args.solution_notebook is not None:
        _write_solution_notebook(root, args.solution_notebook, release.solution_notebook)
        for lang, text in release.translated_solutions.items():
            path = args.solution_notebook
            _write_solution_notebook(root, path.with_name(f"{path.stem}.{lang}{path.suffix or '.ipynb'}"), text)
    if args.student_bundle is not None:
        if root != KIT_ROOT:
            raise UserError("--student-bundle bundles this kit; it cannot be combined with --root")
        files = build_student_bundle(args.student_bundle.expanduser().resolve())
        print(f"wrote the student bundle {args.student_bundle} ({len(files)} files)")
    return 0
