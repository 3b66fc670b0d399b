"""Check your work with the public tests.

Runs the public tests on PATH (default: assignment/) in the same sandbox that grading uses,
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
from autograder.i18n import LANGUAGES, language
from autograder.paths import ASSIGNMENT, PUBLIC_TESTS
from autograder.sandbox.limits import Limits


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=ASSIGNMENT,
                        help="your submission: a folder, a notebook or a zip (default: %(default)s)")
    parser.add_argument("--function", metavar="NAME",
                        help="check only NAME: a function (logistic_regression.gradients), a module "
                             "(optimizers) or a name found in one module only (Adam)")
    parser.add_argument("--lang", choices=LANGUAGES, help="the language of the messages (default: "
                        "AUTOGRADER_LANG, else en)")


def run(args: argparse.Namespace) -> int:
    Limits.from_environment()  # a bad AUTOGRADER_* limit is a one-line error here, not one per submission
    lang = language(args.lang)
    from autograder.grading.check_cell import resolve

    functions = resolve(args.function, lang)
    if not args.path.exists():
        raise UserError(f"{args.path}: no such file or folder (give your assignment folder, notebook or zip)")
    if "numpy" not in sys.modules:
        # This process's numpy work is on small arrays: OpenBLAS's thread pool, one thread per
        # core started when numpy is imported, would cost more CPU than it ever saves here.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from autograder.grading.check_view import CheckView
    from autograder.grading.runner import grade_submission  # numpy and pytest: after the line above

    view = CheckView(grade_submission(args.path, folders=(PUBLIC_TESTS,), functions=functions), lang,
                     selection=args.function or "", terminal_args=None)
    print(view)
    return 0 if view.all_passed else 1
