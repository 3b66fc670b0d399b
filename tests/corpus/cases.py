"""The data types of the corpus: edits to the reference, and the cases built from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# What a setup may contain (see ``build.containment``): files outside the work folder hidden,
# the file system read-only, the network cut.
CONTAINMENT = ("hidden", "read-only", "no-network")


@dataclass(frozen=True)
class Edit:
    """Replace the one occurrence of ``old`` by ``new`` in ``module``'s reference source."""

    module: str
    old: str
    new: str


@dataclass(frozen=True)
class Bug:
    """One bug: ``function`` (``"module.function"``) must lose points, every other function none,
    and the feedback of ``function``'s failed tests must match the regular expression ``message``.
    ``points``: exactly how many points it must lose, where that is the point (a format slip
    costs its one representation point, nothing more)."""

    name: str
    edits: tuple[Edit, ...]
    function: str
    message: str
    points: float | None = None


@dataclass(frozen=True)
class Variant:
    """An equivalent rewrite of the reference (or another form of it): must score full marks."""

    name: str
    edits: tuple[Edit, ...] = ()
    form: str = "folder"  # "folder", "zip", "nested-zip" or "notebook"
    why: str = ""


@dataclass(frozen=True)
class Hostile:
    """An attack on the grader, made from the reference (or from a bug: ``base``) by ``edits``.

    Outcome it must get, checked function by function against the honest score of the same
    code without the attack (the graded ``base`` bug, or full marks for the reference):

    - no function scores more than honestly (never a gain);
    - functions outside ``may_lose`` score exactly what they score honestly;
    - functions in ``must_lose`` lose points;
    - the submission's feedback matches ``reason`` (a regular expression), if given.

    ``may_lose`` holds ``"module.function"`` names, or module names for all their functions.
    ``files``: extra files shipped beside the modules (name -> content; a ``bytes`` content is
    written as is). ``writer``: builds the submission itself, ``writer(folder, sources, context)``,
    for zips and notebooks crafted byte by byte. ``needs``: what must contain the attack, one of
    ``CONTAINMENT`` (``""``: every setup does); where the machine's setup lacks it, the case is
    left out (it would succeed, as the README says, or do harm).
    """

    name: str
    edits: tuple[Edit, ...] = ()
    base: str | None = None
    must_lose: frozenset[str] = frozenset()
    may_lose: frozenset[str] = frozenset()
    reason: str = ""
    files: tuple[tuple[str, str | bytes], ...] = ()
    writer: Callable[[Path, dict[str, str], dict], Path] | None = None
    needs: str = ""
    probes: tuple[str, ...] = field(default=())  # what the test checks after grading: "processes", "writes", "network"


def bug(name: str, module: str, old: str, new: str, function: str, message: str) -> Bug:
    """A bug made by one edit of ``module``."""
    return Bug(name, (Edit(module, old, new),), function, message)
