"""The resource limits of a submission's child, with defaults the environment may override."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from autograder.errors import UserError

ENV_PREFIX = "AUTOGRADER_"


DEFAULT_LIMITS: dict[str, float | int] = {
    "call_seconds": 30.0,  # wall time of one call, callbacks included
    "submission_seconds": 300.0,  # wall time of all of a submission's calls
    "startup_seconds": 30.0,  # interpreter start and ``import numpy``
    "cpu_seconds": 120,  # CPU time of one child process (RLIMIT_CPU)
    "memory_bytes": 2 * 2**30,  # address space (RLIMIT_AS)
    "file_bytes": 16 * 2**20,  # largest file, the output log included (RLIMIT_FSIZE)
    "open_files": 64,  # RLIMIT_NOFILE
    "processes": 64,  # processes the child may add (RLIMIT_NPROC), not for a child running as root
    "scratch_bytes": 64 * 2**20,  # size of the writable work folder (bwrap setups only)
}


def _limit_from(environ, name: str) -> float | int:
    """``AUTOGRADER_<NAME>`` from ``environ`` if set (a positive number), else the default."""
    default = DEFAULT_LIMITS[name]
    variable = ENV_PREFIX + name.upper()
    if variable not in environ:
        return default
    text = environ[variable].strip()
    try:
        value = type(default)(float(text) if isinstance(default, float) else int(text))
    except ValueError:
        value = None
    if value is None or not value > 0:
        kind = "number of seconds" if isinstance(default, float) else "integer"
        raise UserError(f"{variable}={text!r}: expected a positive {kind}")
    return value


def _default(name: str):
    return field(default_factory=lambda: _limit_from(os.environ, name))


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's child.

    A field left out takes its default from ``DEFAULT_LIMITS``, or from the environment
    variable named after it when set: ``AUTOGRADER_CALL_SECONDS=5``,
    ``AUTOGRADER_SUBMISSION_SECONDS=60``, ``AUTOGRADER_MEMORY_BYTES=...`` (read when the
    ``Limits`` is made; a value that is not a positive number raises ``UserError``).
    """

    call_seconds: float = _default("call_seconds")
    submission_seconds: float = _default("submission_seconds")
    startup_seconds: float = _default("startup_seconds")
    cpu_seconds: int = _default("cpu_seconds")
    memory_bytes: int = _default("memory_bytes")
    file_bytes: int = _default("file_bytes")
    open_files: int = _default("open_files")
    processes: int = _default("processes")
    scratch_bytes: int = _default("scratch_bytes")

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Limits:
        """The limits ``environ`` (default ``os.environ``) asks for, defaults elsewhere."""
        environ = os.environ if environ is None else environ
        return cls(**{name: _limit_from(environ, name) for name in DEFAULT_LIMITS})
