"""What every sandbox backend offers, and the parts they share.

A backend confines one child process (``child.py``, the same in every backend, speaking the
same protocol, ``wire``). It is one object with a small interface:

- :meth:`Backend.prepare` writes the harness and the submitted modules into a scratch folder;
- :meth:`Backend.spawn` starts the child on pipes, :meth:`Backend.channel` speaks to it;
- :meth:`Backend.kill` ends it and everything it started;
- its guarantees are data: ``guarantees`` and ``missing`` (one line each, for people),
  ``hides_answers`` (student code cannot read the solutions nor the hidden tests: grading
  may run in it), ``keeps_submissions_apart`` (a child cannot touch another submission's
  files: the next child may start while one is graded), ``network``; :meth:`Backend.record`
  puts them into ``results.json``.

The backends live in ``bwrap_backend``, ``plain_backend`` and ``local_backend``; ``jail``
chooses one. Nothing else asks which one is active.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import wire
from autograder.sandbox.limits import Limits
from autograder.sandbox.scratch import layout

COMMON = (
    "a fresh work folder holding only the submission's three modules",
    "isolated interpreter (python -I -B), scrubbed environment, student modules compiled from source "
    "(no bytecode cache read or written)",
    "wall time per call and per submission (the grader's clock), output per message checked by the grader",
)


class Backend:
    """One way of confining the child; subclasses fill in the class attributes and the methods."""

    name = "backend"
    guarantees: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    hides_answers = False  # solutions and hidden tests are out of the child's reach
    keeps_submissions_apart = False  # a child cannot reach another submission's scratch folder
    network = True  # student code can open IP sockets
    nobody = False  # the child runs as the user nobody (the grader is root)
    userns = False  # bubblewrap makes its own user namespace
    seccomp = False  # a seccomp filter is installed on the child

    @property
    def mode(self) -> str:
        """The family name (``bwrap``, ``plain``, ``local``), as printed and recorded."""
        return self.name

    # -- the interface ---------------------------------------------------------------------
    def prepare(self, scratch: Path, sources: dict[str, bytes], harness_files: tuple[Path, ...]) -> None:
        """Write a fresh harness and the modules into ``scratch``, readable by the child's user."""
        harness, src, work = layout(scratch)
        for folder in (harness, src, work):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(mode=0o755)
            folder.chmod(0o755)
        for path in harness_files:
            shutil.copyfile(path, harness / path.name)
            (harness / path.name).chmod(0o644)
        for name, data in sources.items():
            (src / f"{name}.py").write_bytes(data)
            (src / f"{name}.py").chmod(0o644)

    @staticmethod
    def copy_modules_into_work(scratch: Path, modules) -> None:
        """For a backend without a tmpfs: the work folder holds a copy of the modules on disk."""
        _, src, work = layout(scratch)
        for name in modules:
            (work / f"{name}.py").write_bytes((src / f"{name}.py").read_bytes())

    def spawn(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
              tag: str) -> subprocess.Popen:
        """Start the child on pipes: its stdin and stdout are the protocol, stderr is discarded."""
        raise NotImplementedError

    def channel(self, process: subprocess.Popen) -> wire.Channel:
        """The grader's end of the protocol with ``process`` (reads and writes with deadlines)."""
        raise NotImplementedError

    def kill(self, process: subprocess.Popen, tag: str) -> None:
        """Kill the child and whatever it started; close the grader's ends of its pipes."""
        raise NotImplementedError

    def protect_answers(self, paths: list[Path]) -> None:
        """Before grading: make ``paths`` (the solutions, the hidden tests...) unreachable for the
        child where this backend can (the parent keeps reading them); by default nothing to do."""

    # -- what it guarantees, as data -------------------------------------------------------
    def summary(self) -> str:
        lines = [f"sandbox: {self.name}"] + [f"  + {g}" for g in self.guarantees]
        return "\n".join(lines + [f"  - {m}" for m in self.missing])

    def record(self) -> dict:
        """What results.json and the report say about the sandbox a submission was graded in."""
        return {"backend": self.name, "variant": self.variant(), "guarantees": list(self.guarantees),
                "missing": list(self.missing), "hides_answers": self.hides_answers,
                "keeps_submissions_apart": self.keeps_submissions_apart, "network": self.network}

    def variant(self) -> str:
        """The exact setup (class and options), which ``AUTOGRADER_SANDBOX_VARIANT`` can require."""
        return f"{type(self).__name__}:nobody={int(self.nobody)}:seccomp={int(self.seccomp)}"

    def child_command(self, scratch: Path, limits_argument: str) -> list[str]:
        """``python -I -B child.py LOG LIMITS``: the child itself, before any wrapping."""
        harness, _, work = layout(scratch)
        return [sys.executable, "-I", "-B", str(harness / "child.py"), str(work / "output.log"), limits_argument]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} sandbox>"


def limits_argument(limits: Limits, nproc: int | None = None) -> str:
    """The rlimits the child sets on itself, as ``name=value`` pairs (``nproc`` when given)."""
    pairs = {"cpu": limits.cpu_seconds, "as": limits.memory_bytes, "fsize": limits.file_bytes,
             "nofile": limits.open_files, "core": 0}
    if nproc is not None:
        pairs["nproc"] = nproc
    return ",".join(f"{k}={int(v)}" for k, v in pairs.items())


def environment(scratch: Path, tag: str) -> dict[str, str]:
    """Everything the child's environment holds; nothing is inherited."""
    work = layout(scratch)[2]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(work),
        "TMPDIR": str(work),
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "AUTOGRADER_CHILD": tag,
    }
    if sys.platform == "win32":  # Windows cannot start Python without these
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "PATH", "TEMP", "TMP") if k in os.environ})
        env["TEMP"] = env["TMP"] = str(work)
    return env


def handshake(channel: wire.Channel, seconds: float) -> dict:
    """Wait for the child's ``ready`` message; raises TimeoutError, EOFError or ValueError."""
    header, _ = channel.receive(time.monotonic() + seconds)
    if header.get("kind") != "ready":
        raise ValueError("no ready message")
    return header


# -- does it start here? ------------------------------------------------------------------
# The probe is the real child (harness folder, work folder, limits, numpy imported by ``wire``)
# running one call of a module written for it, so a setup that passes it can grade. Before
# grading, the same child also hunts for the answers (`Hunt`): one child proves both.
PROBE_MODULE = b'''
def probe():
    import socket
    nested = False
    try:
        import ctypes
        nested = ctypes.CDLL(None).unshare(0x10000000) == 0
    except Exception:
        pass
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        inet = True
    except OSError:
        inet = False
    return [nested, inet]


def hunt(paths, port):
    import socket
    reached = []
    for label, path in paths:
        try:
            with open(path, "rb") as file:
                file.read(1)
            reached.append(label)
        except OSError:
            pass
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
            connection.sendall(b"leak")
        reached.append("network")
    except OSError:
        pass
    return reached
'''


@dataclass
class Hunt:
    """What a probe child tries once it has started: to read each of ``targets`` (label, path)
    and to connect to ``port`` on this machine. ``before(backend)`` runs first (it puts the
    answers out of reach); then ``done`` is True and ``reached`` lists the labels the child
    got to ("network" for the port), or is None if it gave no proper answer."""

    targets: list[tuple[str, str]]
    port: int
    before: Callable[[Backend], None] = lambda backend: None
    done: bool = False
    reached: list[str] | None = None


def _call(channel: wire.Channel, name: str, args: list, seconds: float) -> object:
    """One call of the probe module's ``name``; its value, or None if it did not return one."""
    deadline = time.monotonic() + seconds
    channel.send({"op": "call", "module": "logistic_regression", "name": name,
                  "args": wire.encode(args, []), "kwargs": wire.encode({}, [])}, [], deadline)
    reply, blobs = channel.receive(deadline)
    return wire.decode(reply.get("value"), blobs) if reply.get("kind") == "result" else None


def probe(backend: Backend, hide: tuple[Path, ...] = (), seconds: float = 60.0,
          hunt: Hunt | None = None) -> tuple[bool, bool] | None:
    """Start the real child in ``backend`` and make one call: None if that fails, else whether
    the child could make a user namespace and an IPv4 socket. With ``hunt``, the child then
    hunts (see `Hunt`)."""
    from autograder.sandbox.scratch import new_scratch

    limits = Limits()
    scratch = new_scratch(prefix="autograder-probe-")
    process = None
    try:
        harness = Path(wire.__file__).resolve().parent
        backend.prepare(scratch, {"logistic_regression": PROBE_MODULE}, (harness / "wire.py", harness / "child.py"))
        # Its own tag: killing what carries it must not kill another process's probe running now.
        tag = f"probe-{os.getpid()}-{scratch.name}"
        process = backend.spawn(scratch, ("logistic_regression",), hide, limits, tag)
        channel = backend.channel(process)
        handshake(channel, seconds)
        value = _call(channel, "probe", [], seconds)
        if hunt is not None and isinstance(value, list) and len(value) == 2:
            hunt.before(backend)
            hunt.done = True
            try:  # the backend starts either way; no answer to the hunt is the hunt's failure
                reached = _call(channel, "hunt", [hunt.targets, hunt.port], seconds)
            except (OSError, TimeoutError, EOFError, ValueError):
                reached = None
            if isinstance(reached, list) and all(isinstance(r, str) for r in reached):
                hunt.reached = reached
    except (OSError, TimeoutError, EOFError, ValueError, subprocess.SubprocessError):
        value = None
    finally:
        if process is not None:
            backend.kill(process, tag)
        shutil.rmtree(scratch, ignore_errors=True)
    if not (isinstance(value, list) and len(value) == 2):
        return None
    return bool(value[0]), bool(value[1])
