"""Check your work with the public tests.

Runs the public tests on PATH in the same sandbox that grading uses (on Windows and macOS, the
portable one: see the README's platform table). Without PATH: the modules in the current folder
when they are there (a notebook's %%writefile cells put them there), else assignment/.
and prints, per function, what passed and, for what failed, which function and the likely
cause. PATH may be a folder holding logistic_regression.py, linear_regression.py and
optimizers.py, a notebook (assignment.ipynb) whose %%writefile cells write them, or a zip.

Exit status: 0 when every public test passes, 1 when some fail, 2 for a bad PATH.
These are the public tests only: hidden tests run when your work is graded.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder.errors import UserError
from autograder.paths import ASSIGNMENT, MODULES, PUBLIC_TESTS
from autograder.sandbox.limits import Limits
from autograder.submission import require_gradable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=None,
                        help="your submission: a folder, a notebook or a zip (default: the current folder "
                             "if it holds your modules, else assignment/)")


def default_path(here: Path | None = None) -> Path:
    """The current folder when it holds any of the three modules, else the kit's assignment/."""
    here = Path.cwd() if here is None else here
    return here if any((here / f"{m}.py").is_file() for m in MODULES) else ASSIGNMENT


def run(args: argparse.Namespace) -> int:
    Limits.from_environment()  # a bad AUTOGRADER_* limit is a one-line error here, not one per submission
    if args.path is None:
        args.path = default_path()
        print(f"checking {args.path} (no path given: {'the modules in this folder' if args.path != ASSIGNMENT else 'assignment/'})")
    if not args.path.exists():
        raise UserError(f"{args.path}: no such file or folder (give your assignment folder, notebook or zip)")
    require_gradable(args.path)  # a corrupt zip, a broken notebook, nothing to grade: one line, exit 2
    if "numpy" not in sys.modules:
        # This process's numpy work is on small arrays: OpenBLAS's thread pool, one thread per
        # core started when numpy is imported, would cost more CPU than it ever saves here.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from autograder.grading.runner import grade_submission  # numpy and pytest: after the line above
    from autograder.sandbox.jail import isolation

    print(isolation().summary().splitlines()[0])  # the active setup first, as the README says
    result = grade_submission(args.path, folders=(PUBLIC_TESTS,))
    if result.output:
        print(f"note: {result.output}\n")
    failures = {t.function: t for t in result.tests if not t.passed}
    for function, (score, max_score) in result.by_function().items():
        mark = "ok  " if score >= max_score else "FAIL"
        print(f"{mark} {function:<36} {score:g}/{max_score:g}")
        if function in failures:
            for test in (t for t in result.tests if t.function == function and not t.passed):
                reason = test.output.removeprefix(function).lstrip(": ")
                print(f"       - {test.name.split(': ', 1)[-1]}\n         {reason}")
    passed = sum(t.passed for t in result.tests)
    print(f"\n{passed}/{len(result.tests)} public tests passed ({result.score:g}/{result.max_score:g} points).")
    print("These are the public tests only; hidden tests run when your work is graded.")
    return 0 if passed == len(result.tests) else 1
