"""glibc's allocator, as the pipeline sets it for clips past an hour.

The thresholds are the process's, shared by every thread; ``LongClipMemory`` is one run's
say over them. Nothing happens off glibc.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading

# glibc's mallopt parameters: the size from which an allocation gets its own mapping, and
# how much free memory the top of the heap may hold before it is given back.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_BYTES = 128 * 1024
# What glibc's adaptive thresholds settle at on a 64-bit system: its ceiling for the mapping
# threshold, and twice that for the trim.
_SETTLED_MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
_SETTLED_TRIM_THRESHOLD_BYTES = 2 * _SETTLED_MMAP_THRESHOLD_BYTES


class LongClipMemory:
    """One run's say over glibc's allocator, which every thread of the process shares.

    The stages stream minute-long chunks (a few MB each) through two threads. By default
    glibc raises its mapping threshold to the largest buffer freed so far, after which such
    chunks come from per-thread heaps that keep the memory when they are freed: on a
    six-hour clip that added some 80 MB to the 1.3 GB clip. A fixed threshold of 128 KiB
    (``return_freed_buffers``) keeps the peak at the clip plus what is in use, but every
    large numpy temporary then costs fresh pages: a 10-minute clip took 2.5 s more CPU (5.5 s
    instead of 3.0 s). So it is set only once a clip has decoded past an hour
    (``pipeline._LONG_CLIP_SAMPLES``), and only while some such clip is running: when the
    last one ends (``done``), the thresholds go where glibc's own adaptation would have
    brought them, which glibc cannot return to by itself once one was set, and what was
    freed is handed back. Otherwise every later clip of a worker would pay for fresh pages
    too (a 10-minute clip after a long one: 448,000 page faults instead of 28,000, a second
    more CPU; ``bench/after_long.py``).
    """

    _lock = threading.Lock()
    _running = 0  # runs past an hour, in the whole process

    def __init__(self) -> None:
        self.long = False

    def return_freed_buffers(self) -> None:
        if self.long:
            return
        self.long = True
        with LongClipMemory._lock:
            LongClipMemory._running += 1
            if LongClipMemory._running == 1:
                _mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)

    def done(self) -> None:
        if not self.long:
            return
        self.long = False
        with LongClipMemory._lock:
            LongClipMemory._running -= 1
            if LongClipMemory._running == 0:
                _mallopt(_M_MMAP_THRESHOLD, _SETTLED_MMAP_THRESHOLD_BYTES)
                _mallopt(_M_TRIM_THRESHOLD, _SETTLED_TRIM_THRESHOLD_BYTES)
                with contextlib.suppress(OSError, AttributeError):
                    ctypes.CDLL(None).malloc_trim(0)


def _mallopt(parameter: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(parameter, value)
