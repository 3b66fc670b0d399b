"""Counts the CPU of sandboxed children that the kernel's accounting loses (benchmarks only).

`autograder.sandbox.parent.Sandbox.kill` ends a bubblewrap child with SIGKILL. The child's
Python runs as a grandchild of the outer bubblewrap, below a PID-namespace init; killed
this way, its CPU time reaches no parent's ``RUSAGE_CHILDREN`` (a normal exit does: the
init is then reaped, with its children's time, by the measuring process, a subreaper).
So, just before each kill, this hook reads from /proc the CPU of every process at least two
levels below the outer bubblewrap (the init's own time still arrives by the normal route)
and appends it to the file named by ``BENCH_CPU_LOG``, which measure.py adds to its figures.

benchmarks/run.py puts this folder on PYTHONPATH, so every Python process of a measured run
(the grader, joblib's workers, drive.py) loads it at start-up; the sandbox's child runs
``python -I`` and never does.
"""

import importlib.abc
import importlib.util
import os
import sys

TARGET = "autograder.sandbox.parent"
TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as stream:
                found += [int(p) for p in stream.read().split()]
    except OSError:
        pass
    return found


def _cpu(pid: int) -> float:
    """utime + stime + cutime + cstime of ``pid``, in seconds (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK  # fields 14-17 of stat(5)


def cpu_below(root: int, depth: int = 2) -> float:
    level, total = [root], 0.0
    for distance in range(1, 64):
        level = [child for pid in level for child in _children(pid)]
        if not level:
            break
        if distance >= depth:
            total += sum(_cpu(pid) for pid in level)
    return total


def _record(seconds: float) -> None:
    with open(os.environ["BENCH_CPU_LOG"], "a") as log:
        log.write(f"{seconds!r}\n")


def _patch(client) -> None:
    kill = client.Sandbox.kill

    def kill_counting(self) -> None:
        process = self.process
        if process is not None and client.jail.isolation().mode != "plain":
            _record(cpu_below(process.pid))
        kill(self)

    client.Sandbox.kill = kill_counting


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)  # once: find the real module, patch it after it runs
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module) -> None:
            run(module)
            _patch(module)

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    if getattr(sys, "_bench_cpu_hook", False):
        return
    sys._bench_cpu_hook = True
    if TARGET in sys.modules:
        _patch(sys.modules[TARGET])
    else:
        sys.meta_path.insert(0, _Finder())


if os.environ.get("BENCH_CPU_LOG"):
    install()
