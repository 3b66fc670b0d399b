"""How a child is confined: the command that starts it and the limits the kernel enforces.

Three setups; :func:`isolation` picks the strongest one that works on this machine, once per
process, by starting a real child in it:

- ``bwrap`` in a user namespace (bubblewrap run unprivileged; as root it is started as
  ``nobody``): new user, PID, network, IPC, UTS and cgroup namespaces, and no further user
  namespaces inside (``--disable-userns``).
- ``bwrap`` privileged (root, where unprivileged user namespaces are off, or the interpreter
  lives where ``nobody`` cannot reach it): the same namespaces but the user's, and the child
  drops to ``nobody`` with ``setpriv`` (no capabilities, no new privileges).
- ``plain`` (no usable bubblewrap): a new session, the limits below, and, as root, ``nobody``
  when ``nobody`` can run the interpreter. Nothing is hidden; a seccomp filter refuses IPv4 and
  IPv6 sockets (Unix sockets still work).

In both ``bwrap`` setups the whole file system is read-only; /tmp, /run, the home folder, the
kit (solutions and tests), the output folder and the submissions are hidden behind empty
read-only tmpfs mounts; the only writable place is the child's work folder, a tmpfs of
``Limits.scratch_bytes`` that dies with the sandbox; the PID namespace dies with its first
process, so nothing the child starts outlives it.

Where the kernel takes it (x86-64 and arm64 Linux), a seccomp filter (`seccomp.seccomp_program`)
refuses new user namespaces (a tmpfs in one is not bounded by any rlimit) and io_uring (which
would bypass the filter), in every setup.

In ``plain`` the first process is a child subreaper (``python reaper.py reap -- COMMAND``): every
process the child starts stays its descendant, even after ``setsid`` and a double fork, and is
killed when the child ends; processes are also found by an environment tag.

Always: ``python -I -B`` (no user site, no PYTHON* variables, no script directory on sys.path,
no bytecode written), an environment built from scratch, student modules compiled from their
source (``child.py``: no bytecode cache is read for them), and rlimits on CPU time, address
space, file size (the output log included), open files, processes and core dumps, which the
child sets on itself before it loads any student code (`limits.Limits`). Wall time is the
parent's to enforce (see ``client``).
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.limits import DEFAULT_LIMITS, Limits
from autograder.sandbox.seccomp import SECCOMP_FILE, seccomp_program

NOBODY = 65534
REAPER = Path(__file__).resolve().with_name("reaper.py")


@dataclass(frozen=True)
class Isolation:
    mode: str  # "bwrap" or "plain"
    guarantees: tuple[str, ...]
    missing: tuple[str, ...]
    userns: bool = False  # bwrap runs in a user namespace it creates
    nobody: bool = False  # the child runs as the user nobody (the grader runs as root)
    seccomp: bool = False  # the child runs under the seccomp filter
    network: bool = True  # student code can reach the network

    def summary(self) -> str:
        lines = [f"sandbox: {self.mode}"] + [f"  + {g}" for g in self.guarantees]
        return "\n".join(lines + [f"  - {m}" for m in self.missing])


@dataclass(frozen=True)
class _Setup:
    mode: str
    userns: bool
    nobody: bool
    seccomp: bool = False


COMMON = (
    "a fresh work folder holding only the submission's three modules",
    "isolated interpreter (python -I -B), scrubbed environment, student modules compiled from source "
    "(no bytecode cache read or written)",
    "limits on CPU time, wall time per call and per submission, memory, file size and output, open files",
)


@functools.cache
def isolation() -> Isolation:
    """The strongest setup this machine allows (``AUTOGRADER_SANDBOX=plain`` forces plain,
    ``AUTOGRADER_SANDBOX=bwrap`` fails unless bubblewrap works)."""
    wanted = os.environ.get("AUTOGRADER_SANDBOX", "auto")
    if wanted not in ("auto", "bwrap", "plain"):
        raise RuntimeError(f"AUTOGRADER_SANDBOX={wanted!r}: expected auto, bwrap or plain")
    root = os.geteuid() == 0
    filters = (True, False) if seccomp_program(network=False) else (False,)
    candidates = []
    if wanted != "plain" and shutil.which("bwrap") and (not root or shutil.which("setpriv")):
        candidates += [_Setup("bwrap", userns=True, nobody=root, seccomp=f) for f in filters]
        if root:
            candidates += [_Setup("bwrap", userns=False, nobody=True, seccomp=f) for f in filters]
    if wanted != "bwrap":
        if root and shutil.which("setpriv"):
            candidates += [_Setup("plain", userns=False, nobody=True, seccomp=f) for f in filters]
        candidates += [_Setup("plain", userns=False, nobody=False, seccomp=f) for f in filters]
    for setup in candidates:
        found = _probe(setup)
        if found is not None:
            return _describe(setup, *found)
    if wanted == "bwrap":
        raise RuntimeError("AUTOGRADER_SANDBOX=bwrap, but bubblewrap is missing or cannot run here")
    return _describe(_Setup("plain", userns=False, nobody=False), nested_userns=True, inet=True)


def _describe(setup: _Setup, nested_userns: bool, inet: bool) -> Isolation:
    guarantees, missing = list(COMMON), []
    if setup.mode == "bwrap":
        guarantees += [
            "no network (own network namespace)",
            "own PID namespace: every process it starts is killed with it",
            "read-only file system; kit, solutions, tests, outputs, other submissions, /tmp, /run and "
            "the home folder hidden",
            f"writable space: its work folder only, at most {DEFAULT_LIMITS['scratch_bytes'] // 2**20} MiB "
            "by default, gone with the sandbox",
        ]
    else:
        guarantees.append("every process it starts is killed with it (child subreaper, environment tag)")
        if inet:
            missing.append("network reachable (install bubblewrap to cut it)")
        else:
            guarantees.append("no IP network (a seccomp filter refuses IPv4 and IPv6 sockets; Unix sockets work)")
        missing += ["files readable by " + ("nobody" if setup.nobody else "the grader's user")
                    + " stay readable to student code (solutions, tests, other submissions)",
                    "student code can write wherever " + ("nobody" if setup.nobody else "the grader's user")
                    + " can (each file capped, not their number)"]
    if setup.userns:
        guarantees.append("no further user namespaces inside (bwrap --disable-userns)")
    elif not nested_userns:
        guarantees.append("no user namespaces inside (a seccomp filter refuses them, and io_uring)")
    else:
        missing.append("student code may create user namespaces (and, in them, tmpfs mounts no rlimit bounds)")
    if setup.nobody:
        guarantees.append(f"runs as the unprivileged user nobody, at most {DEFAULT_LIMITS['processes']} "
                          "more processes by default")
    elif os.geteuid() == 0:
        missing.append("runs as root: student code keeps the grader's privileges "
                       "(nobody cannot run this Python interpreter)")
    else:
        guarantees.append(f"at most {DEFAULT_LIMITS['processes']} more processes by default")
    return Isolation(setup.mode, tuple(guarantees), tuple(missing), userns=setup.userns, nobody=setup.nobody,
                     seccomp=setup.seccomp, network=setup.mode == "plain" and inet)


# -- the scratch folder --------------------------------------------------------------------
SCRATCH_PREFIX = "autograder-"


def new_scratch() -> Path:
    """A fresh scratch folder for one sandbox, named after this process (``autograder-PID-...``),
    so that one left behind by a grader killed outright is found and removed by the next."""
    remove_stale_scratch()
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    scratch.chmod(0o755)  # the child's user must reach the harness (read-only to it)
    return scratch


@functools.cache
def remove_stale_scratch(folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders whose grader process is gone (once per process); returns them.

    A grader that ends normally removes its own; one killed with SIGKILL cannot. Folders of a
    live process (another grader running now) are left alone, and so are other users'. A grader
    in another PID namespace sharing this /tmp would look gone: give it its own TMPDIR.
    """
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = path.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        try:
            mine = path.lstat().st_uid == os.geteuid() and path.is_dir() and not path.is_symlink()
        except OSError:
            continue
        # Only this user's folders (never one someone else planted), of a process that is gone.
        if not mine or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


# -- the command ---------------------------------------------------------------------------
def layout(scratch: Path) -> tuple[Path, Path, Path]:
    """``(harness, src, work)`` folders of a scratch directory: the harness files, the submitted
    modules as written by the grader, and the child's working directory."""
    return scratch / "harness", scratch / "src", scratch / "work"


def command(scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
            seccomp_fd: int | None = None) -> list[str]:
    """The argv that starts ``child.py`` confined to ``scratch`` (prepared by :func:`prepare`);
    ``seccomp_fd``: bubblewrap reads the filter from this descriptor (see :func:`spawn`)."""
    setup = _current_setup()
    harness, _, work = layout(scratch)
    python = [sys.executable, "-I", "-B", str(harness / "child.py"), str(work / "output.log"),
              _limits_argument(limits, setup)]
    return _argv(setup, scratch, modules, hide, limits, python, seccomp_fd)


def spawn(scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
          tag: str) -> subprocess.Popen:
    """Start the child on pipes: its stdin and stdout are the protocol, stderr is discarded."""
    return _spawn(_current_setup(), scratch, lambda fd: command(scratch, modules, hide, limits, fd),
                  environment(scratch, tag), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _spawn(setup: _Setup, scratch: Path, argv, env: dict[str, str], **streams) -> subprocess.Popen:
    """Popen ``argv(seccomp_fd)`` in its own session, handing bubblewrap the filter's descriptor."""
    fd = os.open(scratch / SECCOMP_FILE, os.O_RDONLY) if setup.seccomp and setup.mode == "bwrap" else None
    try:
        return subprocess.Popen(argv(fd), cwd=layout(scratch)[2], env=env, start_new_session=True,
                                pass_fds=() if fd is None else (fd,), **streams)
    finally:
        if fd is not None:
            os.close(fd)


def prepare(scratch: Path, sources: dict[str, bytes], harness_files: tuple[Path, ...]) -> None:
    """Write a fresh harness and the modules into ``scratch``, readable by the child's user."""
    setup = _current_setup()
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
    _write_seccomp(setup, scratch)
    if setup.mode == "plain":  # no tmpfs: the work folder is a copy on disk, its owner the child's user
        for name in sources:
            shutil.copyfile(src / f"{name}.py", work / f"{name}.py")
        if setup.nobody:
            for path in [work, *work.iterdir()]:
                os.chown(path, NOBODY, NOBODY)


def _current_setup() -> _Setup:
    iso = isolation()
    return _Setup(iso.mode, iso.userns, iso.nobody, iso.seccomp)


def _write_seccomp(setup: _Setup, scratch: Path) -> None:
    if setup.seccomp:
        (scratch / SECCOMP_FILE).write_bytes(seccomp_program(network=setup.mode == "plain"))
        (scratch / SECCOMP_FILE).chmod(0o644)


def _argv(setup: _Setup, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
          python: list[str], seccomp_fd: int | None = None) -> list[str]:
    if setup.mode == "plain":
        reaper = [sys.executable, "-I", "-S", "-B", str(REAPER), "reap"]
        if setup.seccomp:
            reaper += ["--seccomp", str(scratch / SECCOMP_FILE)]
        return reaper + ["--"] + (_setpriv(pdeathsig=True) if setup.nobody else []) + python
    bwrap = _bwrap(setup, scratch, modules, hide, limits)
    if seccomp_fd is not None:
        bwrap[1:1] = ["--seccomp", str(seccomp_fd)]
    if setup.userns:  # bubblewrap itself runs as the child's user
        return (_setpriv(pdeathsig=True, caps=False) if setup.nobody else []) + bwrap + ["--"] + python
    return bwrap + ["--"] + _setpriv(pdeathsig=False) + python


def _setpriv(pdeathsig: bool, caps: bool = True) -> list[str]:
    """Become nobody: no groups, no capabilities, no way to gain privileges back."""
    args = [shutil.which("setpriv") or "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    if caps:
        args += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    # A change of user clears the parent-death signal: set it again, so it dies with the grader.
    return args + (["--pdeathsig", "SIGKILL"] if pdeathsig else [])


def _bwrap(setup: _Setup, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...],
           limits: Limits) -> list[str]:
    _, src, work = layout(scratch)
    args = ["bwrap", "--die-with-parent", "--new-session"]
    if setup.userns:
        args += ["--unshare-all", "--unshare-user", "--disable-userns"]
    else:
        args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
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
    args += ["--ro-bind", str(scratch), str(scratch)]  # the harness and the modules, read-only
    # The only writable place: a size-capped tmpfs, owned by the child's user (0700) in a user
    # namespace; as root the child is nobody in a root-owned mount, hence sticky and world-writable.
    args += ["--size", str(limits.scratch_bytes), "--perms", "0700" if setup.userns else "01777",
             "--tmpfs", str(work)]
    for name in modules:
        args += ["--ro-bind", str(src / f"{name}.py"), str(work / f"{name}.py")]
    # Last, once every mount point below them exists: the hiding tmpfs and /dev become read-only.
    for path in [*hidden, Path("/dev")]:
        args += ["--remount-ro", str(path)]
    return args + ["--chdir", str(work)]


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


def _limits_argument(limits: Limits, setup: _Setup) -> str:
    """The rlimits the child sets on itself, as ``name=value`` pairs."""
    pairs = {"cpu": limits.cpu_seconds, "as": limits.memory_bytes, "fsize": limits.file_bytes,
             "nofile": limits.open_files, "core": 0}
    runs_as_root = os.geteuid() == 0 and not setup.nobody
    if not runs_as_root:
        # RLIMIT_NPROC counts every process of the user in its user namespace: inside bwrap's own
        # namespace that is the sandbox only; elsewhere, add what the user already runs.
        uid = NOBODY if setup.nobody else os.getuid()
        pairs["nproc"] = limits.processes + (0 if setup.userns else count_processes(uid))
    return ",".join(f"{k}={int(v)}" for k, v in pairs.items())


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


def environment(scratch: Path, tag: str) -> dict[str, str]:
    """Everything the child's environment holds; nothing is inherited."""
    work = layout(scratch)[2]
    return {
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


# -- killing -------------------------------------------------------------------------------
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


# -- probing -------------------------------------------------------------------------------
# numpy is found and its package file read, not imported: importing it was most of the probe's
# CPU (about 0.15 s of 0.23 s), and a setup that hides it (a venv under a hidden home folder) or
# where nobody cannot read it is refused all the same.
_PROBE = ("import ctypes, importlib.util, socket\n"
          "spec = importlib.util.find_spec('numpy')\n"
          "open(spec.origin, 'rb').close()\n"
          "nested = ctypes.CDLL(None).unshare(0x10000000) == 0\n"
          "try:\n"
          "    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()\n"
          "    inet = True\n"
          "except OSError:\n"
          "    inet = False\n"
          "print('probe', int(nested), int(inet))\n")


def _probe(setup: _Setup) -> tuple[bool, bool] | None:
    """Start a real child in ``setup``: None if it fails (or cannot find and read numpy), else
    whether it could make a user namespace and an IPv4 socket."""
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as folder:
        scratch = Path(folder)
        scratch.chmod(0o755)
        harness, src, work = layout(scratch)
        for path in (harness, src, work):
            path.mkdir(mode=0o755)
        if setup.mode == "plain" and setup.nobody:
            os.chown(work, NOBODY, NOBODY)
        _write_seccomp(setup, scratch)
        python = [sys.executable, "-I", "-B", "-c", _PROBE]

        def argv(fd):
            return _argv(setup, scratch, (), (), Limits(**DEFAULT_LIMITS), python, fd)

        try:
            child = _spawn(setup, scratch, argv, environment(scratch, "probe"), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            out, _ = child.communicate(timeout=60)
        except (OSError, subprocess.SubprocessError):
            try:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
            except (NameError, OSError):
                pass
            return None
        answer = out.decode(errors="replace").split()
        if child.returncode != 0 or len(answer) < 3 or answer[-3] != "probe":
            return None
        return answer[-2] == "1", answer[-1] == "1"
