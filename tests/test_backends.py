"""Each sandbox backend keeps what it promises (its ``record()``, the README's platform table),
tested where it starts and skipped, with the reason, where it does not.

The promise is data; these tests hold each backend to it with a real child: the answers it
says are hidden cannot be read (the leak probe), the network it says is cut is cut, the
processes it says die with the child do, and limits and time-outs hold in all of them.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pytest
from gradescope_image import image_prefix
from test_sandbox import DETACH, survivors

from autograder.errors import UserError
from autograder.paths import MODULES, SOLUTIONS
from autograder.reference import Reference
from autograder.sandbox import jail
from autograder.sandbox.backend import probe
from autograder.sandbox.errors import LimitExceeded, TimedOut
from autograder.sandbox.limits import Limits
from autograder.sandbox.parent import Sandbox, Student
from autograder.sandbox.proof import find_leaks

PROBES = f'''

{DETACH}

def burn():
    while True:
        pass


def write_into(path):
    try:
        with open(path, "w") as file:
            file.write("x")
        return "written"
    except OSError as error:
        return type(error).__name__


def read_from(path):
    try:
        with open(path) as file:
            return file.read()
    except OSError as error:
        return type(error).__name__
'''
VARIANTS = ("BwrapUserns", "BwrapPrivileged", "Plain-nobody", "Plain", "Local")


def label(backend) -> str:
    return type(backend).__name__ + ("-nobody" if type(backend).__name__ == "Plain" and backend.nobody else "")


@functools.cache
def started() -> dict[str, object]:
    """The strongest variant of each backend that starts here (with the filter if it can)."""
    found = {}
    for backend in jail.candidates("auto"):
        if label(backend) not in found:
            result = probe(backend)
            if result is not None:
                found[label(backend)] = backend.describe(*result)
    return found


def backend_or_skip(variant: str):
    backend = started().get(variant)
    if backend is None:
        pytest.skip(f"the {variant} backend does not start here (missing tool, no user namespaces, "
                    "or the user nobody cannot run this Python)")
    return backend


def sources() -> dict[str, bytes]:
    found = {m: (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}
    found["logistic_regression"] += PROBES.encode()
    return found


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_record_is_the_data_it_promises(variant):
    backend = backend_or_skip(variant)
    record = backend.record()
    assert record["backend"] in ("bwrap", "plain", "local") and record["guarantees"]
    # As root, plain gives each child a user of its own: apart, and the answers closed to it.
    assert record["keeps_submissions_apart"] == (record["backend"] == "bwrap" or variant == "Plain-nobody")
    assert record["hides_answers"] == (record["backend"] == "bwrap" or variant == "Plain-nobody")


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_leak_probe_agrees_with_the_promise(variant):
    backend = backend_or_skip(variant)
    from autograder.sandbox.proof import answer_paths

    if backend.hides_answers:
        backend.protect_answers(answer_paths())
    leaks = find_leaks(backend)
    answers = [leak for leak in leaks if leak != "network"]
    assert bool(answers) == (not backend.hides_answers), leaks
    assert ("network" in leaks) == backend.network, leaks


@pytest.mark.parametrize("variant", VARIANTS)
def test_calls_time_outs_and_output_limits_hold(variant):
    backend = backend_or_skip(variant)
    reference = Reference()
    with Sandbox(sources(), reference, Limits(call_seconds=2, file_bytes=2**20), backend=backend) as sandbox:
        student = Student(sandbox)
        np.testing.assert_array_equal(student.logistic_regression.step(np.ones(2), np.ones(2), 0.5), [0.5, 0.5])
        with pytest.raises(TimedOut):
            student.call("logistic_regression", "burn")
        np.testing.assert_array_equal(student.logistic_regression.step(np.ones(2), np.ones(2), 0.5), [0.5, 0.5])
        with pytest.raises(LimitExceeded, match="more output"):
            _shout(sandbox)


def _shout(sandbox) -> None:
    code = b"\ndef shout():\n    import sys\n    for _ in range(3):\n        sys.stdout.write('x' * 2**20)\n" \
           b"    sys.stdout.flush()\n"
    with Sandbox({"logistic_regression": code}, None, sandbox.limits, backend=sandbox.backend) as loud:
        Student(loud).call("logistic_regression", "shout")


@pytest.mark.parametrize("variant", VARIANTS)
def test_processes_die_with_the_child_where_promised(variant):
    backend = backend_or_skip(variant)
    if not any("killed with it" in g for g in backend.guarantees):
        assert any("outlive" in m for m in backend.missing)
        pytest.skip(f"{variant} does not promise it (its record says so)")
    with Sandbox(sources(), Reference(), backend=backend) as sandbox:
        assert Student(sandbox).call("logistic_regression", "detach") == "detached"
    assert survivors() == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_submissions_kept_apart_where_promised(variant, tmp_path):
    backend = backend_or_skip(variant)
    reference = Reference()
    with Sandbox(sources(), reference, backend=backend) as other, Sandbox(sources(), reference,
                                                                            backend=backend) as sandbox:
        other.launch()
        _, src, work = jail.layout(other.scratch)
        student = Student(sandbox)
        outcome = student.call("logistic_regression", "write_into", str(work / "logistic_regression.py"))
        read = [student.call("logistic_regression", "read_from", str(folder / "logistic_regression.py"))
                for folder in (src, work)]
    if backend.keeps_submissions_apart:
        assert outcome != "written"
        assert all(text in ("PermissionError", "FileNotFoundError") for text in read), read
    else:
        assert any("next submission" in m for m in backend.missing)


def test_a_bad_sandbox_name_is_one_line(monkeypatch):
    with pytest.raises(UserError, match="AUTOGRADER_SANDBOX='chroot': expected one of auto, bwrap, plain, local"):
        jail.wanted_backend({"AUTOGRADER_SANDBOX": "chroot"})
    assert jail.wanted_backend({}) == "auto"


def test_bwrap_is_run_by_its_absolute_path():
    backend = started().get("BwrapUserns") or started().get("BwrapPrivileged")
    if backend is None:
        pytest.skip("bubblewrap does not start here")
    assert os.path.isabs(backend.bwrap)


@pytest.mark.slow
@pytest.mark.parametrize("forced", ["plain", "local", "plain-in-gradescope-image"])
def test_the_sandbox_suite_passes_in_each_forced_backend(forced):
    """tests/test_sandbox.py, whole, with the backend forced (its tests skip what it does not
    promise); in a Gradescope image (root, a Python nobody can run) also this file's tests of
    plain as root, whose children each run as a user of their own."""
    import subprocess
    import sys

    backend, _, where = forced.partition("-in-")
    if jail.candidates(backend) and not any(probe(b) is not None for b in jail.candidates(backend)):
        pytest.skip(f"the {backend} backend does not start here")
    files, wrap = [str(Path(__file__).with_name("test_sandbox.py"))], []
    if where:
        wrap = image_prefix() if os.geteuid() == 0 else None
        if wrap is None:
            pytest.skip("not root, or no way here to give the user nobody this Python")
        files += [f"{__file__}::{name}[Plain-nobody]" for name, test in globals().items()
                  if name.startswith("test_") and "variant" in test.__code__.co_varnames[:1]]
    env = {**os.environ, "AUTOGRADER_SANDBOX": backend}
    done = subprocess.run(wrap + [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider", "-rs"],
                          env=env, capture_output=True, text=True, timeout=900, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary, summary
    if where:  # each Plain-nobody test ran: none skipped for want of the variant
        assert "Plain-nobody backend does not start" not in done.stdout, done.stdout[-3000:]


def test_a_bad_sandbox_name_stops_check_in_one_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "autograder", "check"], env={**os.environ, "AUTOGRADER_SANDBOX": "chroot"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: AUTOGRADER_SANDBOX='chroot': expected one of auto, bwrap, plain, local"]


def test_a_proven_variant_is_the_one_worker_processes_choose(monkeypatch):
    """grade -j N: the workers inherit the variant the grader proved, and choose only it."""
    plain = started().get("Plain")
    if plain is None:
        pytest.skip("the plain backend does not start here")
    monkeypatch.setenv(jail.VARIANT, plain.variant())
    assert jail.choose("auto").variant() == plain.variant()


def test_probes_running_side_by_side_do_not_kill_each_other():
    """Each probe kills only what carries its own tag (they once shared one, and a worker's
    probe then failed whenever another finished first, giving it a weaker backend)."""
    from concurrent.futures import ThreadPoolExecutor

    backend = started().get("Plain") or started().get("Local")
    with ThreadPoolExecutor(4) as pool:
        assert all(result is not None for result in pool.map(lambda _: probe(backend), range(4)))


def test_a_child_as_nobody_is_tried_only_where_nobody_can_run_python():
    """The mode-bit test that skips the nobody variants agrees with nobody actually starting this
    Python and numpy (here, and, as root, in a Gradescope image where it can)."""
    import subprocess
    import sys

    from gradescope_image import nobody_can_run_python

    from autograder.sandbox.posix_backend import others_can_run_python

    if os.geteuid() != 0:
        pytest.skip("only root can start a process as nobody")
    assert others_can_run_python() == nobody_can_run_python()
    wrap = image_prefix()
    if wrap:
        code = "from autograder.sandbox.posix_backend import others_can_run_python as f; print(f())"
        done = subprocess.run(wrap + [sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                              cwd=Path(__file__).parent.parent)
        assert done.stdout.split() == ["True"], done.stderr
    variants = {label(b) for b in jail.candidates("auto")}
    assert ("Plain-nobody" in variants) == nobody_can_run_python()


def test_others_may_read_follows_every_folders_search_bit():
    import stat
    import tempfile

    from autograder.sandbox.posix_backend import others_may_read

    base = Path(tempfile.gettempdir()).resolve()
    if not all(p.stat().st_mode & stat.S_IXOTH for p in (base, *base.parents)):
        pytest.skip(f"{base} is not searchable by others")
    with tempfile.TemporaryDirectory(dir=base) as name:
        root = Path(name)
        root.chmod(0o755)
        for folder, mode in (("open", 0o755), ("closed", 0o750)):
            (root / folder).mkdir()
            (root / folder).chmod(mode)
            (root / folder / "lib.py").write_text("")
            (root / folder / "lib.py").chmod(0o644)
        (root / "open" / "private.py").write_text("")
        (root / "open" / "private.py").chmod(0o640)
        assert others_may_read([root / "open" / "lib.py"])
        assert not others_may_read([root / "open" / "lib.py", root / "closed" / "lib.py"])
        assert not others_may_read([root / "open" / "private.py"])
        assert not others_may_read([root / "open" / "missing.py"])
