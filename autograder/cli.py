"""``python -m autograder <verb>``: one entry point, one module per verb.

Each verb module has a docstring (its help), ``add_arguments(parser)`` and ``run(args) -> int``.
They are imported only when chosen, so ``check`` starts fast.

Exit codes: 0 success; 1 the work ran and found problems (failed tests, stale files);
2 a usage or input error, reported in one line.
"""

import argparse
import importlib
import sys

from autograder.errors import UserError

VERBS = {
    "release": "autograder.release.command",
    "check": "autograder.grading.check_command",
    "grade": "autograder.grading.grade_command",
    "gradescope": "autograder.release.gradescope_command",
    "sweep": "autograder.experiments.command",
    "similarity": "autograder.similarity.command",
}

SUMMARIES = {
    "release": "generate the student files from solutions/ (or check they are up to date)",
    "check": "run the public tests on your work and say what to fix",
    "grade": "grade submissions (folders, notebooks, zips) into results, feedback and a gradebook",
    "gradescope": "build Gradescope's autograder bundle (autograder.zip)",
    "sweep": "run a grid of hyperparameters on a task and compare, with a table and plots",
    "similarity": "compare every pair of submissions for copied code (a CSV and a side-by-side page)",
}


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Course kit for optimisation through logistic and linear regression.",
        epilog="Exit codes: 0 success, 1 problems found, 2 usage or input error.",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for name, summary in SUMMARIES.items():
        if name == verb:
            module = importlib.import_module(VERBS[name])
            p = sub.add_parser(name, help=summary, description=module.__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
            module.add_arguments(p)
        else:
            sub.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    verb = next((a for a in argv if not a.startswith("-")), None)
    if verb not in VERBS:
        parser = build_parser()
        if verb is not None:
            parser.print_usage(sys.stderr)
            print(f"error: unknown verb {verb!r}; choose one of: {', '.join(VERBS)}", file=sys.stderr)
            return 2
        parser.print_help()
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        args = build_parser(verb).parse_args(argv)
    except ModuleNotFoundError:
        print(f"error: {verb!r} is for course staff and is not part of the student bundle", file=sys.stderr)
        return 2
    try:
        return importlib.import_module(VERBS[verb]).run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
