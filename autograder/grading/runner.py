"""Grade one submission: read it, start its sandbox, run the grading tests, collect results.

The sandbox is started once per submission and reused by every test; the reference and the
scikit-learn baselines (recorded when the kit was released) are loaded once per process and
shared by all the submissions it grades.

A submission graded on its own (``check``, Gradescope's container) starts its child first, in
the background, and only then imports pytest and collects the tests: the sandbox's probe, the
child's interpreter and its numpy load meanwhile, on the other core or while this process
reads files. pytest is imported here only when tests run, for that reason, or in the background
while the probe's child starts (`preload_pytest`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.grading.results import SubmissionResult, TestResult, classify
from autograder.paths import GRADING_TESTS, HIDDEN_TESTS, PUBLIC_TESTS, SOLUTIONS
from autograder.sandbox.limits import Limits
from autograder.sandbox.parent import Sandbox, Student
from autograder.sandbox.proof import grading_record
from autograder.submission import Submission, read_submission

if TYPE_CHECKING:
    import pytest

ALL_TESTS = (PUBLIC_TESTS, HIDDEN_TESTS)


@functools.cache
def reference():
    """The reference for this process: live solutions in the kit, a recording in a student bundle."""
    if SOLUTIONS.is_dir():
        from autograder.reference import Reference

        return Reference()
    from autograder.grading.recording import RecordedReference

    return RecordedReference()


_PRELOAD: threading.Thread | None = None


def preload_pytest() -> None:
    """Import pytest and the grading plugin in a background thread: this process then spends
    the probe child's start (about a floor, mostly waiting) importing them instead of idle."""
    global _PRELOAD
    if _PRELOAD is None:
        def load() -> None:
            import pytest  # noqa: F401

            import autograder.grading.plugin  # noqa: F401

        _PRELOAD = threading.Thread(target=load, name="preload-pytest", daemon=True)
        _PRELOAD.start()


def run_tests(student, reference, folders: tuple[Path, ...] = ALL_TESTS,
              functions: frozenset[str] | None = None, before_tests=None) -> list[TestResult]:
    """Run the grading tests in ``folders`` against ``student``; one result per test.

    ``functions``: run only the tests that grade these (``"logistic_regression.gradients"``).
    ``before_tests``: called once the tests are collected, before the first one runs (to wait
    for a child started in the background).
    """
    if _PRELOAD is not None:
        _PRELOAD.join()
    import pytest

    from autograder.grading.plugin import GradingPlugin

    plugin, errors = GradingPlugin(student, reference), _CollectionErrors(before_tests)
    args = [*map(str, folders), "-c", str(GRADING_TESTS / "pytest.ini"), "--rootdir", str(GRADING_TESTS),
            "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "--capture=no", *LEAN]
    # Third-party pytest plugins (hypothesis, benchmark...) have no business here and cost seconds.
    with _environ(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"), contextlib.redirect_stdout(io.StringIO()) as printed:
        code = pytest.main(args, plugins=[plugin, errors, *([_Only(functions)] if functions is not None else [])])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        detail = "\n".join([*errors.reports, printed.getvalue()])
        raise RuntimeError(f"the grading tests could not run (pytest exit {int(code)}):\n{detail[-2000:]}")
    return plugin.results


# Per submission, pytest's own reporting cost more than the tests (benchmarks/RESULTS.md): the
# plugin reads each failure from its exception, so pytest's traceback text (tens of ms per
# failed test) is never built, and the unraisable/thread-exception hooks, which run five full
# garbage collections at the end of every session, are off. So are the built-in plugins the
# grading tests never use (they take no built-in fixture, log nothing, write no report file),
# each of which hooks into every session and every test. The grading tests state their checks
# through the plugin's helpers, never a bare `assert`, so rewriting them (about 0.1 s a process
# where no bytecode cache is written) buys nothing: --assert=plain.
UNUSED_PLUGINS = ("unraisableexception", "threadexception", "doctest", "junitxml", "pastebin", "legacypath",
                  "stepwise", "logging", "faulthandler", "setuponly", "setupplan", "monkeypatch", "tmpdir",
                  "recwarn", "python_path")
LEAN = ("--tb=no", "--assert=plain", *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")))


class _CollectionErrors:
    """Keeps why a grading-test module could not be collected (a grader bug), since --tb=no
    leaves it out of pytest's printed summary."""

    def __init__(self, before_tests=None) -> None:
        self.reports: list[str] = []
        self._before_tests = before_tests

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.reports.append(str(report.longrepr))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self._before_tests is not None:
            self._before_tests()


class _Only:
    """Deselects the grading tests of every function but the chosen ones."""

    def __init__(self, functions: frozenset[str]) -> None:
        self.functions = functions

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        keep = [i for i in items if (m := i.get_closest_marker("grades")) and m.args[0] in self.functions]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


@contextlib.contextmanager
def _environ(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def grade_submission(path: Path, name: str | None = None, *, folders: tuple[Path, ...] = ALL_TESTS,
                     limits: Limits | None = None, hide: tuple[Path, ...] = (),
                     leaderboard: bool = False, functions: frozenset[str] | None = None) -> SubmissionResult:
    """Grade the submission at ``path`` (folder, notebook or zip) with the tests in ``folders``
    (only those of ``functions`` when given); with ``leaderboard``, also measure its entry for
    the class leaderboard."""
    start = time.perf_counter()
    result = grade_read(read_submission(path, name), folders=folders, limits=limits, hide=hide,
                        leaderboard=leaderboard, functions=functions)
    result.execution_time = round(time.perf_counter() - start, 3)
    return result


def grade_read(submission: Submission, *, folders: tuple[Path, ...] = ALL_TESTS, limits: Limits | None = None,
               hide: tuple[Path, ...] = (), leaderboard: bool = False,
               sandbox: Sandbox | None = None, functions: frozenset[str] | None = None) -> SubmissionResult:
    """Grade a submission already read (its modules' sources): what a Dask worker is sent.

    ``sandbox``: one made by `open_sandbox` for this submission ahead of time, with these
    ``limits`` and ``hide`` (closed here). A sandbox whose child is not running yet gets it
    started in the background, so that its start overlaps pytest's collection.
    """
    start = time.perf_counter()
    starting = None
    if sandbox is None:
        preload_pytest()  # while the backend is chosen (a probe child) if not yet
    sandbox = sandbox or open_sandbox(submission, limits, hide, launch=False)
    if sandbox.process is None:  # not launched ahead: start it while pytest is imported and collects
        starting = threading.Thread(target=sandbox.prestart, name="sandbox-prestart")
        starting.start()
    with sandbox:
        try:
            tests = run_tests(Student(sandbox), reference(), folders, functions,
                              before_tests=starting and starting.join)
        finally:
            if starting is not None:
                starting.join()  # never close a sandbox whose child is still being spawned
        if leaderboard:
            from autograder.grading.leaderboard import leaderboard_entry

            entries = leaderboard_entry(Student(sandbox))
        else:
            entries = []
    result = SubmissionResult(submission.name, tests, execution_time=round(time.perf_counter() - start, 3),
                              output=submission.notes, leaderboard=entries, sandbox=grading_record())
    classify(result, submission.status, submission.complete)
    return result


def open_sandbox(submission: Submission, limits: Limits | None = None, hide: tuple[Path, ...] = (),
                 launch: bool = True) -> Sandbox:
    """The submission's sandbox, with its child already starting (`Sandbox.prestart`) unless
    ``launch`` is False, so its interpreter and numpy load while pytest collects the tests, or
    while the previous submission is graded."""
    sandbox = Sandbox(submission.sources, reference(), limits, hide=hide)
    if launch:
        sandbox.prestart()
    return sandbox
