"""The sandboxed side: load the student's modules by path, run calls, answer with data only.

Started as ``python -I -B child.py LOGFILE LIMITS`` in the submission's work folder (its cwd
holds only the three modules). Before anything else it sets the rlimits in LIMITS
(``cpu=120,as=...,nproc=...``) on itself, hard and soft, so everything the student's code does
or starts stays under them. Protocol: it reads requests on stdin and writes replies on the
original stdout; the student's own prints go to LOGFILE, capped by RLIMIT_FSIZE. Requests:

- ``call``: run ``module.name(*args, **kwargs)``; names in ``swap`` are replaced, for that
  call only, by callbacks into the grader's reference (so one function is graded alone);
  with ``warnings`` set, the warnings the call raised come back as data (``warnings`` in the reply);
- ``new``: build ``module.name(*args, **kwargs)`` and keep it under a handle;
- ``method``: call ``handle.name(*args, **kwargs)``.

Replies: ``result`` (value, and the inputs after the call when asked), ``error``, or
``callback`` (the grader answers with ``result`` or ``error``). Nothing here is trusted: the
grader checks every value it gets back.
"""

import contextlib
import errno
import importlib.machinery
import importlib.util
import os
import sys
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wire  # noqa: E402  (copied beside this file)

try:  # not on Windows: there the limits the grader's clock cannot keep are not kept
    import resource
except ImportError:
    resource = None

MODULES = ("logistic_regression", "linear_regression", "optimizers")


_ABSENT = object()  # a swapped name the module did not have


class ReferenceCallFailed(Exception):
    """The grader's reference refused the arguments a student function passed to it."""


class Child:
    def __init__(self, channel: wire.Channel, work_dir: Path) -> None:
        self.channel = channel
        self.work_dir = work_dir
        self.modules: dict[str, object] = {}
        self.load_errors: dict[str, dict] = {}
        self.objects: dict[int, object] = {}

    # -- loading ---------------------------------------------------------------------------
    def module(self, name: str):
        if name in self.modules:
            return self.modules[name]
        if name in self.load_errors:
            raise _Reported(self.load_errors[name])
        path = self.work_dir / f"{name}.py"
        if name not in MODULES or not path.is_file():
            error = {"kind": "error", "category": "missing", "message": f"{name}.py was not submitted"}
        else:
            try:
                spec = importlib.util.spec_from_file_location(name, path, loader=_SourceOnly(name, str(path)))
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
                self.modules[name] = module
                return module
            except BaseException as exc:  # noqa: BLE001  (SystemExit at import is a load failure too)
                sys.modules.pop(name, None)
                error = _describe(exc, category="load_failed")
                text = f"{error['type']}: {error['message']}" if error["message"] else error["type"]
                error["message"] = f"{name}.py could not be loaded: {text}"
        self.load_errors[name] = error
        raise _Reported(error)

    def attribute(self, module_name: str, name: str):
        module = self.module(module_name)
        try:
            return getattr(module, name)
        except AttributeError:
            raise _Reported({"kind": "error", "category": "missing",
                             "message": f"{module_name}.py has no {name}"}) from None

    # -- requests --------------------------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                header, blobs = self.channel.receive()
            except EOFError:
                return
            try:
                reply, out_blobs = self.handle(header, blobs)
            except _Reported as reported:
                reply, out_blobs = reported.error, []
            except KeyError as exc:  # a handle the grader kept from before a restart
                reply, out_blobs = {"kind": "error", "category": "protocol",
                                    "message": f"unknown object {_safe_repr(exc)}"}, []
            except BaseException as exc:  # noqa: BLE001  (student code raising while its result is encoded)
                reply, out_blobs = _describe(exc, category="raised"), []
            self.channel.send(reply, out_blobs)

    def handle(self, header: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        op = header["op"]
        if op == "load":
            self.module(header["module"])
            return {"kind": "result", "value": wire.encode(None, [])}, []
        if op == "new":
            target = self.attribute(header["module"], header["name"])
        elif op == "call":
            target = self.attribute(header["module"], header["name"])
        elif op == "method":
            target = getattr(self.objects[header["id"]], header["name"], None)
            if target is None:
                return {"kind": "error", "category": "missing", "message": f"no method {header['name']}"}, []
        else:
            return {"kind": "error", "category": "protocol", "message": f"unknown op {op!r}"}, []
        args = wire.decode(header["args"], blobs, self.resolve)
        kwargs = wire.decode(header["kwargs"], blobs, self.resolve)
        module = self.modules.get(header.get("module"))
        saved = {name: module.__dict__.get(name, _ABSENT) for name in header.get("swap", ())} if module else {}
        for name in saved:
            setattr(module, name, self.callback(f"{header['module']}.{name}"))
        caught: list = []
        try:
            with _recording(caught) if header.get("warnings") else contextlib.nullcontext():
                result = target(*args, **kwargs)
        except _Reported:
            raise
        except BaseException as exc:  # noqa: BLE001  (SystemExit, KeyboardInterrupt: the student's)
            return _describe(exc, category="raised"), []
        finally:
            for name, value in saved.items():
                if value is _ABSENT:  # a function the module lacks stays missing for later calls
                    module.__dict__.pop(name, None)
                else:
                    setattr(module, name, value)
        out: list[bytes] = []
        if op == "new":
            self.objects[len(self.objects)] = result
            value = wire.encode(wire.Handle(len(self.objects) - 1, _type_name(result)), out)
        else:
            value = wire.encode(result, out)
        reply = {"kind": "result", "value": value}
        if header.get("inputs_after"):
            reply["inputs"] = wire.encode([list(args), kwargs], out)
        if header.get("warnings"):
            reply["warnings"] = [_describe_warning(w) for w in caught[:20]]
        return reply, out

    # -- calling back into the grader ------------------------------------------------------
    def resolve(self, handle: wire.Handle):
        if handle.side == "child":
            return self.objects[handle.handle_id]
        return _RemoteObject(self, handle)

    def callback(self, name: str):
        def call_reference(*args, **kwargs):
            return self.ask(name, args, kwargs)

        call_reference.__name__ = name.rsplit(".", 1)[-1]
        return call_reference

    def ask(self, name: str, args, kwargs):
        blobs: list[bytes] = []
        header = {"kind": "callback", "name": name,
                  "args": wire.encode(list(args), blobs), "kwargs": wire.encode(dict(kwargs), blobs)}
        self.channel.send(header, blobs)
        reply, reply_blobs = self.channel.receive()
        if reply.get("kind") != "result":
            raise ReferenceCallFailed(str(reply.get("message", "the reference refused these arguments")))
        return wire.decode(reply["value"], reply_blobs)


class _RemoteObject:
    """A trusted object living in the grader (the reference optimizer): methods call back."""

    def __init__(self, child: Child, handle: wire.Handle) -> None:
        self._child = child
        self._handle = handle

    def update(self, params, grads):
        new_params = self._child.ask(f"handle:{self._handle.handle_id}.update", (params, grads), {})
        for key, value in new_params.items():  # update in place, as the reference does
            try:
                params[key][...] = value
            except (TypeError, ValueError, KeyError):
                params[key] = value


@contextlib.contextmanager
def _recording(into: list):
    """Record every warning the call raises into ``into`` (``always``: none hidden by an earlier one)."""
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            into.extend(log)


def _describe_warning(caught) -> dict:
    """A recorded warning as data: its category's name, whether it is a RuntimeWarning, its message."""
    category = caught.category if isinstance(caught.category, type) else Warning
    return {"category": str(getattr(category, "__name__", "Warning"))[:80],
            "runtime": issubclass(category, RuntimeWarning), "message": _safe_str(caught.message)[:300]}


def _safe_str(value: object) -> str:
    try:
        return str(str(value))
    except Exception:  # noqa: BLE001  (a hostile __str__)
        return "?"


class _SourceOnly(importlib.machinery.SourceFileLoader):
    """Compile the module from its source every time: no bytecode cache is read (a stale or
    planted ``.pyc`` never runs) and, with ``-B``, none is written."""

    def get_code(self, fullname):
        return compile(self.get_data(self.path), self.path, "exec", dont_inherit=True)


class _Reported(Exception):
    def __init__(self, error: dict) -> None:
        self.error = error


def _type_name(value: object) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _safe_repr(value: object) -> str:
    try:
        return repr(value)[:200]
    except Exception:  # noqa: BLE001  (a hostile __repr__)
        return "?"


def _describe(exc: BaseException, category: str) -> dict:
    """One line on an exception: its type, message and the student line that raised it."""
    try:
        message = str(str(exc)[:300])
    except BaseException:  # noqa: BLE001  (a hostile __str__)
        message = ""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).name in {f"{m}.py" for m in MODULES}:
            where = f"{Path(frame.filename).name} line {frame.lineno}"
            break
    if isinstance(exc, SyntaxError) and exc.lineno:
        where = f"{Path(exc.filename or '').name} line {exc.lineno}"
        message = str(exc.msg)[:300]  # str(exc) repeats the file and line
    if isinstance(exc, NotImplementedError):
        category = "not_implemented"
    elif isinstance(exc, MemoryError):
        category = "memory"
    elif isinstance(exc, OSError) and exc.errno == errno.EFBIG:  # RLIMIT_FSIZE (Python ignores SIGXFSZ)
        category = "output"
    elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        category = "disk"
    elif isinstance(exc, ReferenceCallFailed):
        category = "reference_refused"
    return {"kind": "error", "category": category, "type": type(exc).__name__, "message": message, "where": where}


RLIMITS = ({"cpu": resource.RLIMIT_CPU, "as": resource.RLIMIT_AS, "fsize": resource.RLIMIT_FSIZE,
            "nofile": resource.RLIMIT_NOFILE, "core": resource.RLIMIT_CORE, "nproc": resource.RLIMIT_NPROC}
           if resource is not None else {})


def set_limits(spec: str) -> dict[str, int]:
    """Lower this process's rlimits, soft and hard (student code cannot raise them again);
    returns the limits the system could not set (no ``resource``, or one it refuses)."""
    unset = {}
    for pair in filter(None, spec.split(",")):
        name, value = pair.split("=")
        which = RLIMITS.get(name)
        if which is None:
            unset[name] = int(value)
            continue
        _, hard = resource.getrlimit(which)
        cap = hard if hard != resource.RLIM_INFINITY else None
        soft = int(value) if cap is None else min(int(value), cap)
        try:
            if which == resource.RLIMIT_CPU:
                # SIGXCPU at the soft limit (reported as such); SIGKILL a little later if it is ignored.
                resource.setrlimit(which, (soft, soft + 5 if cap is None else min(soft + 5, cap)))
            else:
                resource.setrlimit(which, (soft, soft))
        except (ValueError, OSError):  # macOS refuses some (RLIMIT_AS below what is mapped)
            unset[name] = int(value)
    return unset


class _CappedOutput:
    """``sys.stdout``/``sys.stderr`` where RLIMIT_FSIZE is not available: prints beyond ``limit``
    bytes raise ``OSError(EFBIG)``, as the rlimit would (writes to the raw descriptor still pass)."""

    def __init__(self, stream, limit: int, counter: list[int]) -> None:
        self._stream, self._limit, self._counter = stream, limit, counter

    def write(self, text: str) -> int:
        self._counter[0] += len(text.encode("utf-8", "replace"))
        if self._counter[0] > self._limit:
            raise OSError(errno.EFBIG, "output limit")
        return self._stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main() -> None:
    unset = set_limits(sys.argv[2] if len(sys.argv) > 2 else "")
    protocol_out = os.dup(1)
    protocol_in = os.dup(0)
    log = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    if "fsize" in unset:
        counter = [0]
        sys.stdout = _CappedOutput(sys.stdout, unset["fsize"], counter)
        sys.stderr = _CappedOutput(sys.stderr, unset["fsize"], counter)
    channel = wire.Channel(protocol_in, protocol_out)
    channel.send({"kind": "ready", "pid": os.getpid()})
    Child(channel, Path.cwd()).serve()


if __name__ == "__main__":
    main()
