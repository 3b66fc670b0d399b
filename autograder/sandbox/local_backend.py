"""The local backend: feedback on any machine (Windows, macOS, Linux without anything stronger).

The same child (``child.py``) and the same protocol, started as a plain subprocess in a fresh
work folder, with no call that only Linux or POSIX has: the grader's reads and writes wait on
threads with a deadline (``select`` does not take pipes on Windows), the child is ended with
``Popen.kill()`` (no process groups), and the child sets the rlimits only where ``resource``
imports (it caps its own prints where it cannot).

It keeps time (per call and per submission) and reads answers as data, but hides nothing and
cuts no network: the student's code could read any file the student can. That is fine for
``check`` and ``sweep`` on the student's own machine, whose bundle holds no solution and no
hidden test (the student can only fool themselves); ``grade`` refuses it (``hides_answers``).
"""

from __future__ import annotations

import collections
import os
import queue
import subprocess
import threading
import time
from pathlib import Path

from autograder.sandbox import wire
from autograder.sandbox.backend import COMMON, Backend, environment, limits_argument
from autograder.sandbox.limits import Limits
from autograder.sandbox.scratch import layout


class Local(Backend):
    name = "local"
    guarantees = (*COMMON,
                  "limits on CPU time, memory, file size and open files where the system has rlimits "
                  "(macOS, Linux); elsewhere (Windows) the child caps its own printed output")
    missing = ("solutions, tests and every file the user can read stay readable to student code "
               "(for check and sweep only: the student's bundle holds no solution and no hidden test)",
               "network reachable",
               "processes the child starts may outlive it",
               "student code can write wherever the user can",
               "the next submission's child starts only when it is graded")

    def describe(self, nested_userns: bool, inet: bool) -> Local:
        return self

    def prepare(self, scratch: Path, sources: dict[str, bytes], harness_files: tuple[Path, ...]) -> None:
        super().prepare(scratch, sources, harness_files)
        self.copy_modules_into_work(scratch, sources)

    def spawn(self, scratch: Path, modules: tuple[str, ...], hide: tuple[Path, ...], limits: Limits,
              tag: str) -> subprocess.Popen:
        return subprocess.Popen(self.child_command(scratch, limits_argument(limits)), cwd=layout(scratch)[2],
                                env=environment(scratch, tag), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)

    def channel(self, process: subprocess.Popen) -> wire.Channel:
        # The channel's threads own copies of the descriptors and close them when done, so
        # closing the Popen's streams can never pull a descriptor from under a blocked read.
        read_fd, write_fd = os.dup(process.stdout.fileno()), os.dup(process.stdin.fileno())
        process.stdout.close()
        process.stdin.close()
        channel = ThreadedChannel(read_fd, write_fd)
        process.autograder_channel = channel  # kill() closes it
        return channel

    def kill(self, process: subprocess.Popen, tag: str) -> None:
        try:
            process.kill()
        except OSError:
            pass
        process.wait()
        channel = getattr(process, "autograder_channel", None)
        if channel is not None:
            channel.close()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass


class ThreadedChannel(wire.Channel):
    """A :class:`wire.Channel` whose waits are threads and deadlines, not ``select``.

    A reader thread moves whatever the pipe gives into a buffer; a writer thread writes each
    message. A deadline that passes raises ``TimeoutError`` (the grader then kills the child,
    which ends both threads: the pipes close).
    """

    def __init__(self, read_fd: int, write_fd: int) -> None:
        super().__init__(read_fd, write_fd)
        self._chunks: collections.deque[bytes] = collections.deque()
        self._arrived = threading.Condition()
        self._ended = False
        self._outbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._reader, daemon=True, name="sandbox-reader").start()
        threading.Thread(target=self._writer, daemon=True, name="sandbox-writer").start()

    def _reader(self) -> None:
        try:
            while True:
                try:
                    chunk = os.read(self.read_fd, self.CHUNK)
                except OSError:
                    chunk = b""
                with self._arrived:
                    if not chunk:
                        self._ended = True
                        self._arrived.notify_all()
                        return
                    self._chunks.append(chunk)
                    self._arrived.notify_all()
        finally:
            os.close(self.read_fd)

    def _writer(self) -> None:
        try:
            while True:
                item = self._outbox.get()
                if item is None:
                    return
                data, done, failure = item
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(self.write_fd, view[: 1 << 16]):]
                except OSError as error:
                    failure.append(error)
                done.set()
        finally:
            os.close(self.write_fd)

    def send(self, header: dict, blobs: list[bytes] = (), deadline: float | None = None) -> None:
        done, failure = threading.Event(), []
        self._outbox.put((wire.pack(header, list(blobs)), done, failure))
        if not done.wait(None if deadline is None else max(0.0, deadline - time.monotonic())):
            raise TimeoutError
        if failure:
            raise BrokenPipeError(str(failure[0]))

    def _read(self, size: int, deadline: float | None) -> bytes:
        with self._arrived:
            while len(self._buffer) < size:
                if self._chunks:
                    self._buffer += self._chunks.popleft()
                    continue
                if self._ended:
                    raise EOFError("the other side closed the channel")
                timeout = None if deadline is None else deadline - time.monotonic()
                if timeout is not None and timeout <= 0:
                    raise TimeoutError
                self._arrived.wait(timeout)
        with memoryview(self._buffer) as view:
            data = bytes(view[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        self._outbox.put(None)
