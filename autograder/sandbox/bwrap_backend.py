"""The bubblewrap backends: the child in its own namespaces, the kit out of sight.

- :class:`BwrapUserns`: bubblewrap run unprivileged in a user namespace it creates (as root it
  is started as ``nobody``): new user, PID, network, IPC, UTS and cgroup namespaces, and no
  further user namespaces inside (``--disable-userns``).
- :class:`BwrapPrivileged`: root, where unprivileged user namespaces are off or the interpreter
  lives where ``nobody`` cannot reach it: the same namespaces but the user's, and the child
  drops to ``nobody`` with ``setpriv`` (no capabilities, no new privileges).

In both the whole file system is read-only; /tmp, /run, the home folder, the kit (solutions
and tests), the output folder and the submissions are hidden behind empty read-only tmpfs
mounts; the only writable place is the child's work folder, a tmpfs of
``Limits.scratch_bytes`` that dies with the sandbox; the PID namespace dies with its first
process, so nothing the child starts outlives it. Killing bubblewrap's process group ends it
all. bubblewrap is run by the absolute path found when the backend was chosen.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.sandbox.backend import COMMON, limits_argument
from autograder.sandbox.limits import DEFAULT_LIMITS, Limits
from autograder.sandbox.posix_backend import PosixBackend, user_namespace_line
from autograder.sandbox.scratch import layout
from autograder.sandbox.seccomp import SECCOMP_FILE


class _Bwrap(PosixBackend):
    name = "bwrap"
    hides_answers = True
    keeps_submissions_apart = True  # each child sees only its own scratch folder
    network = False

    def __init__(self, bwrap: str, nobody: bool = False, seccomp: bool = False) -> None:
        super().__init__(nobody=nobody, seccomp=seccomp)
        self.bwrap = bwrap  # an absolute path: the child's PATH is not the grader's

    def describe(self, nested_userns: bool, inet: bool) -> _Bwrap:
        guarantees = [
            *COMMON, "limits on CPU time, memory, file size and output, open files (rlimits)",
            "no network (own network namespace)",
            "own PID namespace: every process it starts is killed with it",
            "read-only file system; kit, solutions, tests, outputs, other submissions, /tmp, /run and "
            "the home folder hidden",
            f"writable space: its work folder only, at most {DEFAULT_LIMITS['scratch_bytes'] // 2**20} MiB "
            "by default, gone with the sandbox",
        ]
        missing = []
        good, bad = user_namespace_line(self.userns, nested_userns)
        guarantees += [good] if good else []
        missing += [bad] if bad else []
        if self.nobody:
            guarantees.append(f"runs as the unprivileged user nobody, at most {DEFAULT_LIMITS['processes']} "
                              "more processes by default")
        else:
            guarantees.append(f"at most {DEFAULT_LIMITS['processes']} more processes by default")
        self.guarantees, self.missing = tuple(guarantees), tuple(missing)
        return self

    def seccomp_fd(self, scratch: Path) -> int | None:
        return os.open(scratch / SECCOMP_FILE, os.O_RDONLY) if self.seccomp else None

    def nproc(self, limits: Limits) -> int | None:
        from autograder.sandbox.plain_backend import count_processes

        # RLIMIT_NPROC counts every process of the user in its user namespace: inside bwrap's
        # own namespace that is the sandbox only; elsewhere, add what the user already runs.
        if self.userns:
            return limits.processes
        return limits.processes + count_processes(65534)

    def mounts(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits) -> list[str]:
        _, src, work = layout(scratch)
        args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        hidden = hidden_paths(hide)
        for path in hidden:
            args += ["--perms", "0755", "--tmpfs", str(path)]
        # Python itself may live under a hidden folder (a home directory, a venv in the kit): show it again.
        for prefix in sorted({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}):
            cover = [h for h in hidden if h in prefix.parents or h == prefix]
            if cover:
                for parent in reversed(prefix.parents):
                    if any(h in parent.parents for h in cover):
                        args += ["--perms", "0755", "--dir", str(parent)]
                args += ["--ro-bind", str(prefix), str(prefix)]
        # The scratch folder may lie under a hidden one (TMPDIR below /tmp): make its parents first.
        for parent in reversed(scratch.parents):
            if any(h in parent.parents for h in hidden):
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(scratch), str(scratch)]  # the harness and the modules, read-only
        # The only writable place: a size-capped tmpfs, owned by the child's user (0700) in a user
        # namespace; as root the child is nobody in a root-owned mount, hence sticky and world-writable.
        args += ["--size", str(limits.scratch_bytes), "--perms", "0700" if self.userns else "01777",
                 "--tmpfs", str(work)]
        for name in modules:
            args += ["--ro-bind", str(src / f"{name}.py"), str(work / f"{name}.py")]
        # Last, once every mount point below them exists: the hiding tmpfs and /dev become read-only.
        for path in [*hidden, Path("/dev")]:
            args += ["--remount-ro", str(path)]
        return args + ["--chdir", str(work)]

    def bwrap_argv(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
                   seccomp_fd: int | None, namespaces: list[str]) -> list[str]:
        args = [self.bwrap, "--die-with-parent", "--new-session", *namespaces]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        return args + self.mounts(scratch, modules, hide, limits)


class BwrapUserns(_Bwrap):
    """bubblewrap in a user namespace of its own (as root, bubblewrap itself runs as nobody)."""

    userns = True

    def argv(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
             seccomp_fd: int | None) -> list[str]:
        child = self.child_command(scratch, limits_argument(limits, self.nproc(limits)))
        bwrap = self.bwrap_argv(scratch, modules, hide, limits, seccomp_fd,
                                ["--unshare-all", "--unshare-user", "--disable-userns"])
        return (self.become_nobody(pdeathsig=True, caps=False) if self.nobody else []) + bwrap + ["--"] + child


class BwrapPrivileged(_Bwrap):
    """bubblewrap as root without a user namespace; the child drops to nobody inside."""

    userns = False

    def __init__(self, bwrap: str, seccomp: bool = False) -> None:
        super().__init__(bwrap, nobody=True, seccomp=seccomp)

    def argv(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
             seccomp_fd: int | None) -> list[str]:
        child = self.child_command(scratch, limits_argument(limits, self.nproc(limits)))
        bwrap = self.bwrap_argv(scratch, modules, hide, limits, seccomp_fd,
                                ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                                 "--unshare-cgroup-try"])
        return bwrap + ["--"] + self.become_nobody(pdeathsig=False) + child


def hidden_paths(hide: tuple[Path, ...] = ()) -> list[Path]:
    """Folders a bwrap child must not see: temporary files, sockets, the home folder, ``hide``."""
    candidates = {Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/run"), Path("/var/run"),
                  Path(tempfile.gettempdir()), Path.home(), *hide}
    resolved = set()
    for path in candidates:
        try:
            path = Path(path).resolve()
        except OSError:
            continue
        if path.is_dir() and path != Path("/"):
            resolved.add(path)
    # Keep only the outermost: a tmpfs over a folder hides everything below it already.
    return sorted(p for p in resolved if not any(q in p.parents for q in resolved))


def find_bwrap() -> str | None:
    """bubblewrap's absolute path, if it is installed."""
    found = shutil.which("bwrap")
    return str(Path(found).resolve()) if found else None
