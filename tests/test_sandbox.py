"""The sandbox on its own: ``Sandbox``/``Student`` with the live reference, one behaviour per test.

Student code here is the reference plus a few extra functions (``PROBES``) that misbehave on
purpose; every one is bounded (sleeps end, loops are killed, allocations ask for 1 GiB at most).
Tests that depend on the setup (bwrap, running as root) skip elsewhere; plain mode is checked in
a subprocess (``AUTOGRADER_SANDBOX=plain``), since :func:`isolation` is decided once per process.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.errors import UserError
from autograder.paths import KIT_ROOT, MODULES, SOLUTIONS
from autograder.reference import Reference
from autograder.sandbox import backend, jail, seccomp
from autograder.sandbox.errors import (
    BadOutput,
    Crashed,
    LimitExceeded,
    MissingName,
    NotImplementedYet,
    Raised,
    TimedOut,
)
from autograder.sandbox.jail import isolation
from autograder.sandbox.limits import DEFAULT_LIMITS, Limits
from autograder.sandbox.parent import ReferenceOptimizer, Sandbox, Student
from autograder.sandbox.plain_backend import CHILD_UIDS, Plain
from autograder.sandbox.posix_backend import NOBODY
from autograder.sandbox.wire import Opaque

BWRAP = isolation().mode == "bwrap"
needs_bwrap = pytest.mark.skipif(not BWRAP, reason="only the bwrap setups give this")
# The local backend does not promise it (its record says processes may outlive the child).
needs_reaping = pytest.mark.skipif(not any("killed with it" in g for g in isolation().guarantees),
                                   reason=f"the {isolation().name} backend does not kill what the child leaves behind")
SLEEP = f"53.{secrets.randbelow(10**6):06d}"  # the argument that marks this run's stray processes

# A daemon left behind, shared with test_backends: its sleep carries SLEEP, so `survivors` finds it.
DETACH = f'''
def detach():
    """A daemon in a new session, double-forked, with an empty environment: then return."""
    import os
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execve("/bin/sleep", ["sleep", "{SLEEP}"], {{}})
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return "detached"
'''
PROBES = f'''

def spawn_and_hang():
    """Leave processes behind (one in a new session, one ignoring signals), then hang."""
    import os, signal, subprocess
    subprocess.Popen(["sleep", "{SLEEP}"], start_new_session=True)
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.execv("/bin/sleep", ["sleep", "{SLEEP}"])
    for number in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_IGN)
    while True:
        pass


{DETACH}

def segfault():
    import ctypes
    ctypes.string_at(0)


def hard_exit():
    import os
    os._exit(3)


def nap(seconds):
    import time
    time.sleep(seconds)
    return seconds


def allocate(gib):
    return float(np.ones(int(gib * 2**27)).sum())


def shout(mib):
    import sys
    for _ in range(mib):
        sys.stdout.write("x" * 2**20)
    sys.stdout.flush()


def burn():
    while True:
        pass


def fill_work_folder():
    i = 0
    while True:
        with open(f"filler{{i}}", "wb") as file:
            file.write(b"0" * 2**20)
        i += 1


def connect(port):
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
            connection.sendall(b"hello")
        return "connected"
    except OSError as error:
        return type(error).__name__


def read(path):
    import os
    try:
        if os.path.isdir(path):
            return sorted(os.listdir(path))
        with open(path, "rb") as file:
            return len(file.read())
    except OSError as error:
        return type(error).__name__


def write(path):
    try:
        with open(path, "w") as file:
            file.write("x")
        return "written"
    except OSError as error:
        return type(error).__name__


def who():
    import os, sys
    return [os.getuid(), os.getgid(), sorted(os.environ), sys.flags.isolated, sys.flags.dont_write_bytecode,
            os.getcwd(), sorted(os.listdir("."))]


class SubArray(np.ndarray):
    def __eq__(self, other):
        return True


class SubFloat(float):
    def __eq__(self, other):
        return True


class AlwaysEqual:
    def __eq__(self, other):
        return True


class SubFloat64(np.float64):
    pass


def liars():
    return [np.zeros(3).view(SubArray), SubFloat(0.5), AlwaysEqual(), SubFloat64(1.0), np.zeros(3), 0.5,
            np.float64(2.0), {{"a": (1, None)}}]


def garbage_on_the_pipe():
    """Write a forged, broken message on the grader's channel."""
    import os
    for fd in range(3, 16):
        try:
            if os.path.basename(os.readlink(f"/proc/self/fd/{{fd}}")).startswith("pipe:"):
                os.write(fd, b"\\xff\\xff\\xff\\x7f{{not json")
        except OSError:
            pass
    return 1.0


def ask_the_grader(name):
    """Ask the grader's reference for something the call did not swap in."""
    import gc
    child = next(o for o in gc.get_objects() if type(o).__name__ == "Child")
    try:
        return child.ask(name, (np.ones((3, 2)), np.ones(3), np.zeros(2)), {{}})
    except Exception as error:
        return f"refused: {{error}}"


def namespaces_and_rings():
    """What the kernel says to a new user namespace, an io_uring, and a plain child process."""
    import ctypes, os, subprocess
    libc = ctypes.CDLL(None, use_errno=True)
    userns = libc.unshare(0x10000000)
    userns_errno = ctypes.get_errno()
    params = ctypes.create_string_buffer(120)
    ring = libc.syscall(425, 8, params)  # io_uring_setup (the same number on x86-64 and arm64)
    ring_errno = ctypes.get_errno()
    child = subprocess.run(["true"]).returncode
    return [userns, os.strerror(userns_errno) if userns else "", ring, ring_errno, child]


def uses_swapped_logistic(X, theta):
    return logistic(X, theta)


def count_processes(n):
    """Start up to n sleepers; how many started before the process limit refused one."""
    import subprocess
    started = []
    try:
        for _ in range(n):
            started.append(subprocess.Popen(["sleep", "{SLEEP}"]))
    except OSError:
        pass
    for process in started:
        process.kill()
        process.wait()
    return len(started)
'''


def sources(extra: str = PROBES, **replace: bytes) -> dict[str, bytes]:
    found = {m: (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}
    found["logistic_regression"] += extra.encode()
    found.update(replace)
    return found


def survivors() -> list[str]:
    time.sleep(0.3)  # a killed PID namespace takes a moment to go
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if SLEEP.encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(entry.name)
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="module")
def student(reference):
    with Sandbox(sources(), reference, Limits(call_seconds=20, submission_seconds=600)) as sandbox:
        yield Student(sandbox)


def probe(student: Student, name: str, *args, **kwargs):
    return student.call("logistic_regression", name, *args, **kwargs)


# -- answers are data ------------------------------------------------------------------------
def test_calls_return_what_the_reference_returns(student, reference):
    rng = np.random.default_rng(0)
    X, y, theta = rng.normal(size=(6, 3)), rng.integers(0, 2, 6).astype(float), rng.normal(size=3)
    got = student.logistic_regression.gradients(X, y, theta)
    assert type(got) is np.ndarray
    np.testing.assert_array_equal(got, reference.logistic_regression.gradients(X, y, theta))
    assert student.linear_regression.loss(X, y, theta) == reference.linear_regression.loss(X, y, theta)


def test_lying_types_arrive_as_opaque_or_plain(student):
    sub_array, sub_float, always_equal, sub_float64, array, number, scalar, nested = probe(student, "liars")
    for liar in (sub_array, sub_float, always_equal, sub_float64):
        assert isinstance(liar, Opaque)
    assert type(array) is np.ndarray and type(number) is float and type(scalar) is np.float64
    assert nested == {"a": (1, None)}


def test_inputs_after_the_call_come_back(student):
    value, args, kwargs = student.call("logistic_regression", "step", np.ones(3), np.ones(3), 0.5,
                                       inputs_after=True)
    np.testing.assert_array_equal(value, np.full(3, 0.5))
    np.testing.assert_array_equal(args[0], np.ones(3))


def test_a_missing_function_swapped_for_one_call_is_missing_again_after_it(reference):
    without_loss = sources()["logistic_regression"].replace(b"def loss(", b"def renamed_loss(")
    X, y = np.column_stack([np.ones(4), np.arange(4.0)]), np.array([0.0, 1.0, 0.0, 1.0])
    with Sandbox({**sources(), "logistic_regression": without_loss}, reference) as sandbox:
        student = Student(sandbox)
        theta, history = student.call("logistic_regression", "gradient_descent", X, y, epochs=2, swap=("loss",))
        np.testing.assert_allclose(history, reference.logistic_regression.gradient_descent(X, y, epochs=2)[1],
                                   rtol=1e-12)
        with pytest.raises(MissingName, match=r"has no loss"):
            student.logistic_regression.loss(X, y, theta)


def test_errors_are_reported_in_one_line(reference):
    broken = {"logistic_regression": b"def f(:\n", "linear_regression": sources()["linear_regression"] + (
        b"\ndef unfinished():\n    raise NotImplementedError\n\ndef fails():\n    raise ValueError('no')\n")}
    with Sandbox(broken, reference) as sandbox:
        student = Student(sandbox)
        with pytest.raises(MissingName, match=r"could not be loaded.*SyntaxError.*line 1"):
            student.logistic_regression.logistic(np.ones((2, 2)), np.ones(2))
        with pytest.raises(MissingName, match=r"optimizers.py was not submitted"):
            student.optimizers.SGD()
        with pytest.raises(MissingName, match=r"has no nothing_here"):
            student.linear_regression.nothing_here()
        with pytest.raises(NotImplementedYet):
            student.linear_regression.unfinished()
        with pytest.raises(Raised, match=r"ValueError: no") as raised:
            student.linear_regression.fails()
        assert raised.value.exc_type == "ValueError"


def test_exits_and_interrupts_are_raised_errors(reference):
    code = b"\ndef leave():\n    raise SystemExit(0)\n\ndef interrupt():\n    raise KeyboardInterrupt\n"
    with Sandbox(sources(code.decode()), reference) as sandbox:
        student = Student(sandbox)
        with pytest.raises(Raised, match="SystemExit"):
            probe(student, "leave")
        with pytest.raises(Raised, match="KeyboardInterrupt"):
            probe(student, "interrupt")
        np.testing.assert_array_equal(student.logistic_regression.step(np.ones(2), np.ones(2), 1.0), np.zeros(2))


# -- callbacks -------------------------------------------------------------------------------
def test_swapped_functions_call_back_into_the_reference(student, reference):
    X, theta = np.array([[1.0, 2.0], [1.0, -1.0]]), np.array([0.5, -0.25])
    got = probe(student, "uses_swapped_logistic", X, theta, swap=("logistic",))
    np.testing.assert_array_equal(got, reference.logistic_regression.logistic(X, theta))


def test_only_swapped_functions_may_be_called_back(student):
    assert probe(student, "ask_the_grader", "logistic_regression.gradients").startswith("refused")
    assert probe(student, "ask_the_grader", "handle:0.update").startswith("refused")
    # Even during a call that swapped other names in.
    assert probe(student, "ask_the_grader", "logistic_regression.gradients", swap=("logistic",)).startswith("refused")


def test_reference_optimizer_runs_in_the_grader(student, reference):
    rng = np.random.default_rng(1)
    X, y = np.column_stack([np.ones(9), rng.normal(size=(9, 2))]), rng.integers(0, 2, 9).astype(float)
    kwargs = dict(lr=0.1, epochs=3, batch_size=4, seed=2)
    theta, history = student.logistic_regression.gradient_descent(
        X, y, optimizer=ReferenceOptimizer("Adam", lr=0.05), swap=("loss", "gradients", "step"), **kwargs)
    expected = reference.logistic_regression.gradient_descent(X, y, optimizer=reference.optimizers.Adam(lr=0.05),
                                                              **kwargs)
    np.testing.assert_array_equal(theta, expected[0])
    assert history == expected[1]


def test_remote_objects_keep_state_and_die_with_their_child(reference):
    with Sandbox(sources(), reference) as sandbox:
        student = Student(sandbox)
        adam = student.optimizers.Adam(lr=0.1)
        params = {"w": np.ones(2)}
        assert adam.update(params, {"w": np.ones(2)}) is None
        np.testing.assert_allclose(params["w"], np.full(2, 0.9))
        with pytest.raises(Crashed):
            probe(student, "segfault")
        with pytest.raises(Crashed, match="gone"):
            adam.update(params, {"w": np.ones(2)})


# -- the child dies, the batch goes on -------------------------------------------------------
def test_crashes_are_named_and_the_next_call_gets_a_fresh_child(student):
    with pytest.raises(Crashed, match="SIGSEGV"):
        probe(student, "segfault")
    with pytest.raises(Crashed, match=r"exited \(code 3\)"):
        probe(student, "hard_exit")
    assert probe(student, "nap", 0) == 0


def test_malformed_replies_are_bad_output(student):
    with pytest.raises(BadOutput):
        probe(student, "garbage_on_the_pipe")
    assert probe(student, "nap", 0) == 0


@pytest.mark.slow
@needs_reaping
def test_a_timeout_kills_every_process_the_child_started(reference):
    with Sandbox(sources(), reference, Limits(call_seconds=3)) as sandbox:
        with pytest.raises(TimedOut, match="did not finish within 3 s"):
            probe(Student(sandbox), "spawn_and_hang")
        assert survivors() == []
        assert probe(Student(sandbox), "nap", 0) == 0


@needs_reaping
def test_detached_processes_die_with_the_sandbox(reference):
    with Sandbox(sources(), reference) as sandbox:
        assert probe(Student(sandbox), "detach") == "detached"
    assert survivors() == []


@pytest.mark.slow
def test_a_function_that_hangs_twice_is_not_run_again(reference):
    with Sandbox(sources(), reference, Limits(call_seconds=1, submission_seconds=60)) as sandbox:
        student = Student(sandbox)
        for _ in range(2):
            with pytest.raises(TimedOut, match="did not finish within 1 s"):
                probe(student, "burn")
        with pytest.raises(TimedOut, match="not run again"):
            probe(student, "burn")
        assert probe(student, "nap", 0) == 0


@pytest.mark.slow
def test_the_submission_time_budget_bounds_all_its_calls(reference):
    with Sandbox(sources(), reference, Limits(call_seconds=2, submission_seconds=4)) as sandbox:
        student = Student(sandbox)
        with pytest.raises(LimitExceeded, match="time budget"):
            for _ in range(10):
                probe(student, "nap", 1.5)
        with pytest.raises(LimitExceeded, match="time budget"):
            probe(student, "nap", 0)


# -- limits ------------------------------------------------------------------------------------
def test_memory_limit(reference):
    with Sandbox(sources(), reference, Limits(memory_bytes=768 * 2**20)) as sandbox:
        with pytest.raises(LimitExceeded, match="ran out of memory"):
            probe(Student(sandbox), "allocate", 1.0)


def test_output_is_capped(reference):
    with Sandbox(sources(), reference, Limits(file_bytes=2**20)) as sandbox:
        with pytest.raises(LimitExceeded, match="more output than allowed"):
            probe(Student(sandbox), "shout", 3)


@pytest.mark.slow
def test_cpu_time_limit(reference):
    with Sandbox(sources(), reference, Limits(cpu_seconds=1, call_seconds=30)) as sandbox:
        with pytest.raises(LimitExceeded, match="CPU time"):
            probe(Student(sandbox), "burn")


def test_process_limit(reference):
    if os.geteuid() == 0 and not isolation().nobody:
        pytest.skip("a child running as root ignores RLIMIT_NPROC")
    with Sandbox(sources(), reference, Limits(processes=8)) as sandbox:
        started = probe(Student(sandbox), "count_processes", 40)
    assert started < 40
    assert survivors() == []


@needs_bwrap
def test_work_folder_is_capped(reference):
    with Sandbox(sources(), reference, Limits(scratch_bytes=8 * 2**20)) as sandbox:
        with pytest.raises(LimitExceeded, match="filled its work folder"):
            probe(Student(sandbox), "fill_work_folder")


# -- what the child can see and do --------------------------------------------------------------
def test_environment_and_interpreter_are_isolated(student):
    uid, gid, variables, isolated, no_bytecode, cwd, files = probe(student, "who")
    assert set(variables) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_CTYPE", "PWD", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                              "MKL_NUM_THREADS", "MPLBACKEND", "AUTOGRADER_CHILD"}
    assert isolated == 1 and no_bytecode == 1
    assert set(files) <= {f"{m}.py" for m in MODULES} | {"output.log"}


@pytest.mark.skipif(os.geteuid() != 0 or not isolation().nobody, reason="drops privileges only when run as root")
def test_runs_as_nobody_when_root(reference):
    """bubblewrap's children are nobody; plain's each a user of its own, none of them root."""
    with Sandbox(sources(), reference) as sandbox, Sandbox(sources(), reference) as other:
        users = []
        for box in (sandbox, other):
            uid, gid, *_ = probe(Student(box), "who")
            assert uid == gid and uid != 0
            # Seen from the grader's side too: the child's real user is that user.
            assert real_users_of(box.tag) == {uid}
            users.append(uid)
    if isolation().name == "plain":
        assert users[0] != users[1] and all(uid in CHILD_UIDS for uid in users)
    else:
        assert users == [NOBODY, NOBODY]


def real_users_of(tag: str) -> set[int]:
    """The real user ids of the children (``python -I -B .../child.py``) carrying ``tag`` in their environment."""
    users = set()
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit() and f"AUTOGRADER_CHILD={tag}".encode() in (entry / "environ").read_bytes().split(b"\0")
                    and (entry / "cmdline").read_bytes().split(b"\0")[:4][-1].endswith(b"child.py")):
                status = (entry / "status").read_text()
                users.add(int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1]))
        except OSError:
            continue
    return users


@pytest.mark.skipif(isolation().network, reason="this setup leaves the network reachable")
def test_no_network(student):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.5)
        assert probe(student, "connect", listener.getsockname()[1]) != "connected"
        with pytest.raises(TimeoutError):
            listener.accept()


@pytest.mark.skipif(not (isolation().userns or isolation().seccomp), reason="no filter on user namespaces here")
def test_no_user_namespaces_nor_io_uring(student):
    userns, userns_error, ring, _, child = probe(student, "namespaces_and_rings")
    assert userns == -1 and userns_error in ("Operation not permitted", "No space left on device")
    if isolation().seccomp:
        assert ring == -1  # refused: io_uring operations would bypass the filter
    assert child == 0  # processes still start (clone3 refused, clone used instead)


def test_seccomp_program_shape():
    program = seccomp.seccomp_program(network=True)
    if program is None:
        pytest.skip(f"no filter for {os.uname().machine}")
    assert len(program) % 8 == 0 and len(program) // 8 < 256
    assert len(seccomp.seccomp_program(network=False)) < len(program)


@needs_bwrap
def test_kit_outputs_and_temporary_files_are_hidden(reference, tmp_path):
    secret = tmp_path / "out" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("grades")
    with Sandbox(sources(), reference, hide=(secret.parent,)) as sandbox:
        student = Student(sandbox)
        for path in (SOLUTIONS / "logistic_regression.py", KIT_ROOT / "autograder" / "tests" / "hidden", secret,
                     Path.home() / ".bashrc", Path("/run")):
            assert probe(student, "read", str(path)) in ("FileNotFoundError", "PermissionError", []), path
        # /tmp shows only this sandbox's scratch folder (and the interpreter's, if it lives there).
        interpreter = {Path(p).resolve().relative_to("/tmp").parts[0] for p in (sys.prefix, sys.base_prefix)
                       if Path(p).resolve().is_relative_to("/tmp")}
        assert set(probe(student, "read", "/tmp")) <= {sandbox.scratch.name} | interpreter
        for path in (KIT_ROOT / "PWNED", secret, Path("/tmp/PWNED"), Path("/dev/shm/PWNED"), Path("/dev/PWNED")):
            assert probe(student, "write", str(path)) in ("OSError", "PermissionError", "FileNotFoundError"), path
        assert probe(student, "write", "mine.txt") == "written"  # its own work folder
    assert secret.read_text() == "grades" and not (KIT_ROOT / "PWNED").exists()


# -- limits from the environment, and the setup ------------------------------------------------
def test_limits_from_the_environment():
    limits = Limits.from_environment({"AUTOGRADER_CALL_SECONDS": "5", "AUTOGRADER_MEMORY_BYTES": "1000"})
    assert limits.call_seconds == 5.0 and limits.memory_bytes == 1000
    assert limits.submission_seconds == DEFAULT_LIMITS["submission_seconds"]
    for bad in ("0", "-1", "soon", ""):
        with pytest.raises(UserError, match="AUTOGRADER_SUBMISSION_SECONDS"):
            Limits.from_environment({"AUTOGRADER_SUBMISSION_SECONDS": bad})
    script = "from autograder.sandbox.limits import Limits; print(Limits().call_seconds, Limits(call_seconds=2).call_seconds)"
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "AUTOGRADER_CALL_SECONDS": "7"},
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["7.0", "2"]


def test_summary_says_what_holds():
    summary = isolation().summary()
    assert summary.startswith(f"sandbox: {isolation().mode}")
    if BWRAP:
        assert "own PID namespace" in summary and "hidden" in summary
    elif isolation().name == "plain":
        assert "child subreaper" in summary and "stay readable" in summary
    else:
        assert "stay readable" in summary and "outlive" in summary
    assert ("network reachable" in summary) == isolation().network
    assert ("no network" in summary or "no IP network" in summary) != isolation().network


PLAIN_SCRIPT = textwrap.dedent('''
    import sys
    from autograder.reference import Reference
    from autograder.sandbox.parent import Sandbox, Student
    from autograder.sandbox.errors import Crashed, TimedOut
    from autograder.sandbox.jail import isolation
    from autograder.sandbox.limits import Limits
    sys.path.insert(0, sys.argv[1])
    from test_sandbox import probe, sources, survivors

    assert isolation().mode == "plain", isolation().mode
    with Sandbox(sources(), Reference(), Limits(call_seconds=3)) as sandbox:
        student = Student(sandbox)
        print(probe(student, "detach"))
        try:
            probe(student, "spawn_and_hang")
        except TimedOut:
            print("timed out")
        try:
            probe(student, "segfault")
        except Crashed as error:
            print(error)
    print("survivors", survivors())
''')


@pytest.mark.slow
def test_plain_mode_kills_detached_processes_too():
    done = subprocess.run([sys.executable, "-c", PLAIN_SCRIPT, str(Path(__file__).parent)],
                          env={**os.environ, "AUTOGRADER_SANDBOX": "plain"}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["detached", "timed out", "crashed (SIGSEGV)", "survivors []"]


def test_a_child_started_from_a_short_lived_thread_outlives_it():
    """The parent-death signal follows the thread that forked the child; sweeps start children
    from worker threads that end, and the child must stay up for the next calls."""
    import threading

    sources = {m: (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}
    with Sandbox(sources, Reference()) as sandbox:
        student = Student(sandbox)
        first = []
        worker = threading.Thread(target=lambda: first.append(
            student.logistic_regression.step(np.ones(2), np.ones(2), 0.5)))
        worker.start()
        worker.join()
        time.sleep(0.5)
        assert np.array_equal(first[0], [0.5, 0.5])
        assert np.array_equal(student.logistic_regression.step(np.ones(2), np.ones(2), 0.5), [0.5, 0.5])
        assert sandbox.generation == 1  # the same child, not a restarted one


def test_the_probe_refuses_a_setup_where_numpy_is_out_of_reach(tmp_path, monkeypatch):
    """The probe finds numpy without importing it; an interpreter that cannot see numpy (a venv
    without the system's site-packages) fails the probe, the same venv seeing them passes."""
    import venv

    venv.create(tmp_path / "venv", with_pip=False, symlinks=True)
    python, config = tmp_path / "venv" / "bin" / "python", tmp_path / "venv" / "pyvenv.cfg"
    plain = Plain(nobody=False)
    monkeypatch.setattr(sys, "executable", str(python))
    config.write_text(config.read_text().replace("include-system-site-packages = false",
                                                 "include-system-site-packages = true"))
    assert backend.probe(plain) is not None
    config.write_text(config.read_text().replace("include-system-site-packages = true",
                                                 "include-system-site-packages = false"))
    assert backend.probe(plain) is None


def test_scratch_left_by_a_killed_grader_is_removed_and_a_live_ones_kept(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # its pid now names no process (it is reaped)
    stale = tmp_path / f"{jail.SCRATCH_PREFIX}{ended.pid}-abc123"
    (stale / "work").mkdir(parents=True)
    (stale / "work" / "logistic_regression.py").write_text("x = 1\n")
    live = tmp_path / f"{jail.SCRATCH_PREFIX}{os.getpid()}-def456"
    live.mkdir()
    unrelated = tmp_path / f"{jail.SCRATCH_PREFIX}probe-xyz"
    unrelated.mkdir()
    assert jail.remove_stale_scratch(tmp_path) == [stale]
    assert not stale.exists() and live.is_dir() and unrelated.is_dir()


def test_a_sandboxs_scratch_is_named_after_its_grader_and_removed_on_close(reference):
    with Sandbox(sources(), reference) as sandbox:
        assert sandbox.scratch.name.startswith(f"{jail.SCRATCH_PREFIX}{os.getpid()}-")
        Student(sandbox).logistic_regression.step(np.ones(2), np.ones(2), 0.5)
    assert not sandbox.scratch.exists()


def test_the_submission_budget_runs_from_its_first_ready_child(reference):
    """A sandbox made ahead of time (while another submission is graded) keeps its whole budget."""
    with Sandbox(sources(), reference, Limits(submission_seconds=1.5)) as sandbox:
        time.sleep(2.0)  # longer than the budget, before its first child
        student = Student(sandbox)
        np.testing.assert_array_equal(student.logistic_regression.step(np.ones(2), np.ones(2), 0.5), [0.5, 0.5])
        with pytest.raises(LimitExceeded, match="time budget"):
            probe(student, "nap", 3)
