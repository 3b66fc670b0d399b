"""Plain mode's first process: a child subreaper that runs the child's command and, when it
ends, kills everything it left behind.

Run as ``python -I -S -B reaper.py reap [--seccomp FILTER] -- COMMAND...`` (see `jail`), so it
imports only the standard library, and nothing beside it.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc/*/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
        rest = stat[stat.rfind(b")") + 2:].split()
        if len(rest) > 1 and rest[1] == str(pid).encode():
            found.append(int(entry.name))
    return found


class _Stop(Exception):
    pass


def _stop(signum, frame) -> None:
    raise _Stop


def reap(argv: list[str], seccomp: bytes | None = None) -> int:
    """Plain mode's first process: run ``argv`` as a child subreaper, kill everything below at the end.

    Every orphan among the command's descendants is re-parented to this process, so when the
    command ends, or on SIGTERM from the grader, all that is left below is killed. The command
    runs under the ``seccomp`` filter, if given. Exits with the command's status (``128 +
    signal`` if a signal ended it).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)  # the grader died: clean up as asked
    signal.signal(signal.SIGTERM, _stop)
    try:
        pid = os.fork()
    except OSError:
        return 126
    if pid == 0:
        try:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if seccomp is not None and not load_seccomp(libc, seccomp):
                os._exit(126)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    # Only the command talks to the grader: let go of the pipes, so its death reads as end-of-file.
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    status = None
    try:
        while status is None:
            done, code = os.waitpid(-1, 0)
            if done == pid:
                status = code
    except (_Stop, ChildProcessError):
        pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    kill_descendants()
    if status is None:
        return 128 + signal.SIGKILL
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def kill_descendants(seconds: float = 5.0) -> None:
    """Kill every process below this one (a subreaper): until ``waitpid`` says none is left."""
    me, deadline = os.getpid(), time.monotonic() + seconds
    while True:
        for child in children_of(me):
            try:
                os.kill(child, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:  # no child at all: as a subreaper, no descendant either
            return
        if time.monotonic() > deadline:
            return
        time.sleep(0.005)


def load_seccomp(libc, program: bytes) -> bool:
    """Install ``program`` on this process (after no-new-privileges, which it requires)."""
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
    return (libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            and libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["reap"] and "--" in arguments:
        options, command_ = arguments[1:arguments.index("--")], arguments[arguments.index("--") + 1:]
        program = Path(options[1]).read_bytes() if options[:1] == ["--seccomp"] and len(options) == 2 else None
        if command_ and (not options or program is not None):
            sys.exit(reap(command_, program))
    sys.exit("usage: python reaper.py reap [--seccomp FILTER] -- COMMAND...")
