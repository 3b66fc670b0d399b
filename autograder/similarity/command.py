"""Compare every pair of submissions of a batch on the code the students wrote.

Each PATH is a submission (a folder holding the three modules or assignment.ipynb, a
notebook, a zip) or a folder of submissions, as for `grade`; nothing is run, only read.
Writes DIR/similarity.csv (one row per pair: each side's similarity, the score, shared
fingerprints, matched lines, whether flagged) and DIR/similarity.html (a histogram of every
pair's score, the most similar pairs side by side with the shared lines highlighted).

The skeleton the students were given (assignment/, or --skeleton) and the contract's
formulas are subtracted; names, comments, docstrings, layout and the order of functions are
ignored. A pair's score is the share of one side's own code found in the other (the larger of
the two shares); a pair is flagged at score >= --threshold (default 0.6) with at least
--min-shared fingerprints in common (default 8). On the kit's benchmark set (tests/plagiarism)
every planted copy scores 0.84 or more and no independent pair more than 0.34.
`grade --similarity` writes the same files beside the grades and links them from report.html.
Exit status: 0 no pair flagged, 1 some pairs flagged, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.errors import UserError
from autograder.paths import ASSIGNMENT
from autograder.similarity.boilerplate import Boilerplate
from autograder.similarity.fingerprints import compare, fingerprint
from autograder.similarity.page import Outcome, write_csv, write_page
from autograder.submission import find_submissions, name_submissions, read_submission  # the grades' names

THRESHOLD = 0.6
MIN_SHARED = 8
TOP = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="a submission, or a folder of submissions")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to write the report")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, metavar="SCORE",
                        help=f"flag pairs scoring at least this, between 0 and 1 (default {THRESHOLD})")
    parser.add_argument("--min-shared", type=int, default=MIN_SHARED, metavar="N",
                        help=f"and sharing at least N fingerprints (default {MIN_SHARED})")
    parser.add_argument("--skeleton", type=Path, default=ASSIGNMENT, metavar="DIR",
                        help="the assignment the students were given (default: the kit's assignment/)")
    parser.add_argument("--top", type=int, default=TOP, metavar="N",
                        help=f"show the N most similar pairs side by side, and every flagged one (default {TOP})")


def run(args: argparse.Namespace) -> int:

    submissions = name_submissions(find_submissions(args.paths))
    out = args.out.resolve()
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {args.out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    outcome = write_similarity(submissions, out, threshold=args.threshold, min_shared=args.min_shared,
                               skeleton=args.skeleton, top=args.top)
    flagged = len(outcome.flagged_pairs)
    print(f"compared {len(outcome.prints)} submission(s), {len(outcome.pairs)} pair(s), {flagged} flagged: "
          f"{out / 'similarity.csv'}, {out / 'similarity.html'}", file=sys.stderr)
    return 1 if flagged else 0


def analyse(submissions: dict[str, Path], boilerplate: Boilerplate, threshold: float = THRESHOLD,
            min_shared: int = MIN_SHARED) -> Outcome:
    """Read, fingerprint and compare ``{name: path}``; nothing is run."""
    prints, unread = [], {}
    for name, path in sorted(submissions.items()):
        submission = read_submission(path, name)
        if not submission.sources:
            unread[name] = submission.problem or "nothing to read"
        sources = {m: text.decode("utf-8", errors="replace") for m, text in submission.sources.items()}
        prints.append(fingerprint(name, sources, boilerplate))
    return Outcome(prints, compare(prints), threshold, min_shared, unread)


def write_similarity(submissions: dict[str, Path], out: Path, threshold: float = THRESHOLD,
                     min_shared: int = MIN_SHARED, skeleton: Path = ASSIGNMENT, top: int = TOP) -> Outcome:
    """Compare ``{name: path}`` and write ``out/similarity.csv`` and ``out/similarity.html``.

    Raises
    ------
    UserError
        For an option out of range or a skeleton folder without the three modules.
    """
    if not 0 < threshold <= 1:
        raise UserError(f"--threshold must be above 0 and at most 1, got {threshold}")
    if min_shared < 1 or top < 0:
        raise UserError(f"--min-shared must be at least 1 (got {min_shared}) and --top at least 0 (got {top})")
    outcome = analyse(submissions, Boilerplate.from_folder(skeleton), threshold, min_shared)
    write_csv(outcome, out / "similarity.csv")
    write_page(outcome, out / "similarity.html", top)
    return outcome
