"""How a child is confined: the command that starts it and the limits the kernel enforces.

Two setups, chosen once per process by :func:`isolation`:

- ``bwrap`` (bubblewrap works here): new PID, network, IPC and UTS namespaces; the whole file
  system read-only; /tmp, the home directory, the kit (solutions and tests), the output folder
  and the submissions hidden behind empty tmpfs mounts; only the scratch directory writable.
  As root the child then drops to ``nobody``; unprivileged, bubblewrap maps the user into a
  user namespace. The PID namespace dies with its first process, so nothing outlives a child.
- ``plain`` (no bubblewrap): a new session and the limits below; processes that detach are
  found by an environment tag and killed. Files readable by the grader stay readable and the
  network stays reachable: the README says so and ``grade`` prints it.

Both: ``python -I`` (no user site, no PYTHON* variables, no script directory on sys.path), an
environment built from scratch, bytecode never written (``-B``) nor read from the scratch
directory (``-X pycache_prefix``), and rlimits on CPU time, address space, file size, open
files and core dumps. Wall time is the parent's to enforce (see ``client``).
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's child."""

    call_seconds: float = 30.0  # wall time of one call, callbacks included
    submission_seconds: float = 300.0  # wall time of all of a submission's calls
    startup_seconds: float = 30.0  # interpreter start and ``import numpy``
    cpu_seconds: int = 120  # CPU time of one child process (RLIMIT_CPU)
    memory_bytes: int = 2 * 2**30  # address space (RLIMIT_AS)
    file_bytes: int = 16 * 2**20  # largest file, the output log included (RLIMIT_FSIZE)
    open_files: int = 64  # RLIMIT_NOFILE
    processes: int = 64  # RLIMIT_NPROC, only where it applies (not for root)


@dataclass(frozen=True)
class Isolation:
    mode: str  # "bwrap" or "plain"
    guarantees: tuple[str, ...]
    missing: tuple[str, ...]

    def summary(self) -> str:
        lines = [f"sandbox: {self.mode}"] + [f"  + {g}" for g in self.guarantees]
        return "\n".join(lines + [f"  - {m}" for m in self.missing])


COMMON = (
    "a fresh scratch directory holding only the submission's three modules",
    "isolated interpreter (python -I -B), scrubbed environment, bytecode cache redirected",
    "limits on CPU time, wall time per call and per submission, memory, file size, open files, output",
)


@functools.cache
def isolation() -> Isolation:
    """The strongest setup this machine allows (``AUTOGRADER_SANDBOX=plain`` forces plain)."""
    wanted = os.environ.get("AUTOGRADER_SANDBOX", "auto")
    if wanted != "plain" and shutil.which("bwrap") and _bwrap_works():
        extra = ["no network (own network namespace)",
                 "own PID namespace: every process it starts is killed with it",
                 "read-only file system; kit, solutions, tests, outputs and other submissions hidden"]
        if os.geteuid() == 0:
            extra.append("runs as the unprivileged user nobody")
        return Isolation("bwrap", COMMON + tuple(extra), ())
    if wanted == "bwrap":
        raise RuntimeError("AUTOGRADER_SANDBOX=bwrap, but bubblewrap is missing or cannot run here")
    missing = ["network reachable (install bubblewrap to cut it)",
               "files readable by the grader stay readable to student code",
               "detached processes are found by an environment tag, not a PID namespace"]
    if os.geteuid() == 0:
        missing.append("runs as root: student code keeps the grader's privileges")
    return Isolation("plain", COMMON, tuple(missing))


def command(harness: Path, scratch: Path, work: Path, hide: tuple[Path, ...]) -> list[str]:
    """The argv that starts ``child.py`` confined to ``scratch``."""
    python = [sys.executable, "-I", "-B", "-X", f"pycache_prefix={scratch / 'pycache'}",
              str(harness / "child.py"), str(scratch / "output.log")]
    if isolation().mode == "plain":
        return python
    return _bwrap_prefix(scratch, work, hide) + ["--"] + _drop_privileges() + python


def _bwrap_prefix(scratch: Path, work: Path, hide: tuple[Path, ...]) -> list[str]:
    root = os.geteuid() == 0
    namespaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"] if root else ["--unshare-all"]
    args = ["bwrap", "--die-with-parent", "--new-session", *namespaces,
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    hidden = {Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path.home()}
    hidden |= {p.resolve() for p in hide}
    hidden = {p for p in hidden if p.is_dir()}
    for path in sorted(hidden):
        args += ["--perms", "0755", "--tmpfs", str(path)]
    # Python itself may live under a hidden folder (a home directory, a venv in the kit): show it again.
    for prefix in sorted({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}):
        cover = [h for h in hidden if h in prefix.parents or h == prefix]
        if cover:
            for parent in reversed(prefix.parents):
                if any(h in parent.parents for h in cover):
                    args += ["--perms", "0755", "--dir", str(parent)]
            args += ["--ro-bind", str(prefix), str(prefix)]
    return args + ["--bind", str(scratch), str(scratch), "--chdir", str(work)]


def _drop_privileges() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]


def prepare_scratch(writable: list[Path]) -> None:
    """Let the child's user write these paths (its work folder and output log), nothing else."""
    if isolation().mode == "bwrap" and os.geteuid() == 0:
        for top in writable:
            for path in [top, *top.rglob("*")]:
                os.chown(path, NOBODY, NOBODY)


def preexec(limits: Limits):
    """Runs in the forked child before ``exec``: set the rlimits, die with the parent."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if nproc:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        _die_with_parent()

    # RLIMIT_NPROC counts every process of the user and root ignores it; the PID namespace
    # bounds bwrap's children instead, so it only applies to an unprivileged plain child.
    nproc = isolation().mode == "plain" and os.geteuid() != 0
    return apply


def environment(scratch: Path, tag: str) -> dict[str, str]:
    """Everything the child's environment holds; nothing is inherited."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "AUTOGRADER_CHILD": tag,
    }


def kill_tagged(tag: str) -> None:
    """Kill every process whose environment carries ``tag`` (plain mode's detached children)."""
    needle = f"AUTOGRADER_CHILD={tag}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _bwrap_works() -> bool:
    with tempfile.TemporaryDirectory() as scratch:
        probe = _bwrap_prefix(Path(scratch), Path(scratch), ()) + ["--"] + _drop_privileges()
        probe += [sys.executable, "-I", "-S", "-c", "import sys"]
        try:
            return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False
