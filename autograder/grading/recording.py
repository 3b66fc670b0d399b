"""The reference's answers to the public tests, recorded for the student bundle.

Students get the public tests and ``check`` but no solution code, so the bundle ships what the
reference answered when the public tests ran against it at release time. Every reference
call is keyed by a hash of its wire encoding (module, name, arguments); an object's method
call is keyed by the chain of its construction and earlier calls, so the answers do not
depend on which other tests ran before. ``loss`` and ``gradients`` are keyed on their rows in
sorted order: they are means over the samples, so a batch visited in another row order gets
the same answer. A call the recording lacks means the student's code
asked the reference something the reference solution never asked: the message says so.

Stored as ``index.json`` (key -> encoded value) and ``blobs.npz`` (the arrays), read with
``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from autograder.paths import MODULES, PUBLIC_TESTS
from autograder.sandbox import wire

RECORDING = PUBLIC_TESTS / "recorded"


class NotRecorded(LookupError):
    pass


def _key(*parts: object) -> str:
    blobs: list[bytes] = []
    header = json.dumps(wire.encode(list(parts), blobs), sort_keys=True).encode()
    digest = hashlib.sha256(header)
    for blob in blobs:
        digest.update(hashlib.sha256(blob).digest())
    return digest.hexdigest()


# Means over the samples: the same answer (to rounding) whatever order the rows come in.
ORDER_FREE = ("loss", "gradients")


def _canonical(name: str, args: tuple) -> tuple:
    """``(X, y, theta)`` with the rows of X and y sorted together, for the order-free functions,
    so a loop that visits a batch's rows in another order still finds the recorded answer."""
    if name not in ORDER_FREE or len(args) != 3:
        return args
    X, y, theta = args
    if not (isinstance(X, np.ndarray) and isinstance(y, np.ndarray) and X.ndim == 2 and y.shape == (len(X),)):
        return args
    rows = np.column_stack([X, y])
    order = np.lexsort(rows.T[::-1])
    return X[order], y[order], theta


class RecordedReference:
    """Same interface as :class:`autograder.reference.Reference`.

    With ``live`` (a real Reference) it records every answer; without, it replays them from
    ``folder``.
    """

    def __init__(self, folder: Path = RECORDING, live=None) -> None:
        self.folder = folder
        self.live = live
        self.answers: dict[str, tuple[object, list[bytes]]] = {}
        if live is None:
            self._load()

    # -- the Reference interface -----------------------------------------------------------
    def function(self, module: str, name: str):
        def answer(*args, **kwargs):
            key = _key(module, name, _canonical(name, args), kwargs)
            if self.live is not None:
                value = self.live.function(module, name)(*args, **kwargs)
                self._store(key, value)
                return value
            return self._replay(key, f"{module}.{name}")

        return answer

    def new(self, module: str, name: str, **kwargs):
        live = self.live.new(module, name, **kwargs) if self.live is not None else None
        return _RecordedObject(self, _key("new", module, name, kwargs), live, f"{module}.{name}")

    def call(self, module: str, name: str, *args, **kwargs):
        return self.function(module, name)(*args, **kwargs)

    def __getattr__(self, module: str):
        if module not in MODULES:
            raise AttributeError(module)
        return _RecordedModule(self, module)

    # -- storage ---------------------------------------------------------------------------
    def _store(self, key: str, value: object) -> None:
        blobs: list[bytes] = []
        self.answers[key] = (wire.encode(value, blobs), blobs)

    def _replay(self, key: str, label: str) -> object:
        if key not in self.answers:
            raise NotRecorded(f"the recorded reference has no answer for this call to {label}: your code passed it "
                              "different inputs than the reference solution did (check the batch order and shapes)")
        tag, blobs = self.answers[key]
        return wire.decode(tag, blobs)

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        index, arrays = {}, {}
        for key, (tag, blobs) in sorted(self.answers.items()):
            index[key] = {"value": tag, "blobs": [f"{key}_{i}" for i in range(len(blobs))]}
            arrays.update({f"{key}_{i}": np.frombuffer(blob, dtype=np.uint8) for i, blob in enumerate(blobs)})
        (self.folder / "index.json").write_text(json.dumps(index, sort_keys=True, indent=0) + "\n")
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        (self.folder / "blobs.npz").write_bytes(buffer.getvalue())

    def _load(self) -> None:
        try:
            index = json.loads((self.folder / "index.json").read_text())
            with np.load(self.folder / "blobs.npz", allow_pickle=False) as arrays:
                for key, entry in index.items():
                    self.answers[key] = (entry["value"], [arrays[name].tobytes() for name in entry["blobs"]])
        except (OSError, ValueError, KeyError) as error:
            raise RuntimeError(f"the public tests' recorded answers are missing or damaged ({self.folder}): {error}; "
                               "download the student bundle again") from None


class _RecordedModule:
    def __init__(self, recording: RecordedReference, module: str) -> None:
        self._recording = recording
        self._module = module

    def __getattr__(self, name: str):
        if name[:1].isupper():
            return lambda **kwargs: self._recording.new(self._module, name, **kwargs)
        return self._recording.function(self._module, name)


class _RecordedObject:
    """A reference optimizer whose answers are recorded or replayed; its key chains its history."""

    def __init__(self, recording: RecordedReference, key: str, live, label: str) -> None:
        self._recording = recording
        self._key = key
        self._live = live
        self._label = label

    def update(self, params: dict, grads: dict) -> None:
        self._key = _key(self._key, "update", params, grads)
        if self._live is not None:
            self._live.update(params, grads)
            self._recording._store(self._key, dict(params))
            return
        after = self._recording._replay(self._key, f"{self._label}.update")
        for key, value in after.items():
            params[key] = value
