"""What the Linux backends (bubblewrap and plain) share: a new session per child, the seccomp
filter file, becoming ``nobody`` with ``setpriv``, and a ``select``-based channel.

Imported only once a Linux backend is chosen: nothing here is needed on Windows or macOS.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

from autograder.sandbox import wire
from autograder.sandbox.backend import Backend, environment
from autograder.sandbox.limits import Limits
from autograder.sandbox.scratch import layout
from autograder.sandbox.seccomp import SECCOMP_FILE, seccomp_program

NOBODY = 65534


class PosixBackend(Backend):
    """A child in its own session (process group), spoken to over non-blocking pipes."""

    def __init__(self, nobody: bool = False, seccomp: bool = False) -> None:
        self.nobody = nobody
        self.seccomp = seccomp
        self.setpriv = shutil.which("setpriv") or "setpriv"

    def prepare(self, scratch: Path, sources: dict[str, bytes], harness_files: tuple[Path, ...]) -> None:
        super().prepare(scratch, sources, harness_files)
        if self.seccomp:
            (scratch / SECCOMP_FILE).write_bytes(seccomp_program(network=self.filters_network))
            (scratch / SECCOMP_FILE).chmod(0o644)

    filters_network = False  # the seccomp filter also refuses IP sockets (no network namespace)

    def argv(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
             seccomp_fd: int | None) -> list[str]:
        raise NotImplementedError

    def spawn(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
              tag: str) -> subprocess.Popen:
        fd = self.seccomp_fd(scratch)
        try:
            return subprocess.Popen(self.argv(scratch, modules, hide, limits, fd), cwd=layout(scratch)[2],
                                    env=environment(scratch, tag), start_new_session=True,
                                    pass_fds=() if fd is None else (fd,), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        finally:
            if fd is not None:
                os.close(fd)

    def seccomp_fd(self, scratch: Path) -> int | None:
        """A descriptor the launcher reads the filter from, if it takes one (bubblewrap)."""
        return None

    def channel(self, process: subprocess.Popen) -> wire.Channel:
        os.set_blocking(process.stdin.fileno(), False)
        return wire.Channel(process.stdout.fileno(), process.stdin.fileno())

    def kill(self, process: subprocess.Popen, tag: str) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
        close_pipes(process)

    def become_nobody(self, pdeathsig: bool, caps: bool = True, uid: int = NOBODY) -> list[str]:
        """``setpriv`` arguments to become ``uid`` (default nobody): no groups, no capabilities,
        no way to gain privileges back."""
        args = [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        if caps:
            args += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
        # A change of user clears the parent-death signal: set it again, so it dies with the grader.
        return args + (["--pdeathsig", "SIGKILL"] if pdeathsig else [])


def others_can_run_python() -> bool:
    """Whether a user with no groups and owning nothing (nobody, a child's own user) could start
    this interpreter and import numpy, by the mode bits (`others_may_read`).

    A quick test, so that a child as such a user is not started in vain (where the interpreter
    lives under ``/root``, say): passing it proves nothing; the probe decides.
    """
    import numpy

    executable = Path(os.path.realpath(sys.executable))
    return (others_may_read([executable, Path(os.__file__), Path(numpy.__file__)])
            and bool(executable.stat().st_mode & stat.S_IXOTH))


def others_may_read(paths: list[Path]) -> bool:
    """Every folder on the way to each of ``paths`` searchable by others, and each readable by them."""
    try:
        for path in (Path(os.path.realpath(p)) for p in paths):
            if not (path.stat().st_mode & stat.S_IROTH and all(p.stat().st_mode & stat.S_IXOTH for p in path.parents)):
                return False
    except OSError:
        return False
    return True


def close_pipes(process: subprocess.Popen) -> None:
    for stream in (process.stdin, process.stdout):
        try:
            stream.close()
        except OSError:
            pass


def user_namespace_line(userns: bool, nested_userns: bool) -> tuple[str | None, str | None]:
    """``(guarantee, missing)`` about user namespaces inside the sandbox."""
    if userns:
        return "no further user namespaces inside (bwrap --disable-userns)", None
    if not nested_userns:
        return "no user namespaces inside (a seccomp filter refuses them, and io_uring)", None
    return None, "student code may create user namespaces (and, in them, tmpfs mounts no rlimit bounds)"
