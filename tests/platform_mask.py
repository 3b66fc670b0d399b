"""Run Python here as if on Windows or macOS: the POSIX- and Linux-only parts taken away.

``python platform_mask.py PROFILE WRAPPER [python options] (-m MODULE | -c CODE | SCRIPT) ARGS...``

PROFILE ``windows`` deletes what CPython on Windows lacks: ``signal.SIGXCPU``/``SIGXFSZ``/
``SIGKILL``, ``os.geteuid``/``getuid``/``killpg``/``fork``/``setsid``/``uname``/
``set_blocking``, the ``resource`` and ``fcntl`` modules, and ``select`` on anything but
sockets. Both profiles hide ``/proc`` (opening or listing it fails as on a system without it)
and ``prctl`` (ctypes cannot find it, as macOS's libc does not have it); ``macos`` also says
``sys.platform == "darwin"``. ``subprocess.Popen.kill`` ends the process as Windows's does.

WRAPPER is an executable script that runs this same file with the same profile: it becomes
``sys.executable``, so the children the kit starts (``python -I -B child.py ...``) run masked
too.
"""

import os
import runpy
import signal
import stat
import subprocess
import sys

PROFILE, WRAPPER = sys.argv[1], sys.argv[2]
_KILL = signal.SIGKILL


def _audit(event: str, args: tuple) -> None:
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes)):
        path = os.fsdecode(args[0])
        if path == "/proc" or path.startswith("/proc/"):
            raise FileNotFoundError(2, "No such file or directory", path)
    if event == "ctypes.dlsym" and len(args) > 1 and args[1] == "prctl":
        raise AttributeError("prctl")


def _sockets_only_select(rlist, wlist, xlist, timeout=None):
    for fd in (*rlist, *wlist, *xlist):
        number = fd if isinstance(fd, int) else fd.fileno()
        if not stat.S_ISSOCK(os.fstat(number).st_mode):
            raise OSError(10038, "An operation was attempted on something that is not a socket")
    return _select(rlist, wlist, xlist, timeout)


def _terminate(self) -> None:  # Windows: TerminateProcess
    if self.returncode is None:
        os.kill(self.pid, _KILL)


# numpy asks os.uname() for the kernel when sys.platform is "linux" (its Windows build does not):
# import it before the masks, so only the kit runs without them.
import numpy  # noqa: E402, F401

sys.addaudithook(_audit)
subprocess.Popen.kill = _terminate
subprocess.Popen.terminate = _terminate
if PROFILE == "windows":
    import select

    _select = select.select
    select.select = _sockets_only_select
    for name in ("SIGXCPU", "SIGXFSZ", "SIGKILL"):
        delattr(signal, name)
    for name in ("geteuid", "getuid", "killpg", "fork", "setsid", "uname", "set_blocking"):
        delattr(os, name)
    sys.modules["resource"] = None
    sys.modules["fcntl"] = None
elif PROFILE == "macos":
    sys.platform = "darwin"
else:
    raise SystemExit(f"unknown profile {PROFILE!r}")

sys.executable = WRAPPER
rest = sys.argv[3:]
while rest and rest[0] in ("-I", "-B", "-S", "-s", "-E"):
    rest = rest[1:]
if rest[:1] == ["-c"]:
    sys.argv = ["-c", *rest[2:]]
    exec(compile(rest[1], "<string>", "exec"), {"__name__": "__main__"})
elif rest[:1] == ["-m"]:
    sys.argv = [rest[1], *rest[2:]]
    runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
else:
    sys.argv = rest
    runpy.run_path(rest[0], run_name="__main__")
