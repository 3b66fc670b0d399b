"""Where the kit's files live, relative to this package (a clone, or a student bundle)."""

from pathlib import Path

from autograder.contract import MODULES  # noqa: F401  (re-exported: what a submission holds)

KIT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = KIT_ROOT / "solutions"
ASSIGNMENT = KIT_ROOT / "assignment"
DATA = KIT_ROOT / "data"
GRADING_TESTS = Path(__file__).resolve().parent / "tests"
PUBLIC_TESTS = GRADING_TESTS / "public"
HIDDEN_TESTS = GRADING_TESTS / "hidden"
