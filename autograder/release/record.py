"""Recording the reference's answers to the public tests, at release, for the student bundle.

The student bundle has no solution code: `autograder.grading.recording.RecordedReference`
answers its ``check`` from what is recorded here, by running the public tests on the reference
(in the sandbox, as a student would) and on the kit's known buggy variants.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from autograder.grading.recording import RECORDING, RecordedReference
from autograder.grading.runner import run_tests
from autograder.paths import MODULES, PUBLIC_TESTS, SOLUTIONS
from autograder.reference import Reference
from autograder.sandbox.parent import Sandbox, Student


def record_public(folder: Path = RECORDING, known_bugs: Iterable[dict[str, bytes]] = ()) -> None:
    """Run the public tests on the reference (in the sandbox, as a student) and save every
    answer the reference gave; refuses to save unless every public test passed.

    ``known_bugs``: sources of buggy variants of the solutions whose answers are recorded too
    (`record_known_bugs`), so that ``check`` from the bundle names the same likely bugs.
    """
    recording = RecordedReference(folder, live=Reference())
    sources = {m: (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}
    with Sandbox(sources, recording) as sandbox:
        results = run_tests(Student(sandbox), recording, (PUBLIC_TESTS,))
    failed = [t.name for t in results if not t.passed]
    if failed:
        raise RuntimeError(f"the reference fails public tests, nothing recorded: {failed}")
    record_known_bugs(recording, known_bugs)
    recording.save()


def record_known_bugs(recording: RecordedReference, known_bugs: Iterable[dict[str, bytes]]) -> None:
    """Run the public tests on each buggy variant with the live ``recording``; their failures are expected.

    A buggy loop asks the reference for gradients at the thetas of its own trajectory, and a
    diagnosis reruns the submission on related inputs: questions the reference solution never
    asked. Recorded here, the bundle answers a submission with one of these bugs exactly as
    the full kit does, so its failure shows the same numbers and the same likely bug instead
    of "not recorded".
    """
    for sources in known_bugs:
        with Sandbox(sources, recording) as sandbox:
            run_tests(Student(sandbox), recording, (PUBLIC_TESTS,))
