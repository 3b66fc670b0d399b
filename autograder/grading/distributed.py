"""Grade on a Dask cluster the course runs: ``grade --scheduler ADDRESS``.

The machine running ``grade`` reads each submission (reading never executes anything) and
sends its three modules' sources to a worker; the worker grades them exactly as a local run
does, in its own sandbox, and sends the result back as data; ``grade`` writes every file.
So no file system needs to be shared: each worker needs the kit installed (the same solutions
and grading tests: checked before grading starts) and, for full isolation, bubblewrap.

Before the first submission is sent, every worker reports its sandbox and a fingerprint of
its kit; grading stops with one line when a worker differs from the others or from this
machine's kit, so a batch is never graded half under weaker isolation or other tests.

Submissions are sent a few at a time (twice the workers' threads in flight), so memory here
stays flat however large the batch. A worker grades one submission at a time whatever its
thread count (pytest keeps global state); start workers with one thread and one process per
core: ``dask worker ADDRESS --nworkers N --nthreads 1``.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from autograder.errors import UserError
from autograder.grading.results import SubmissionResult, failed_result
from autograder.paths import DATA, KIT_ROOT, SOLUTIONS
from autograder.submission import Submission, read_submission

# pytest.main and the runner's stdout redirection are process-wide: one grading per worker process.
_ONE_AT_A_TIME = threading.Lock()
CONNECT_SECONDS = 30


def connect(address: str):
    """A ``distributed.Client`` for the scheduler at ``address``, or a one-line UserError."""
    try:
        from distributed import Client
    except ImportError:
        raise UserError("--scheduler needs the Dask distributed package: "
                        "pip install 'optim-course-kit[distributed]'") from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise UserError(f"--scheduler {address}: cannot reach a Dask scheduler there ({error})") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as error:
        client.close()
        raise UserError(f"--scheduler {address}: no worker joined within {CONNECT_SECONDS} s ({error})") from None
    return client


FINGERPRINTED = (".py", ".csv", ".ini", ".md")  # code, data, pytest settings, the rubric and datasheet


def kit_fingerprint() -> str:
    """A hash of what decides a grade or a sweep's numbers: the grader's code, the solutions, the
    grading tests and the data (file names and bytes)."""
    digest = hashlib.sha256()
    for folder in (KIT_ROOT / "autograder", SOLUTIONS, DATA):
        files = sorted(p for p in folder.rglob("*") if p.suffix in FINGERPRINTED) if folder.is_dir() else []
        for path in files:
            digest.update(str(path.relative_to(KIT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def worker_setup() -> dict[str, str]:
    """Runs on each worker: its sandbox's guarantees and its kit's fingerprint."""
    from autograder.sandbox.jail import isolation
    from autograder.sandbox.proof import guard_grading

    leaks = guard_grading(allow_unsafe=True)["leaks"]  # refused, unless allowed, by check_workers
    return {"sandbox": isolation().summary(), "kit": kit_fingerprint(), "leaks": leaks}


def check_workers(client, allow_unsafe: bool = False) -> str:
    """Every worker's sandbox and kit must match, and keep the answers out of reach (unless
    ``allow_unsafe``); returns the common sandbox summary."""
    setups = client.run(worker_setup)
    if not setups:
        raise UserError("the Dask cluster has no workers")
    local = kit_fingerprint()
    stale = sorted(worker for worker, setup in setups.items() if setup["kit"] != local)
    if stale:
        raise UserError(f"{len(stale)} worker(s) have another version of the kit (grader, solutions, tests or data) "
                        f"({', '.join(stale[:3])}{'...' if len(stale) > 3 else ''}): install the same kit everywhere")
    leaking = sorted({f"{worker}: {', '.join(setup['leaks'])}" for worker, setup in setups.items() if setup["leaks"]})
    if leaking and not allow_unsafe:
        raise UserError(f"a probe child on {len(leaking)} worker(s) reaches what it must not ({leaking[0]}): "
                        "install bubblewrap on the workers, or pass --allow-unsafe")
    sandboxes = {setup["sandbox"] for setup in setups.values()}
    if len(sandboxes) > 1:
        modes = sorted({f"{worker}: {setup['sandbox'].splitlines()[0]}" for worker, setup in setups.items()})
        raise UserError("the workers' sandboxes differ (" + "; ".join(modes[:4]) + "): "
                        "install bubblewrap on every worker, or none")
    return f"{len(setups)} Dask worker(s), each with\n{sandboxes.pop()}"


def grade_on_worker(submission: Submission, hide: tuple[Path, ...], leaderboard: bool) -> SubmissionResult:
    """Runs on a worker: grade the sources as a local run does; a grader failure is a result too."""
    from autograder.grading.runner import grade_read

    with _ONE_AT_A_TIME:
        try:
            return grade_read(submission, hide=hide, leaderboard=leaderboard)
        except Exception as error:  # noqa: BLE001  (the submission must stay in the gradebook)
            return failed_result(submission.name, error)


def grade_on_cluster(client, submissions: dict[str, Path], hide: tuple[Path, ...],
                     leaderboard: bool = False) -> Iterator[SubmissionResult]:
    """Grade every submission on the cluster; yields results as they finish (in any order)."""
    from distributed import as_completed


    batch = uuid.uuid4().hex[:8]
    queue = iter(sorted(submissions.items()))
    in_flight = as_completed(loop=client.loop)  # not the default client: the caller's
    names = {}

    def send_next() -> bool:
        entry = next(queue, None)
        if entry is None:
            return False
        name, path = entry
        future = client.submit(grade_on_worker, read_submission(path, name), hide, leaderboard,
                               key=f"grade-{batch}-{name}", pure=False)
        names[future.key] = name
        in_flight.add(future)
        return True

    window = 2 * max(1, sum(client.nthreads().values()))
    for _ in range(window):
        if not send_next():
            break
    for future in in_flight:
        name = names.pop(future.key)
        try:
            result = future.result()
        except Exception as error:  # noqa: BLE001  (a worker died on it repeatedly: say so, keep going)
            result = failed_result(name, error)
        future.release()
        send_next()
        yield result
