"""Grading fails closed: before a batch, prove that the child cannot reach the answers.

`guard_grading` runs once per grading process (``grade``, Gradescope's ``run_autograder``, a
Dask worker): it asks the backend to put the answers out of the child's reach
(`Backend.protect_answers`: as root in plain mode, the answers' folders become root's alone),
then a real child in the same backend, with the same hidden folders, tries to read a solution
file, a hidden test and a recorded answer, and to connect to a port this process listens on
(`backend.Hunt`). Where the proof is what chooses the backend, the probe child that proves it
starts is the one that hunts, once the answers are put away: one child, not two. Whatever it reaches is a leak; with a leak grading stops with one line saying
what leaked and how to fix it, unless the course staff explicitly allow it
(``--allow-unsafe``), which is then recorded with every result (`grading_record`).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from autograder.errors import UserError
from autograder.paths import GRADING_TESTS, HIDDEN_TESTS, KIT_ROOT, PUBLIC_TESTS, SOLUTIONS
from autograder.sandbox.backend import Backend, Hunt, probe

_RECORD: dict | None = None  # this process's proof, once made

def answer_paths() -> list[Path]:
    """Folders holding answers: the solutions, the hidden tests, recordings of the reference's
    answers other than the public ones, and the kit's git history (which holds the solutions)."""
    found = [SOLUTIONS, HIDDEN_TESTS, KIT_ROOT / ".git"]
    if GRADING_TESTS.is_dir():
        found += [p for p in GRADING_TESTS.rglob("recorded*") if p.is_dir() and PUBLIC_TESTS not in p.parents]
    return [p for p in found if p.is_dir()]


def _targets() -> list[tuple[str, str]]:
    """One file per kind of answer, for the hunter to try."""
    targets = []
    for label, folder, pattern in (("a solution", SOLUTIONS, "*.py"), ("a hidden test", HIDDEN_TESTS, "test_*.py")):
        first = next(iter(sorted(folder.glob(pattern))), None) if folder.is_dir() else None
        if first is not None:
            targets.append((f"{label} ({first.relative_to(KIT_ROOT)})", str(first)))
    for folder in answer_paths():
        if folder not in (SOLUTIONS, HIDDEN_TESTS, KIT_ROOT / ".git"):
            first = next((p for p in sorted(folder.rglob("*")) if p.is_file()), None)
            if first is not None:
                targets.append((f"recorded answers ({first.relative_to(KIT_ROOT)})", str(first)))
    return targets


def find_leaks(backend: Backend, hide: tuple[Path, ...] = ()) -> list[str]:
    """What a child in ``backend`` reaches of the answers and the network (empty: nothing)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        hunt = Hunt(_targets(), listener.getsockname()[1])
        probe(backend, (KIT_ROOT, *hide), hunt=hunt)
    return _reached(backend, hunt)


def _reached(backend: Backend, hunt: Hunt) -> list[str]:
    if hunt.reached is None:
        raise UserError(f"the {backend.name} sandbox's leak probe gave no answer; grading stops")
    return hunt.reached


def how_to_fix(backend: Backend, leaks: list[str]) -> str:
    if backend.name == "local":
        return ("grade on Linux with bubblewrap installed (apt-get install bubblewrap), or as root in a "
                "container (plain backend, as nobody)")
    if backend.name == "plain" and not backend.nobody:
        return ("install bubblewrap (apt-get install bubblewrap), or grade as root with a Python and a TMPDIR "
                "the user nobody can reach (each child then runs as a user of its own, the answers unreadable "
                "to it)")
    if leaks == ["network"]:
        return "install bubblewrap (apt-get install bubblewrap): no seccomp filter for this machine"
    return "install bubblewrap (apt-get install bubblewrap), or report this to the kit's maintainers"


def guard_grading(allow_unsafe: bool = False, hide: tuple[Path, ...] = ()) -> dict:
    """Prove the backend keeps the answers and the network from student code, or stop.

    Returns the record every result of this process carries (`grading_record`). Raises
    :class:`UserError` (one line: what leaked, how to fix it) on a leak unless
    ``allow_unsafe``; then the record says so.
    """
    global _RECORD
    from autograder.sandbox.jail import VARIANT, isolation

    with socket.create_server(("127.0.0.1", 0)) as listener:
        hunt = Hunt(_targets(), listener.getsockname()[1], before=lambda chosen: chosen.protect_answers(answer_paths()))
        backend = isolation(hunt, hide)  # if this chooses the backend, its probe child hunts too
        if not hunt.done:  # chosen earlier in this process: a child of its own hunts
            probe(backend, (KIT_ROOT, *hide), hunt=hunt)
    leaks = _reached(backend, hunt)
    if leaks and not allow_unsafe:
        raise UserError(f"the {backend.name} sandbox lets student code reach {', '.join(leaks)}: "
                        f"{how_to_fix(backend, leaks)}; or pass --allow-unsafe to grade anyway (recorded "
                        "in every results.json and the report)")
    _RECORD = {**backend.record(), "proven": True, "leaks": leaks, "unsafe": bool(leaks)}
    # Worker processes (grade -j N) choose their backend anew: only this proven one will do.
    os.environ[VARIANT] = backend.variant()
    return _RECORD


def grading_record() -> dict:
    """The sandbox this process grades in, for results.json: with its proof once `guard_grading` ran."""
    if _RECORD is not None:
        return _RECORD
    from autograder.sandbox.jail import isolation

    return {**isolation().record(), "proven": False}
