"""How every figure is taken: CPU of a whole process tree, wall time, peak memory, medians.

CPU is user + sys of every process a run started, read with ``getrusage(RUSAGE_CHILDREN)``
(and ``RUSAGE_SELF`` for work done in this process), plus what the kernel's accounting loses:

- bubblewrap's outer process exits without waiting for the PID-namespace init below it, which
  is orphaned and reaped by PID 1 with the child's CPU. So the measuring process makes itself
  a *child subreaper* (``PR_SET_CHILD_SUBREAPER``): orphans of its tree come to it, and
  `reap_orphans` collects them (and their CPU) after each run;
- a child ended by ``Sandbox.kill`` (SIGKILL: how every sandbox ends today) reaches no one's
  accounts at all; ``cpuhook/sitecustomize.py``, loaded by every Python process of a measured
  run, reads its CPU from /proc just before the kill and logs it (`captured`).

Without both, the sandbox's CPU would be silently missing from every figure.

These machines are noisy, so a figure is never an absolute time: each is a ratio against a
floor or a peer measured in the same run, interleaved with it (floor, subject, floor,
subject...), and the medians of the repetitions are compared.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
FLOOR = (sys.executable, "-I", "-c", "import numpy")


@dataclass(frozen=True)
class Sample:
    """One measured run: wall seconds, CPU seconds of the whole tree, peak RSS of the main process."""

    wall: float
    cpu: float
    peak_mib: float = 0.0


def become_subreaper() -> None:
    """Adopt every orphaned descendant, so that their CPU time is counted (see the module doc)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(timeout: float = 30.0) -> None:
    """Wait for every remaining child (adopted orphans included) to exit, so its CPU is counted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.002)
    raise RuntimeError("children still running after the measured command ended")


def reap_exited() -> None:
    """Collect the children that have exited, leaving running ones (a child launched ahead for
    the next submission) to be counted when they end."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


HOOK = Path(__file__).resolve().parent / "cpuhook"


def install_capture() -> None:
    """Log killed children's CPU in this process and every Python process it starts."""
    if not os.environ.get("BENCH_CPU_LOG"):
        handle, path = tempfile.mkstemp(prefix="bench-cpu-", suffix=".log")
        os.close(handle)
        os.environ["BENCH_CPU_LOG"] = path
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(HOOK) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(HOOK), *filter(None, paths)])
    sys.path.insert(0, str(HOOK))
    import sitecustomize  # the hook (this process may have started without it)

    sitecustomize.install()


def captured() -> float:
    """CPU seconds of killed sandbox children logged so far (see the module doc)."""
    path = os.environ.get("BENCH_CPU_LOG")
    if not path:
        return 0.0
    with open(path) as log:
        return sum(float(line) for line in log if line.strip())


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def user_environment(env: dict | None = None) -> dict[str, str]:
    """``env`` (default: this process's) as a user's machine has it: bytecode caches are written.

    A machine that sets ``PYTHONDONTWRITEBYTECODE`` (as this one may, for its own tidiness)
    would otherwise recompile the kit in every measured process, a cost no installed kit pays.
    """
    return {name: value for name, value in (os.environ if env is None else env).items()
            if name != "PYTHONDONTWRITEBYTECODE"}


def run_command(command: Sequence[str], *, cwd: Path | None = None, env: dict | None = None,
                timeout: float = 3600) -> Sample:
    """Run ``command`` to completion; its tree's CPU, its wall time and its own peak RSS.

    The peak is ``VmHWM`` of the main process (not its children), read every 20 ms while it
    runs: the high-water mark only grows, so the last reading before exit is its peak.
    """
    reap_orphans()
    env = user_environment(env)
    cpu0, start = cpu_children() + captured(), time.perf_counter()
    process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = [0.0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            value = peak_rss_mib(process.pid)
            if value is not None:
                peak[0] = max(peak[0], value)
            done.wait(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        _, err = process.communicate(timeout=timeout)
    finally:
        done.set()
        watcher.join()
    wall = time.perf_counter() - start
    reap_orphans()
    cpu = cpu_children() + captured() - cpu0
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(map(str, command))} exited {process.returncode}:\n{err.decode()[-2000:]}")
    return Sample(wall, cpu, peak[0])


def run_here(function: Callable[[], object]) -> Sample:
    """Run ``function`` in this process; CPU counts this process and every child it reaped."""
    reap_orphans()
    cpu0, start = total_cpu(), time.perf_counter()
    function()
    wall = time.perf_counter() - start
    reap_orphans()
    return Sample(wall, total_cpu() - cpu0)


def total_cpu() -> float:
    """This process, its reaped descendants, and the killed sandboxes logged so far."""
    return cpu_self() + cpu_children() + captured()


@dataclass(frozen=True)
class Compared:
    """Medians of a subject and its floor (or peer), measured interleaved."""

    subject: Sample
    floor: Sample
    reps: int

    @property
    def cpu_ratio(self) -> float:
        return self.subject.cpu / self.floor.cpu

    @property
    def wall_ratio(self) -> float:
        return self.subject.wall / self.floor.wall


def median_sample(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples),
                  statistics.median(s.peak_mib for s in samples))


def interleaved(subject: Callable[[], Sample], floor: Callable[[], Sample], reps: int) -> Compared:
    """Run floor and subject alternately ``reps`` times each; compare the medians."""
    subjects, floors = [], []
    for _ in range(reps):
        floors.append(floor())
        subjects.append(subject())
    return Compared(median_sample(subjects), median_sample(floors), reps)


def floor_sample() -> Sample:
    """The floor: an isolated interpreter that imports numpy, nothing else."""
    return run_command(FLOOR)


def machine() -> dict[str, str]:
    """What the figures came from."""
    import numpy

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import sklearn

        sklearn_version = sklearn.__version__
    except ImportError:
        sklearn_version = "absent"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus (nproc)": str(os.cpu_count()), "cpu model": model, "memory": f"{memory:.0f} GiB",
            "kernel": platform.release(), "python": platform.python_version(), "numpy": numpy.__version__,
            "scikit-learn": sklearn_version, "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg())}
