"""Messages between the grader and a sandboxed child: JSON headers and raw array bytes.

Nothing crossing the boundary is ever unpickled: arrays travel as raw bytes with a plain
dtype and a shape, everything else as JSON, so a hostile child can send wrong numbers but
never code. Values are tagged with their exact type so the parent can refuse
look-alikes (an ndarray subclass, a float subclass) instead of trusting their ``__eq__``.

A message is a 4-byte header length, the JSON header, then each blob as an 8-byte length and
its bytes. This file is copied next to the child and must import only the standard library
and numpy.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time

import numpy as np

MAX_HEADER = 16 * 2**20
MAX_BLOBS = 4096
MAX_TOTAL = 64 * 2**20  # a real reply is a few MB; more is a child trying to exhaust the grader
# Arrays cross as raw bytes with their dtype and shape: numbers, booleans and text only
# (object, void and structured dtypes could smuggle Python objects or ambiguous layouts).
SAFE_KINDS = "biufcSU"


class Opaque:
    """A value the wire cannot carry faithfully; the parent sees only its type and a repr."""

    def __init__(self, type_name: str, text: str = "") -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class Handle:
    """An object that stays on one side: ``side="child"`` for an instance built by student
    code, ``side="parent"`` for a trusted object the child may only call back into."""

    def __init__(self, handle_id: int, type_name: str, side: str = "child") -> None:
        self.handle_id = handle_id
        self.type_name = type_name
        self.side = side


def _type_name(value: object) -> str:
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


def encode(value: object, blobs: list[bytes], handles: dict[int, object] | None = None) -> object:
    """Turn ``value`` into JSON-able tags, appending array bytes to ``blobs``."""
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind in (bool, int, float, str):
        return {"t": kind.__name__, "v": value}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in SAFE_KINDS:
            return {"t": "opaque", "cls": _type_name(value), "repr": f"array of dtype {array.dtype}"}
        blobs.append(np.ascontiguousarray(array).tobytes())
        tag = "ndarray" if isinstance(value, np.ndarray) else "npscalar"
        return {"t": tag, "cls": _type_name(value), "dtype": array.dtype.str, "shape": list(array.shape),
                "i": len(blobs) - 1}
    if kind in (list, tuple):
        return {"t": kind.__name__, "items": [encode(v, blobs, handles) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"t": "dict", "items": [[k, encode(v, blobs, handles)] for k, v in value.items()]}
    if isinstance(value, Handle):
        return {"t": "handle", "id": value.handle_id, "cls": value.type_name, "side": value.side}
    if handles is not None:
        handles[len(handles)] = value
        return {"t": "handle", "id": len(handles) - 1, "cls": _type_name(value), "side": "child"}
    try:
        text = repr(value)[:200]
    except Exception:  # a hostile __repr__ must not break the reply
        text = ""
    return {"t": "opaque", "cls": _type_name(value), "repr": text}


_PLAIN = {"bool": bool, "int": int, "float": float, "str": str}


def decode(tag: object, blobs: list[bytes], resolve=None) -> object:
    """Rebuild a value from :func:`encode`'s tags; anything unexpected becomes :class:`Opaque`.

    ``resolve(handle)`` turns a :class:`Handle` into a live object (the child's side only).
    """
    if not isinstance(tag, dict):
        raise ValueError("malformed value")
    t = tag.get("t")
    if t == "none":
        return None
    if t in _PLAIN:
        value = tag["v"]
        if type(value) is not _PLAIN[t] and not (t == "float" and type(value) is int):
            raise ValueError(f"malformed {t}")
        return _PLAIN[t](value)
    if t in ("ndarray", "npscalar"):
        array = _array(tag, blobs)
        if t == "ndarray":
            return array if tag.get("cls") == "numpy.ndarray" else Opaque(str(tag.get("cls")), "ndarray subclass")
        scalar = array[()]
        return scalar if tag.get("cls") == _type_name(scalar) else Opaque(str(tag.get("cls")), "numpy scalar subclass")
    if t in ("list", "tuple"):
        items = [decode(v, blobs, resolve) for v in tag["items"]]
        return items if t == "list" else tuple(items)
    if t == "dict":
        return {str(k): decode(v, blobs, resolve) for k, v in tag["items"]}
    if t == "handle":
        handle = Handle(int(tag["id"]), str(tag.get("cls")), str(tag.get("side")))
        return resolve(handle) if resolve else handle
    if t == "opaque":
        return Opaque(str(tag.get("cls"))[:200], str(tag.get("repr"))[:200])
    raise ValueError(f"unknown value tag {t!r}")


def _array(tag: dict, blobs: list[bytes]) -> np.ndarray:
    """Rebuild an array from raw bytes, a dtype of plain numbers or text, and a shape."""
    dtype = np.dtype(str(tag["dtype"]))
    shape = tuple(int(n) for n in tag["shape"])
    data = blobs[int(tag["i"])]
    if dtype.kind not in SAFE_KINDS or dtype.fields or min(shape, default=0) < 0 or len(shape) > 32:
        raise ValueError("unsupported array")
    if len(data) != dtype.itemsize * math.prod(shape):
        raise ValueError("array size does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()  # a writable array of its own


def pack(header: dict, blobs: list[bytes]) -> bytes:
    head = json.dumps({**header, "nblobs": len(blobs)}).encode()
    parts = [struct.pack("<I", len(head)), head]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    return b"".join(parts)


class Channel:
    """One end of the pipe pair; reads and writes whole messages, with an optional deadline.

    Reads are buffered: one ``os.read`` takes whatever the pipe holds (up to 1 MiB), so a small
    message costs one system call, not one per field.
    """

    CHUNK = 1 << 20

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self._buffer = bytearray()

    def send(self, header: dict, blobs: list[bytes] = (), deadline: float | None = None) -> None:
        data = memoryview(pack(header, list(blobs)))
        while data:
            self._wait(self.write_fd, deadline, write=True)
            try:
                written = os.write(self.write_fd, data[: 1 << 16])
            except BlockingIOError:  # the parent's end is non-blocking: wait and retry
                continue
            data = data[written:]

    def receive(self, deadline: float | None = None) -> tuple[dict, list[bytes]]:
        (size,) = struct.unpack("<I", self._read(4, deadline))
        if size > MAX_HEADER:
            raise ValueError("message header too large")
        header = json.loads(self._read(size, deadline))
        if not isinstance(header, dict):
            raise ValueError("malformed message")
        count, total, blobs = int(header.get("nblobs", 0)), 0, []
        if not 0 <= count <= MAX_BLOBS:
            raise ValueError("too many arrays in one message")
        for _ in range(count):
            (length,) = struct.unpack("<Q", self._read(8, deadline))
            total += length
            if total > MAX_TOTAL:
                raise ValueError("message too large")
            blobs.append(self._read(length, deadline))
        return header, blobs

    def _read(self, size: int, deadline: float | None) -> bytes:
        while len(self._buffer) < size:
            # Only wait when the buffer cannot serve the read: the data may be here already.
            self._wait(self.read_fd, deadline, write=False)
            try:
                chunk = os.read(self.read_fd, self.CHUNK)
            except BlockingIOError:  # a non-blocking end: select said ready, yet it is empty
                continue
            if not chunk:
                raise EOFError("the other side closed the channel")
            self._buffer += chunk
        with memoryview(self._buffer) as view:
            data = bytes(view[:size])
        del self._buffer[:size]
        return data

    @staticmethod
    def _wait(fd: int, deadline: float | None, write: bool) -> None:
        if deadline is None:
            return
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            raise TimeoutError
        readable, writable, _ = select.select([] if write else [fd], [fd] if write else [], [], timeout)
        if not (writable if write else readable):
            raise TimeoutError
