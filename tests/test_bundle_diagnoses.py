"""``check`` from the student bundle names the same likely bugs as the full kit.

The bundle has no solution code: its reference is the recording made at release, which also
holds the answers to the questions the known buggy submissions ask
(`autograder.release.record.record_known_bugs`). For every one-bug corpus case, the public tests run once
against the live reference (the full kit) and once against that recording (the bundle): the
same tests must pass, and every failure must carry the same message, so the same "Likely bug".
"""

from __future__ import annotations

import pytest
from corpus.bugs import BUGS
from corpus.build import case_sources

from autograder.grading.recording import RecordedReference
from autograder.grading.runner import run_tests
from autograder.paths import PUBLIC_TESTS
from autograder.reference import Reference
from autograder.release.known_bugs import known_bug_sources
from autograder.release.record import record_public
from autograder.sandbox.parent import Sandbox, Student


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> RecordedReference:
    folder = tmp_path_factory.mktemp("recorded")
    record_public(folder, known_bugs=known_bug_sources())
    return RecordedReference(folder)


def public_results(case, reference) -> list[tuple[str, bool, str]]:
    sources = {m: text.encode() for m, text in case_sources(case).items()}
    with Sandbox(sources, reference) as sandbox:
        return [(t.name, t.passed, t.output) for t in run_tests(Student(sandbox), reference, (PUBLIC_TESTS,))]


def test_every_known_bug_is_recorded():
    assert len(known_bug_sources()) == len(BUGS)


@pytest.mark.slow
@pytest.mark.parametrize("case", BUGS, ids=lambda case: case.name)
def test_bundle_check_says_what_the_full_kit_says(recorded, case):
    full = public_results(case, Reference())
    bundle = public_results(case, recorded)
    assert bundle == full
    assert "NotRecorded" not in "\n".join(output for _, _, output in bundle)
