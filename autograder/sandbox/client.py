"""The grader's side of the sandbox: one child per submission, spoken to in data only.

A :class:`Sandbox` starts the child once (it imports numpy before it sees student code),
sends it calls and answers its callbacks into the reference; after a crash or a timeout the
child is killed, together with everything it started, and a fresh one takes the next call.
:class:`Student` wraps it in the interface the grading tests use::

    student.logistic_regression.gradients(X, y, theta)
    student.call("logistic_regression", "gradient_descent", X, y, swap=("loss", "gradients", "step"))
    opt = student.optimizers.Adam(lr=0.1); opt.update(params, grads)
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from autograder.paths import KIT_ROOT, MODULES
from autograder.sandbox import jail, wire
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
from autograder.sandbox.jail import Limits

HARNESS = Path(__file__).resolve().parent
SIGNAL_REASONS = {
    signal.SIGXCPU: "used up its CPU time limit",
    signal.SIGXFSZ: "wrote more output than allowed",
    signal.SIGSEGV: "crashed (SIGSEGV)",
    signal.SIGKILL: "was killed (SIGKILL: out of memory?)",
    signal.SIGABRT: "aborted (SIGABRT)",
}


class ReferenceOptimizer:
    """A reference optimizer handed to student code: the child gets a proxy whose ``update``
    calls back into this process, so the student's ``gradient_descent`` is graded alone."""

    def __init__(self, name: str, **hyperparameters: float) -> None:
        self.name = name
        self.hyperparameters = hyperparameters


class Sandbox:
    """One submission's child process.

    Parameters
    ----------
    sources : ``{module name: source bytes}`` of the submitted modules (missing ones absent)
    reference : object with ``function(module, name)`` and ``new(module, name, **kwargs)``,
        answering the child's callbacks (see ``autograder.reference``)
    limits : the resource limits
    hide : extra folders the child must not see (the output folder, the submissions)
    """

    def __init__(self, sources: dict[str, bytes], reference, limits: Limits = Limits(),
                 hide: tuple[Path, ...] = ()) -> None:
        self.sources = {name: data for name, data in sources.items() if name in MODULES}
        self.reference = reference
        self.limits = limits
        self.hide = (KIT_ROOT, *hide)
        self.scratch = Path(tempfile.mkdtemp(prefix="autograder-"))
        self.scratch.chmod(0o755)  # the child's user must reach the harness (read-only to it)
        self.tag = uuid.uuid4().hex
        self.deadline = time.monotonic() + limits.submission_seconds
        self.process: subprocess.Popen | None = None
        self.channel: wire.Channel | None = None
        self.loaded: set[str] = set()
        self.broken: dict[str, StudentError] = {}  # modules that hung or crashed while loading
        self.parent_objects: dict[int, object] = {}
        self._ids = itertools.count()

    # -- life cycle ------------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Start a fresh child on a fresh copy of the modules (a crashed child may have left junk)."""
        harness, work = self.scratch / "harness", self.scratch / "work"
        for folder in (harness, work):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        for name in ("wire.py", "child.py"):
            shutil.copyfile(HARNESS / name, harness / name)
        for name, data in self.sources.items():
            (work / f"{name}.py").write_bytes(data)
        (self.scratch / "output.log").write_bytes(b"")
        jail.prepare_scratch([work, self.scratch / "output.log"])
        self.process = subprocess.Popen(
            jail.command(harness, self.scratch, work, self.hide),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=work, env=jail.environment(self.scratch, self.tag),
            preexec_fn=jail.preexec(self.limits), start_new_session=True,
        )
        os.set_blocking(self.process.stdin.fileno(), False)
        self.channel = wire.Channel(self.process.stdout.fileno(), self.process.stdin.fileno())
        self.loaded = set()
        deadline = time.monotonic() + self.limits.startup_seconds
        try:
            header, _ = self.channel.receive(deadline)
        except (TimeoutError, EOFError, ValueError) as error:
            self.kill()
            raise Crashed(f"the sandbox did not start ({type(error).__name__})") from None
        if header.get("kind") != "ready":
            self.kill()
            raise BadOutput("the sandbox did not start")

    def kill(self) -> None:
        """Kill the child and every process it started."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                stream.close()
            if jail.isolation().mode == "plain":
                jail.kill_tagged(self.tag)
        self.process = None
        self.channel = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.scratch, ignore_errors=True)

    # -- requests --------------------------------------------------------------------------
    def request(self, op: str, module: str | None = None, name: str | None = None, args: tuple = (),
                kwargs: dict | None = None, *, timeout: float | None = None, **options) -> tuple[object, object]:
        """Run one request; returns ``(value, inputs_after)``, raising a :class:`StudentError`."""
        if module in self.broken:
            raise self.broken[module]
        if self.process is None:
            self._check_budget()
            self.start()
        if module and module not in self.loaded and op != "load":
            try:
                self.request("load", module, timeout=timeout)
            except (TimedOut, Crashed, LimitExceeded) as error:
                self.broken[module] = MissingName(f"{module}.py could not be loaded: it {error}")
                raise self.broken[module] from None
            self.loaded.add(module)
        blobs: list[bytes] = []
        header = {"op": op, "module": module, "name": name, **options,
                  "args": wire.encode(list(self._outgoing(args)), blobs),
                  "kwargs": wire.encode(self._outgoing(kwargs or {}), blobs)}
        call_seconds = self.limits.call_seconds if timeout is None else timeout
        deadline = min(time.monotonic() + call_seconds, self.deadline)
        try:
            self.channel.send(header, blobs, deadline)
            while True:
                reply, reply_blobs = self.channel.receive(deadline)
                if reply.get("kind") != "callback":
                    break
                self._answer(reply, reply_blobs, deadline)
        except TimeoutError:
            self.kill()
            if time.monotonic() >= self.deadline:
                raise LimitExceeded(f"used up the submission's time budget ({self.limits.submission_seconds:g} s)") from None
            raise TimedOut(f"did not finish within {call_seconds:g} s (an endless loop, or far too much work?)") from None
        except EOFError:
            raise self._death() from None
        except (ValueError, KeyError, TypeError, IndexError, OSError) as error:
            self.kill()
            raise BadOutput(f"sent a malformed reply ({type(error).__name__})") from None
        return self._outcome(reply, reply_blobs)

    def _outcome(self, reply: dict, blobs: list[bytes]) -> tuple[object, object]:
        kind = reply.get("kind")
        if kind == "result":
            try:
                value = wire.decode(reply["value"], blobs)
                inputs = wire.decode(reply["inputs"], blobs) if "inputs" in reply else None
            except (ValueError, KeyError, TypeError, IndexError, OSError) as error:
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
        raise Raised(str(reply.get("type", "Exception"))[:80], message, str(reply.get("where", ""))[:120])

    def _answer(self, reply: dict, blobs: list[bytes], deadline: float) -> None:
        """Run a callback into the reference and send its result back."""
        name = str(reply.get("name"))
        try:
            args = wire.decode(reply["args"], blobs)
            kwargs = wire.decode(reply["kwargs"], blobs)
            if name.startswith("handle:"):
                handle_id, method = name[len("handle:"):].split(".", 1)
                target = self.parent_objects[int(handle_id)]
                getattr(target, method)(*args, **kwargs)
                value = args[0]  # update(params, grads) changes params: send them back
            else:
                module, function = name.split(".", 1)
                value = self.reference.function(module, function)(*args, **kwargs)
            out: list[bytes] = []
            header = {"kind": "result", "value": wire.encode(value, out)}
        except Exception as error:  # noqa: BLE001  (bad arguments from student code: tell the child)
            out, header = [], {"kind": "error", "message": f"{type(error).__name__}: {error}"[:300]}
        self.channel.send(header, out, deadline)

    def _outgoing(self, value):
        """Replace reference optimizers by handles the child can call back."""
        if isinstance(value, ReferenceOptimizer):
            handle_id = next(self._ids)
            self.parent_objects[handle_id] = self.reference.new("optimizers", value.name, **value.hyperparameters)
            return wire.Handle(handle_id, f"optimizers.{value.name}", side="parent")
        if isinstance(value, dict):
            return {k: self._outgoing(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._outgoing(v) for v in value)
        return value

    def _death(self) -> StudentError:
        process = self.process
        self.kill()
        code = process.returncode if process else None
        number = -code if code is not None and code < 0 else (code - 128 if code and code > 128 else None)
        if number == signal.SIGXCPU:
            return LimitExceeded("used up its CPU time limit")
        if number == signal.SIGXFSZ:
            return LimitExceeded("wrote more output than allowed")
        if number is not None and number in SIGNAL_REASONS:
            return Crashed(SIGNAL_REASONS[number])
        return Crashed(f"exited (code {code}) without returning a result")

    def _check_budget(self) -> None:
        if time.monotonic() >= self.deadline:
            raise LimitExceeded(f"used up the submission's time budget ({self.limits.submission_seconds:g} s)")


class Student:
    """The submission as the grading tests see it: every call runs in the sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def call(self, module: str, function: str, *args, swap: tuple[str, ...] = (), inputs_after: bool = False,
             timeout: float | None = None, **kwargs):
        """``module.function(*args, **kwargs)`` in the child; ``swap`` names run the reference."""
        value, inputs = self._sandbox.request("call", module, function, args, kwargs, timeout=timeout,
                                              swap=list(swap), inputs_after=inputs_after)
        if inputs_after:
            return value, tuple(inputs[0]), inputs[1]
        return value

    def new(self, module: str, name: str, *args, **kwargs) -> RemoteObject:
        value, _ = self._sandbox.request("new", module, name, args, kwargs)
        if not isinstance(value, wire.Handle):
            raise BadOutput(f"{module}.{name}(...) did not give an object")
        return RemoteObject(self._sandbox, value, f"{module}.{name}")

    def __getattr__(self, module: str) -> _ModuleProxy:
        if module not in MODULES:
            raise AttributeError(module)
        return _ModuleProxy(self, module)


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
        self.label = label

    def __getattr__(self, method: str):
        def call(*args, timeout: float | None = None, **kwargs):
            value, inputs = self._sandbox.request(
                "method", None, method, args, kwargs, timeout=timeout, id=self._handle.handle_id, inputs_after=True)
            for sent, after in zip(args, inputs[0]):
                if isinstance(sent, dict) and isinstance(after, dict):
                    sent.clear()
                    sent.update(after)
            return value

        return call


