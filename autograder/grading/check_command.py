"""Check your work with the public tests.

Runs the public tests on PATH in the same sandbox that grading uses (on Windows and macOS, the
portable one: see the README's platform table). Without PATH: the modules in the current folder
when they are there (a notebook's %%writefile cells put them there), else assignment/.
and prints, per function, what passed and, for what failed, which function and the likely
cause. PATH may be a folder holding logistic_regression.py, linear_regression.py and
optimizers.py, a notebook (assignment.ipynb) whose %%writefile cells write them, or a zip.

examples:
  python -m autograder check                                   everything in assignment/
  python -m autograder check . --function logistic_regression.gradients
  python -m autograder check my.ipynb --function optimizers --lang ko

In a notebook, the same runs from a cell: from autograder import check; check("gradients").
Language: --lang, else AUTOGRADER_LANG (en, ko), else English.

Exit status: 0 when every public test passes, 1 when some fail, 2 for a bad PATH or name.
These are the public tests only: hidden tests run when your work is graded.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder.errors import UserError
from autograder.i18n import LANGUAGES, language, speaking
from autograder.paths import ASSIGNMENT, MODULES, PUBLIC_TESTS
from autograder.sandbox.limits import Limits
from autograder.submission import require_gradable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=None,
                        help="your submission: a folder, a notebook or a zip (default: the current folder "
                             "if it holds your modules, else assignment/)")
    parser.add_argument("--function", metavar="NAME",
                        help="check only NAME: a function (logistic_regression.gradients), a module "
                             "(optimizers) or a name found in one module only (Adam)")
    parser.add_argument("--lang", choices=LANGUAGES, help="the language of the messages (default: "
                        "AUTOGRADER_LANG, else en)")


def default_path(here: Path | None = None) -> Path:
    """The current folder when it holds any of the three modules, else the kit's assignment/."""
    here = Path.cwd() if here is None else here
    return here if any((here / f"{m}.py").is_file() for m in MODULES) else ASSIGNMENT


def run(args: argparse.Namespace) -> int:
    Limits.from_environment()  # a bad AUTOGRADER_* limit is a one-line error here, not one per submission
    lang = language(args.lang)
    from autograder.grading.check_cell import resolve

    functions = resolve(args.function, lang)
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
    from autograder.grading.check_view import CheckView
    from autograder.grading.runner import grade_submission  # numpy and pytest: after the line above
    from autograder.sandbox.jail import isolation

    print(isolation().summary().splitlines()[0])  # the active setup first, as the README says
    with speaking(lang):  # the diagnoses, written during the run, read the language from there
        result = grade_submission(args.path, folders=(PUBLIC_TESTS,), functions=functions)
    view = CheckView(result, lang, selection=args.function or "", terminal_args=None)
    print(view)
    return 0 if view.all_passed else 1
