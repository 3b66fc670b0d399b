"""Build Gradescope's autograder bundle.

Writes a zip with setup.sh (installs Python, bubblewrap and the kit), run_autograder (grades
/autograder/submission into /autograder/results/results.json) and the kit itself: solutions,
all tests (hidden ones included: Gradescope runs them on its side), the data. Upload it as a
"zip file upload" autograder configuration.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.release.bundle import build_gradescope_zip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), metavar="ZIP",
                        help="where to write the bundle (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    count = build_gradescope_zip(args.out)
    print(f"wrote {args.out} ({count} files)")
    return 0
