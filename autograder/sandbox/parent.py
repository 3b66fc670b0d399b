"""The grader's side of the sandbox: one child per submission, spoken to in data only.

A :class:`Sandbox` starts the child once (it imports numpy before it sees student code),
sends it calls and answers its callbacks into the reference; after a crash or a timeout the
child is killed, together with everything it started, and a fresh one takes the next call.
:class:`Student` wraps it in the interface the grading tests use::

    student.logistic_regression.gradients(X, y, theta)
    student.call("logistic_regression", "gradient_descent", X, y, swap=("loss", "gradients", "step"))
    opt = student.optimizers.Adam(lr=0.1); opt.update(params, grads)

Nothing from the child is trusted: replies are data (JSON, and raw array bytes whose dtype
and size ``wire`` checks), and a callback is answered only for the reference functions the current call
swapped in and the reference optimizers it was given; anything else the child asks for is
refused, so student code cannot use the grader's reference as an oracle.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import math
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

from autograder.paths import KIT_ROOT, MODULES
from autograder.sandbox import jail, wire
from autograder.sandbox.backend import Backend
from autograder.sandbox.errors import (
    BadOutput,
    Crashed,
    LimitExceeded,
    MissingName,
    NotImplementedYet,
    Raised,
    StudentError,
    TimedOut,
)
from autograder.sandbox.limits import Limits
from autograder.sandbox.scratch import new_scratch

HARNESS = Path(__file__).resolve().parent
HARNESS_FILES = (HARNESS / "wire.py", HARNESS / "child.py")
# A function that used up the call time limit this many times is not run again: a hang must
# cost its own tests, not the submission's whole time budget (and with it the other functions).
STRIKES = 2
# Built by name: Windows has neither SIGXCPU, SIGXFSZ nor SIGKILL.
SIGNAL_REASONS = {number: reason for number, reason in (
    (getattr(signal, "SIGXCPU", None), "used up its CPU time limit"),
    (getattr(signal, "SIGXFSZ", None), "wrote more output than allowed"),
    (getattr(signal, "SIGSEGV", None), "crashed (SIGSEGV)"),
    (getattr(signal, "SIGKILL", None), "was killed (SIGKILL: out of memory?)"),
    (getattr(signal, "SIGABRT", None), "aborted (SIGABRT)"),
) if number is not None}


class ReferenceOptimizer:
    """A reference optimizer handed to student code: the child gets a proxy whose ``update``
    calls back into this process, so the student's ``gradient_descent`` is graded alone."""

    def __init__(self, name: str, **hyperparameters: float) -> None:
        self.name = name
        self.hyperparameters = hyperparameters


_SPAWNER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")


class SandboxFailure(RuntimeError):
    """The sandbox itself failed (before any student code ran): the grader's problem, not the student's."""


class Sandbox:
    """One submission's child process.

    Parameters
    ----------
    sources : ``{module name: source bytes}`` of the submitted modules (missing ones absent)
    reference : object with ``function(module, name)`` and ``new(module, name, **kwargs)``,
        answering the child's callbacks (see ``autograder.reference``)
    limits : the resource limits; default ``Limits()`` (the defaults, or the environment's)
    hide : extra folders the child must not see (the output folder, the submissions)
    backend : the sandbox backend (`jail.isolation()` by default)
    """

    def __init__(self, sources: dict[str, bytes], reference, limits: Limits | None = None,
                 hide: tuple[Path, ...] = (), backend: Backend | None = None) -> None:
        limits = Limits() if limits is None else limits
        self.backend = jail.isolation() if backend is None else backend
        self.sources = {name: data for name, data in sources.items() if name in MODULES}
        self.reference = reference
        self.limits = limits
        self.hide = (KIT_ROOT, *hide)
        self.scratch = new_scratch()
        self.tag = uuid.uuid4().hex
        self.generation = 0  # counts starts: objects of an earlier child are gone
        self._allowed: set[str] = set()  # the callbacks the current request may make
        self.deadline = math.inf  # the submission's time budget: set when its first child is ready
        self.process: subprocess.Popen | None = None
        self._ready = False  # the running child has said it is ready
        self.channel: wire.Channel | None = None
        self.loaded: set[str] = set()
        self.broken: dict[str, StudentError] = {}  # modules that hung or crashed while loading
        self.last_warnings: list[dict] = []  # what the last call raised, when it asked (see Student.call)
        self.timeouts: dict[str, int] = {}  # "module.function" -> calls that hit the time limit
        self.parent_objects: dict[int, object] = {}
        self._ids = itertools.count()

    # -- life cycle ------------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def launch(self) -> None:
        """Start a child on a fresh copy of the modules (a crashed child may have left junk), if
        none is running, without waiting for it: its interpreter and numpy load on another core
        while the grader does other work (collects the tests, grades the previous submission).
        The next request waits until it is ready, or raises :class:`SandboxFailure` if it does
        not come up (no student code has run then)."""
        if self.process is not None:
            return
        self.backend.prepare(self.scratch, self.sources, HARNESS_FILES)
        # Spawned from one long-lived thread: the child's parent-death signal fires when the
        # *thread* that forked it ends, and sweeps start children from short-lived worker threads.
        self.process = _SPAWNER.submit(self.backend.spawn, self.scratch, tuple(self.sources), self.hide,
                                       self.limits, self.tag).result()
        self.generation += 1
        self.channel = self.backend.channel(self.process)
        self.loaded = set()
        self._ready = False

    def prestart(self) -> None:
        """`launch`, leaving a failure to the first request, which tries again and reports it."""
        with contextlib.suppress(OSError):
            self.launch()

    def _await_ready(self) -> None:
        deadline = time.monotonic() + self.limits.startup_seconds
        try:
            header, _ = self.channel.receive(deadline)
        except (TimeoutError, EOFError, ValueError) as error:
            self.kill()
            raise SandboxFailure(f"the sandbox did not start ({type(error).__name__}; "
                                 f"mode {self.backend.name})") from None
        if header.get("kind") != "ready":
            self.kill()
            raise SandboxFailure("the sandbox did not start (no ready message)")
        self._ready = True
        if self.deadline == math.inf:  # the budget runs from the first ready child, however early it was launched
            self.deadline = time.monotonic() + self.limits.submission_seconds

    def kill(self) -> None:
        """Kill the child and every process it started (the backend knows how)."""
        process, self.process, self.channel = self.process, None, None
        if process is not None:
            self.backend.kill(process, self.tag)

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.scratch, ignore_errors=True)

    # -- requests --------------------------------------------------------------------------
    def request(self, op: str, module: str | None = None, name: str | None = None, args: tuple = (),
                kwargs: dict | None = None, *, timeout: float | None = None, **options) -> tuple[object, object]:
        """Run one request; returns ``(value, inputs_after)``, raising a :class:`StudentError`.

        ``options`` go to the child (``swap``, ``inputs_after``, ``id``), except ``key``: the
        name a method's time-outs are counted under (a function's is ``module.name``).
        """
        if module in self.broken:
            raise self.broken[module]
        key = options.pop("key", None) or (f"{module}.{name}" if op in ("call", "new") else None)
        if key is not None and self.timeouts.get(key, 0) >= STRIKES:
            raise TimedOut(f"did not finish within the time limit {STRIKES} times already, so it is not run again "
                           "(an endless loop?)")
        if self.process is None:
            self._check_budget()
            self.launch()
        if not self._ready:
            self._await_ready()
        if module and module not in self.loaded and op != "load":
            try:
                self.request("load", module, timeout=timeout)
            except (TimedOut, Crashed, LimitExceeded) as error:
                self.broken[module] = MissingName(f"{module}.py could not be loaded: it {error}")
                raise self.broken[module] from None
            self.loaded.add(module)
        blobs: list[bytes] = []
        handles: list[str] = []
        header = {"op": op, "module": module, "name": name, **options,
                  "args": wire.encode(list(self._outgoing(args, handles)), blobs),
                  "kwargs": wire.encode(self._outgoing(kwargs or {}, handles), blobs)}
        # The only callbacks this call may make: the reference functions it swapped in, and
        # update() of the reference optimizers passed to it.
        self._allowed = {f"{module}.{swapped}" for swapped in options.get("swap", ())} | set(handles)
        call_seconds = self.limits.call_seconds if timeout is None else timeout
        deadline = min(time.monotonic() + call_seconds, self.deadline)
        try:
            self.channel.send(header, blobs, deadline)
            while True:
                reply, reply_blobs = self.channel.receive(deadline)
                if not isinstance(reply, dict) or reply.get("kind") != "callback":
                    break
                self._answer(reply, reply_blobs, deadline)
        except TimeoutError:
            self.kill()
            if time.monotonic() >= self.deadline:
                raise LimitExceeded(f"used up the submission's time budget ({self.limits.submission_seconds:g} s)") from None
            if key is not None:
                self.timeouts[key] = self.timeouts.get(key, 0) + 1
            raise TimedOut(f"did not finish within {call_seconds:g} s (an endless loop, or far too much work?)") from None
        except (EOFError, BrokenPipeError):  # it died (before reading the request, or before answering)
            raise self._death() from None
        except Exception as error:  # noqa: BLE001  (whatever the child wrote: bad JSON, deep nesting...)
            self.kill()
            raise BadOutput(f"sent a malformed reply ({type(error).__name__})") from None
        finally:
            self._allowed = set()
        self.last_warnings = _warnings_in(reply)
        return self._outcome(reply, reply_blobs)

    def _outcome(self, reply: dict, blobs: list[bytes]) -> tuple[object, object]:
        kind = reply.get("kind")
        if kind == "result":
            try:
                value = wire.decode(reply["value"], blobs)
                inputs = wire.decode(reply["inputs"], blobs) if "inputs" in reply else None
            except Exception as error:  # noqa: BLE001  (a forged reply: bad tags, bad arrays, deep nesting)
                raise BadOutput(f"returned a value that could not be read ({type(error).__name__})") from None
            return value, inputs
        if kind != "error":
            raise BadOutput("sent a malformed reply")
        category, message = str(reply.get("category")), str(reply.get("message", ""))[:300]
        if category == "not_implemented":
            raise NotImplementedYet("is not implemented yet (it still raises NotImplementedError)")
        if category in ("missing", "load_failed"):
            raise MissingName(message + (f" ({reply['where']})" if reply.get("where") else ""))
        if category == "memory":
            raise LimitExceeded(f"ran out of memory (limit {self.limits.memory_bytes / 2**30:g} GiB)")
        if category == "output":
            raise LimitExceeded(f"wrote more output than allowed (files and prints: at most "
                                f"{self.limits.file_bytes / 2**20:g} MiB each)")
        if category == "disk":
            raise LimitExceeded(f"filled its work folder ({self.limits.scratch_bytes / 2**20:g} MiB)")
        raise Raised(str(reply.get("type", "Exception"))[:80], message, str(reply.get("where", ""))[:120])

    def _answer(self, reply: dict, blobs: list[bytes], deadline: float) -> None:
        """Run a callback into the reference and send its result back (only the allowed ones)."""
        name = str(reply.get("name"))
        try:
            if name not in self._allowed:
                raise PermissionError(f"{name[:80]} is not available to this call")
            args = wire.decode(reply["args"], blobs)
            kwargs = wire.decode(reply["kwargs"], blobs)
            if name.startswith("handle:"):
                target = self.parent_objects[int(name[len("handle:"):].removesuffix(".update"))]
                target.update(*args, **kwargs)
                value = args[0]  # update(params, grads) changes params: send them back
            else:
                module, function = name.split(".", 1)
                value = self.reference.function(module, function)(*args, **kwargs)
            out: list[bytes] = []
            header = {"kind": "result", "value": wire.encode(value, out)}
        except Exception as error:  # noqa: BLE001  (bad arguments from student code: tell the child)
            out, header = [], {"kind": "error", "message": f"{type(error).__name__}: {error}"[:300]}
        self.channel.send(header, out, deadline)

    def _outgoing(self, value, handles: list[str]):
        """Replace reference optimizers by handles the child can call back (their ``update`` only)."""
        if isinstance(value, ReferenceOptimizer):
            handle_id = next(self._ids)
            self.parent_objects[handle_id] = self.reference.new("optimizers", value.name, **value.hyperparameters)
            handles.append(f"handle:{handle_id}.update")
            return wire.Handle(handle_id, f"optimizers.{value.name}", side="parent")
        if isinstance(value, dict):
            return {k: self._outgoing(v, handles) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._outgoing(v, handles) for v in value)
        return value

    def _death(self) -> StudentError:
        process = self.process
        if process is not None:
            # The pipe closes as the child dies, a moment before bubblewrap or the reaper (which
            # first kills what the child left behind) exits with its status: wait for that status.
            try:
                process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        code = process.returncode if process else None
        number = -code if code is not None and code < 0 else (code - 128 if code and code > 128 else None)
        if number is not None and number == getattr(signal, "SIGXCPU", None):
            return LimitExceeded("used up its CPU time limit")
        if number is not None and number == getattr(signal, "SIGXFSZ", None):
            return LimitExceeded(f"wrote more output than allowed (at most {self.limits.file_bytes / 2**20:g} MiB)")
        if number is not None and number in SIGNAL_REASONS:
            return Crashed(SIGNAL_REASONS[number])
        return Crashed(f"exited (code {code}) without returning a result")

    def check_alive(self, generation: int, label: str) -> None:
        """Refuse to use an object made by an earlier child (it died with it)."""
        if generation != self.generation or self.process is None:
            raise Crashed(f"{label} is gone: the sandbox was restarted after an earlier failure "
                          "(see that test's message)")

    def _check_budget(self) -> None:
        if time.monotonic() >= self.deadline:
            raise LimitExceeded(f"used up the submission's time budget ({self.limits.submission_seconds:g} s)")


class Student:
    """The submission as the grading tests see it: every call runs in the sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def call(self, module: str, function: str, *args, swap: tuple[str, ...] = (), inputs_after: bool = False,
             timeout: float | None = None, strikes: str | None = None, warnings: bool = False, **kwargs):
        """``module.function(*args, **kwargs)`` in the child; ``swap`` names run the reference.

        ``strikes``: the name its time-outs are counted under, if not ``module.function``.
        ``warnings``: also return the warnings the call raised, as a last item: a list of
        ``{"category": name, "runtime": is a RuntimeWarning, "message": text}``.
        """
        options = {"warnings": True} if warnings else {}
        value, inputs = self._sandbox.request("call", module, function, args, kwargs, timeout=timeout,
                                              swap=list(swap), inputs_after=inputs_after, key=strikes, **options)
        result = (value, tuple(inputs[0]), inputs[1]) if inputs_after else value
        return (result, self._sandbox.last_warnings) if warnings else result

    def new(self, module: str, name: str, *args, **kwargs) -> RemoteObject:
        value, _ = self._sandbox.request("new", module, name, args, kwargs)
        if not isinstance(value, wire.Handle) or value.side != "child":
            raise BadOutput(f"{module}.{name}(...) did not give an object")
        return RemoteObject(self._sandbox, value, f"{module}.{name}")

    def __getattr__(self, module: str) -> _ModuleProxy:
        if module not in MODULES:
            raise AttributeError(module)
        return _ModuleProxy(self, module)


def _warnings_in(reply: object) -> list[dict]:
    """The warnings a child's reply lists, as plain data (a hostile child can only lie about its own)."""
    listed = reply.get("warnings") if isinstance(reply, dict) else None
    if not isinstance(listed, list):
        return []
    return [{"category": str(w.get("category", "Warning"))[:80], "runtime": w.get("runtime") is True,
             "message": str(w.get("message", ""))[:300]} for w in listed[:20] if isinstance(w, dict)]


class _ModuleProxy:
    def __init__(self, student: Student, module: str) -> None:
        self._student = student
        self._module = module

    def __getattr__(self, name: str):
        student, module = self._student, self._module
        if name[:1].isupper():  # a class: calling it builds a remote instance
            return lambda *args, **kwargs: student.new(module, name, *args, **kwargs)
        return lambda *args, **kwargs: student.call(module, name, *args, **kwargs)


class RemoteObject:
    """An instance living in the child. Calling a method sends its arguments; dicts passed in
    (``params``, ``grads``) get their entries replaced by their state after the call, as if
    the method had run here."""

    def __init__(self, sandbox: Sandbox, handle: wire.Handle, label: str) -> None:
        self._sandbox = sandbox
        self._handle = handle
        self._generation = sandbox.generation
        self.label = label

    def __getattr__(self, method: str):
        if method.startswith("__"):
            raise AttributeError(method)

        def call(*args, timeout: float | None = None, **kwargs):
            self._sandbox.check_alive(self._generation, f"the {self.label} object")
            value, inputs = self._sandbox.request(
                "method", None, method, args, kwargs, timeout=timeout, id=self._handle.handle_id, inputs_after=True,
                key=f"{self.label}.{method}")
            if type(inputs) is not list or len(inputs) != 2 or type(inputs[0]) is not list:
                raise BadOutput(f"{self.label}.{method} sent a malformed reply")
            for sent, after in zip(args, inputs[0]):
                if isinstance(sent, dict) and isinstance(after, dict):
                    sent.clear()
                    sent.update(after)
            return value

        return call



