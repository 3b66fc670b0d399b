"""The kit's known bugs, as submissions, for the student bundle's recording.

The kit's self-test corpus (``tests/corpus/bugs.py``: one bug each, made from the solutions
by exact edits) is the catalogue of the mistakes the course sees. The bundle records the
reference's answers to the questions those buggy submissions ask in the public tests
(`autograder.release.record.record_known_bugs`), so ``check`` from the bundle shows the
same numbers and names the same likely bug as the full kit. Without the corpus (a kit
installed without its tests) there are none, and the bundle's diagnoses degrade to "not
recorded" for the questions only a buggy submission asks.
"""

from __future__ import annotations

import importlib
import sys

from autograder.paths import KIT_ROOT

CORPUS = KIT_ROOT / "tests" / "corpus"


def known_bug_sources() -> list[dict[str, bytes]]:
    """``{module: source bytes}`` of every one-bug corpus case (empty without the corpus)."""
    if not (CORPUS / "bugs.py").is_file():
        return []
    sys.path.insert(0, str(CORPUS.parent))
    try:
        bugs = importlib.import_module("corpus.bugs")
        build = importlib.import_module("corpus.build")
    finally:
        sys.path.remove(str(CORPUS.parent))
    return [{m: text.encode() for m, text in build.case_sources(case).items()} for case in bugs.BUGS]
