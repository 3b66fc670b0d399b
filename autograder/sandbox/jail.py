"""Which backend confines the child: chosen here, once per process, by starting a real child.

``AUTOGRADER_SANDBOX`` says which (any other value is a one-line error):

- ``auto`` (the default): on Linux the strongest that starts, in this order: bubblewrap in a
  user namespace, bubblewrap privileged (root), plain as ``nobody`` (root), plain, and last
  ``local``; elsewhere (Windows, macOS) ``local``;
- ``bwrap``, ``plain``, ``local``: that one, or an error if it cannot start here.

Each candidate is tried with and without the seccomp filter (`seccomp.seccomp_program`), where
the kernel takes one (x86-64 and arm64 Linux), filter first. The backends and what each
guarantees: ``bwrap_backend``, ``plain_backend``, ``local_backend``; the interface: ``backend``.

Always: ``python -I -B`` (no user site, no PYTHON* variables, no script directory on sys.path,
no bytecode written), an environment built from scratch, student modules compiled from their
source (``child.py``: no bytecode cache is read for them), and, where the system has rlimits,
limits on CPU time, address space, file size (the output log included), open files, processes
and core dumps, which the child sets on itself before it loads any student code
(`limits.Limits`). Wall time is the parent's to enforce (see ``client``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from autograder.errors import UserError
from autograder.paths import KIT_ROOT
from autograder.sandbox.backend import Backend, Hunt, probe
from autograder.sandbox.scratch import SCRATCH_PREFIX, layout, new_scratch, remove_stale_scratch

__all__ = ["SCRATCH_PREFIX", "Backend", "candidates", "choose", "isolation", "layout", "new_scratch",
           "remove_stale_scratch"]

CHOICES = ("auto", "bwrap", "plain", "local")


def wanted_backend(environ=None) -> str:
    """``AUTOGRADER_SANDBOX``, checked (a bad value is a :class:`UserError`)."""
    value = (os.environ if environ is None else environ).get("AUTOGRADER_SANDBOX", "auto").strip() or "auto"
    if value not in CHOICES:
        raise UserError(f"AUTOGRADER_SANDBOX={value!r}: expected one of {', '.join(CHOICES)}")
    return value


_CHOSEN: Backend | None = None


def isolation(hunt: Hunt | None = None, hide: tuple[Path, ...] = ()) -> Backend:
    """The backend for this process (see the module's docstring), chosen on the first call.

    ``hunt``: if this call chooses, the probe child that proves the backend starts also hunts
    for the answers (`proof.guard_grading`: one child for both), in a child hiding ``hide``
    too; ``hunt.done`` says whether it did.
    """
    global _CHOSEN
    if _CHOSEN is None:
        _CHOSEN = choose(wanted_backend(), hunt, hide)
    return _CHOSEN


VARIANT = "AUTOGRADER_SANDBOX_VARIANT"


def choose(wanted: str, hunt: Hunt | None = None, hide: tuple[Path, ...] = ()) -> Backend:
    """The first of :func:`candidates` for ``wanted`` that starts a real child here (hiding the
    kit and ``hide``; with ``hunt``, that child hunts too: see `backend.Hunt`).

    With ``AUTOGRADER_SANDBOX_VARIANT`` set (`proof.guard_grading` sets it once it has proven a
    backend, so the worker processes of ``grade -j N`` inherit it), only that exact variant.
    """
    found = candidates(wanted)
    required = os.environ.get(VARIANT)
    if required not in {backend.variant() for backend in found}:
        required = None  # proven for another AUTOGRADER_SANDBOX than this process asks for
    for backend in found:
        if required and backend.variant() != required:
            continue
        started = probe(backend, hide=(KIT_ROOT, *hide), hunt=hunt)
        if started is not None:
            return backend.describe(*started)
    if required:
        raise UserError(f"{VARIANT}={required}: that sandbox does not start in this process")
    raise UserError(f"AUTOGRADER_SANDBOX={wanted}: no such sandbox starts here"
                    + (" (bubblewrap missing, or not allowed to make namespaces)" if wanted == "bwrap" else "")
                    + "; unset AUTOGRADER_SANDBOX to take the strongest that does")


def linux_sandboxes_possible() -> bool:
    """Linux, with what the bwrap and plain backends rely on (process groups, fork, /proc)."""
    import signal

    return (sys.platform.startswith("linux") and all(hasattr(os, name) for name in ("geteuid", "killpg", "fork"))
            and hasattr(signal, "SIGKILL") and Path("/proc/self").is_dir())


def candidates(wanted: str = "auto") -> list[Backend]:
    """The backends to try for ``wanted``, strongest first (not yet started)."""
    found: list[Backend] = []
    if wanted in ("auto", "bwrap", "plain") and linux_sandboxes_possible():
        from autograder.sandbox.bwrap_backend import BwrapPrivileged, BwrapUserns, find_bwrap
        from autograder.sandbox.plain_backend import Plain
        from autograder.sandbox.posix_backend import others_can_run_python
        from autograder.sandbox.seccomp import seccomp_program

        root = os.geteuid() == 0
        setpriv = shutil.which("setpriv")
        # As root a child as nobody (or a user of its own) is tried only where it could start.
        as_nobody = bool(root and setpriv and others_can_run_python())
        filters = (True, False) if seccomp_program(network=False) else (False,)
        bwrap = find_bwrap()
        if wanted != "plain" and bwrap and (not root or setpriv):
            if as_nobody or not root:
                found += [BwrapUserns(bwrap, nobody=root, seccomp=f) for f in filters]
            if root:
                found += [BwrapPrivileged(bwrap, seccomp=f) for f in filters]
        if wanted != "bwrap":
            if as_nobody:
                found += [Plain(nobody=True, seccomp=f) for f in filters]
            found += [Plain(nobody=False, seccomp=f) for f in filters]
    if wanted in ("auto", "local"):
        from autograder.sandbox.local_backend import Local

        found.append(Local())
    return found
