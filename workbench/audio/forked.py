"""A call run in a forked child process, beside the caller.

For work that holds the GIL (PyAV's decoding loop) while the caller has other work to do:
a thread would take turns with the caller, a forked child does not. The child starts with
the caller's memory as it is at the fork, copied only where either side writes, so it needs
no arguments sent; its result comes back pickled through a pipe.

It pays only where a core would otherwise be idle. On this 2-core machine the true-peak
search, moved from its thread into a child beside the two FLAC writers, left the write
stage as slow as before: the writers lost the core the child took.

The child only runs the given function, then leaves with ``os._exit``: it never returns
into the caller's code, runs no ``atexit`` handlers and flushes no buffers it inherited.
What it does must not need a lock another thread could have held at the fork (numpy,
soxr and FFmpeg's decoders do not); a child that stops making progress anyway is killed
after ``stall_s``, and the caller does the work itself. On Linux the child is killed too
when the caller dies (the parent-death signal), so a caller killed outright leaves no child
behind. Callers check that the system can fork (``os.fork`` exists) before they ask for a
child. ``SharedSamples`` is where a child that decodes audio puts its samples: made before
the fork, appended to by the child, read by the caller (``halves``, ``early``).
"""

from __future__ import annotations

import ctypes
import mmap
import os
import pickle
import select
import signal
import struct
import time
import warnings
from collections.abc import Callable, Iterator

import numpy as np

# ``result``'s answer when the child failed or stalled.
FAILED = object()
# From <linux/prctl.h>.
_PR_SET_PDEATHSIG = 1
_COUNT = struct.Struct("<q")  # ``SharedSamples``: the samples written so far


def _die_with(parent: int) -> None:
    """In the child: be killed when the caller dies (Linux), so that a child the stall watch
    can no longer kill does not outlive it. Elsewhere the child ends with its work."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the caller died before the kernel was told to watch it
        os._exit(1)


class ForkedCall:
    """``work()`` run in a forked child. ``result()`` waits for its return value (FAILED if
    it raised, died or stalled); ``close()`` kills and reaps a child still running. Without
    ``progress`` (a number the child's work makes grow, read from memory both share) the
    child has ``stall_s`` in all."""

    def __init__(self, work: Callable[[], object], *, stall_s: float, progress: Callable[[], int] | None = None) -> None:
        self._stall_s, self._progress = stall_s, progress
        readable, writable, parent = *os.pipe(), os.getpid()
        with warnings.catch_warnings():
            # Python 3.12 on warns of forking a process with threads; the child runs only ``work``.
            warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: it never returns, whatever happens
            code = 1
            try:
                _die_with(parent)
                os.close(readable)
                payload = memoryview(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
                while payload:
                    payload = payload[os.write(writable, payload):]
                code = 0
            finally:
                os._exit(code)
        os.close(writable)
        self._pid: int | None = pid
        self._pipe: int | None = readable

    def result(self) -> object:
        """The child's return value, or FAILED; the child is reaped either way."""
        received, last, since = [], None, time.monotonic()
        try:
            while True:
                if select.select([self._pipe], [], [], 0.05)[0]:
                    chunk = os.read(self._pipe, 1 << 16)
                    if not chunk:
                        break
                    received.append(chunk)
                    since = time.monotonic()
                    continue
                progress = self._progress() if self._progress is not None else None
                if progress != last:
                    last, since = progress, time.monotonic()
                elif time.monotonic() - since > self._stall_s:
                    return FAILED
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            return pickle.loads(b"".join(received)) if status == 0 else FAILED
        finally:
            self.close()

    def close(self) -> None:
        self._progress = None  # it may hold the caller's objects, and they it
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


class SharedSamples:
    """Room for ``capacity`` float32 samples in anonymous shared memory, made before a fork:
    the child appends, the caller reads. The count written so far comes first, so the caller
    can watch it grow (``ForkedCall``'s ``progress=shared.written``).

    Views from ``view`` must be dropped before ``close``: the mapping cannot close under them.
    """

    class Full(Exception):
        """More samples than the room for them."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._map = mmap.mmap(-1, _COUNT.size + 4 * capacity)

    def written(self) -> int:
        return _COUNT.unpack_from(self._map, 0)[0]

    def append(self, samples: np.ndarray) -> None:
        """In the child: ``samples`` after those written; ``Full`` past the capacity."""
        written = self.written()
        if written + samples.size > self.capacity:
            raise SharedSamples.Full
        np.frombuffer(self._map, np.float32, samples.size, _COUNT.size + 4 * written)[:] = samples
        _COUNT.pack_into(self._map, 0, written + samples.size)

    def view(self, count: int) -> np.ndarray:
        """The first ``count`` samples, not copied."""
        return np.frombuffer(self._map, np.float32, count, _COUNT.size)

    def blocks(self, count: int, step: int) -> Iterator[np.ndarray]:
        """Copies of the first ``count`` samples, ``step`` at a time."""
        for start in range(0, count, step):
            yield np.frombuffer(self._map, np.float32, min(step, count - start), _COUNT.size + 4 * start).copy()

    @property
    def closed(self) -> bool:
        return self._map.closed

    def close(self) -> None:
        self._map.close()
