"""The plain backend: Linux without a usable bubblewrap (a container without user namespaces,
Gradescope's among them).

The first process is a child subreaper (``python reaper.py reap -- COMMAND``): every process
the child starts stays its descendant, even after ``setsid`` and a double fork, and is killed
when the child ends; processes are also found by an environment tag. Rlimits as everywhere;
where the kernel takes it a seccomp filter refuses IPv4 and IPv6 sockets (Unix sockets still
work), new user namespaces and io_uring. As root each child runs as a user of its own: an
unused user id picked per sandbox (`child_user`), unprivileged like ``nobody`` (when
``nobody`` can run the interpreter).

Nothing is hidden by mounts: files readable by the child's user stay readable. As root,
:meth:`Plain.protect_answers` therefore makes the solutions and the hidden tests readable by
their owner only before grading (the grader, root, still reads them); as another user they
stay readable and the backend says so (``hides_answers`` is False: ``grade`` refuses).
As root, a child cannot reach another child's work folder (mode 0700, another owner), signal
it or read its ``/proc`` entries, so the next child is started ahead (``keeps_submissions_apart``);
as another user all children share that user, and the next one starts only when it is graded.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from autograder.sandbox.backend import COMMON, limits_argument
from autograder.sandbox.limits import DEFAULT_LIMITS, Limits
from autograder.sandbox.posix_backend import PosixBackend, user_namespace_line
from autograder.sandbox.scratch import layout
from autograder.sandbox.seccomp import SECCOMP_FILE

REAPER = Path(__file__).resolve().with_name("reaper.py")
# The children's own user ids: far above what systems hand out (users below 65536, containers'
# subordinate ranges from 100000 on, 65536 each), so none of them owns a file or a process.
CHILD_UIDS = range(2**31 - 2**24, 2**31 - 1)


class Plain(PosixBackend):
    name = "plain"
    filters_network = True

    def describe(self, nested_userns: bool, inet: bool) -> Plain:
        """Fill in the guarantees from what the probe child could do."""
        user = "a child's own user" if self.nobody else "the grader's user"
        guarantees = [*COMMON, "limits on CPU time, memory, file size and output, open files (rlimits)",
                      "every process it starts is killed with it (child subreaper, environment tag)"]
        missing = []
        self.network = inet
        if inet:
            missing.append("network reachable (install bubblewrap to cut it)")
        else:
            guarantees.append("no IP network (a seccomp filter refuses IPv4 and IPv6 sockets; Unix sockets work)")
        if self.nobody:
            guarantees.append("solutions and hidden tests readable by their owner only while grading "
                              "(made so before the first child)")
        missing += [f"other files readable by {user} stay readable to student code (the kit, other submissions)",
                    f"student code can write wherever {user} can (each file capped, not their number)"]
        if not self.nobody:
            missing.append("the next submission's child starts only when it is graded (children share one user)")
        if not self.nobody:
            missing.insert(0, "solutions and hidden tests readable to student code (run as root, or install "
                              "bubblewrap)")
        good, bad = user_namespace_line(False, nested_userns)
        guarantees += [good] if good else []
        missing += [bad] if bad else []
        if self.nobody:
            guarantees += [f"each child runs as an unprivileged user of its own (an unused user id), at most "
                           f"{DEFAULT_LIMITS['processes']} processes by default",
                           "a child cannot reach another submission's work folder or processes (another user): "
                           "the next child starts ahead"]
        elif os.geteuid() == 0:
            missing.append("runs as root: student code keeps the grader's privileges (a child as nobody did "
                           "not start: the interpreter, numpy or the scratch folder under TMPDIR is out of its reach)")
        else:
            guarantees.append(f"at most {DEFAULT_LIMITS['processes']} more processes by default")
        self.hides_answers = self.keeps_submissions_apart = self.nobody
        self.guarantees, self.missing = tuple(guarantees), tuple(missing)
        return self

    def prepare(self, scratch: Path, sources: dict[str, bytes], harness_files: tuple[Path, ...]) -> None:
        super().prepare(scratch, sources, harness_files)
        self.copy_modules_into_work(scratch, sources)  # no tmpfs: the copy's owner is the child's user
        work = layout(scratch)[2]
        if self.nobody:
            uid = child_user()
            for path in [work, *work.iterdir()]:
                os.chown(path, uid, uid)
            # Another child is another user: it can neither list this one's work folder nor read
            # the grader's copy of the modules.
            work.chmod(0o700)
            layout(scratch)[1].chmod(0o700)

    def argv(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
             seccomp_fd: int | None) -> list[str]:
        reaper = [sys.executable, "-I", "-S", "-B", str(REAPER), "reap"]
        if self.seccomp:
            reaper += ["--seccomp", str(scratch / SECCOMP_FILE)]
        child = self.child_command
        if self.nobody:  # the user prepare() gave the work folder, who runs nothing else
            uid = layout(scratch)[2].stat().st_uid
            return (reaper + ["--"] + self.become_nobody(pdeathsig=True, uid=uid)
                    + child(scratch, limits_argument(limits, limits.processes)))
        # RLIMIT_NPROC counts every process of the user: add what the user already runs.
        nproc = None if os.geteuid() == 0 else limits.processes + count_processes(os.getuid())
        return reaper + ["--"] + child(scratch, limits_argument(limits, nproc))

    def kill(self, process: subprocess.Popen, tag: str) -> None:
        """The reaper is asked first (SIGTERM: it kills all its descendants, detached ones too),
        then the process group, then whatever still carries the environment tag."""
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        super().kill(process, tag)
        kill_tagged(tag)

    def protect_answers(self, paths: list[Path]) -> None:
        """As root, the answers' folders become the owner's alone (mode 0700): the child, nobody,
        can neither list nor read them; the grader, root, still can. Files keep their modes."""
        if not self.nobody:
            return
        for path in paths:
            if path.is_dir() and not path.is_symlink():
                path.chmod(path.stat().st_mode & 0o7700)


def child_user() -> int:
    """An unused user id from `CHILD_UIDS`: no process runs as it (threads of graders running
    side by side pick at random; a /proc scan rules out one in use)."""
    pick = random.SystemRandom()
    while True:
        uid = pick.choice(CHILD_UIDS)
        if count_processes(uid) == 0:
            return uid


def count_processes(uid: int) -> int:
    """How many processes (threads count for RLIMIT_NPROC) the user ``uid`` runs now."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields_ = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        try:
            if int(fields_["Uid"].split()[0]) == uid:
                total += int(fields_.get("Threads", "1").strip() or 1)
        except (KeyError, ValueError, IndexError):
            continue
    return total


def kill_tagged(tag: str, rounds: int = 5) -> int:
    """Kill every process whose environment carries ``tag``; returns how many were found.

    Scans until a scan finds none (a process forked during one scan is caught by the next).
    """
    needle = f"AUTOGRADER_CHILD={tag}".encode()
    found = 0
    for _ in range(rounds):
        hits = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    os.kill(int(entry.name), signal.SIGKILL)
                    hits += 1
            except (OSError, ValueError):
                continue
        found += hits
        if not hits:
            break
    return found
