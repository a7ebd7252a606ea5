"""A long clip's samples held in a file on disk instead of in the process's memory.

A six-hour clip is 1.3 GB of float32, and every stage of the pipeline reads and rewrites
it in blocks. ``DiskSamples`` keeps those samples in a file mapped into memory, so the
stages still see an ordinary float32 ``np.ndarray`` (the same values, the same results),
while a thread hands the mapped pages back every ``release_every`` seconds, 10 ms by
default (``madvise(MADV_DONTNEED)``). The process then holds only the pages touched since
the last release; the rest is the kernel's page cache, which it can write out and reclaim
under pressure, unlike a process's own memory. A stage reading the clip at memory speed
touches tens of MB in 10 ms (measured: up to about 70 MiB on a loaded machine, 140 MiB
with 50 ms); releasing from inside every stage's loop would bound it tighter, at the
price of touching every stage.

The file is removed from its directory as soon as it is mapped: it lives only as long as
the mapping, and a killed process leaves nothing behind. Disk space is reserved
(``posix_fallocate``) before samples are written to it, so a full disk is an ``AudioError``
rather than a SIGBUS. Linux and other POSIX systems only.

Example::

    with DiskSamples(staging_dir) as disk:
        samples = disk.array(capacity)   # float32, zeros, nothing allocated yet
        disk.reserve(1000)
        samples[:1000] = chunk
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from workbench.audio.errors import AudioError

# The pipeline holds clips longer than this in a file in its staging directory while they
# are processed, not in memory: 1.3 GB less at six hours. Fifteen minutes keeps the 10-minute
# clip in memory (the speed figures) and bounds what is copied to disk when a clip passes it
# (55 MiB). Here, beside the files, so that what decodes before the pipeline is imported
# (``early``) can know it.
ON_DISK_AFTER_S = 15 * 60
# Disk space is reserved in steps of this many bytes (a minute of 16 kHz float32 is 3.7 MiB).
RESERVE_STEP_BYTES = 64 * 1024 * 1024
ITEMSIZE = np.dtype(np.float32).itemsize


class DiskSamples:
    """A float32 array in an unlinked file under ``directory``, its pages released by a thread.

    ``array(capacity)`` creates it (once); ``reserve(n)`` must cover every sample before it
    is first written; ``release()`` drops the pages from this process now; ``close()`` (or
    leaving the ``with`` block) stops the releasing thread and closes the file. The mapping
    itself goes when the last array using it does.
    """

    def __init__(self, directory: Path, *, release_every: float = 0.01) -> None:
        self.directory = Path(directory)
        self.release_every = release_every
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self._reserved = 0
        self._stop = threading.Event()
        self._releaser: threading.Thread | None = None

    def array(self, capacity: int) -> np.ndarray:
        """A zero-filled float32 array of ``capacity`` samples backed by the file.

        The file is sparse: this costs address space, no disk and no memory.
        """
        if self._map is not None:
            raise RuntimeError("DiskSamples.array may be called once")
        size = max(capacity, 1) * ITEMSIZE
        try:
            fd, name = tempfile.mkstemp(prefix=".decoded-", suffix=".f32", dir=self.directory)
            os.unlink(name)
            self._fd = fd
            os.ftruncate(fd, size)
            self._map = mmap.mmap(fd, size)
        except OSError as exc:
            self.close()
            raise AudioError(f"cannot hold the decoded audio on disk in {self.directory}: {exc.strerror or exc}") from exc
        self._releaser = threading.Thread(target=self._release_regularly, name="release-decoded-pages", daemon=True)
        self._releaser.start()
        return np.frombuffer(self._map, dtype=np.float32, count=capacity)

    def reserve(self, samples: int) -> None:
        """Make sure disk blocks exist for the first ``samples`` samples (``AudioError`` if
        the disk is full)."""
        needed = samples * ITEMSIZE
        if needed <= self._reserved:
            return
        if self._fd is None or self._map is None:
            raise RuntimeError("DiskSamples.reserve before DiskSamples.array")
        target = min(max(needed, self._reserved + RESERVE_STEP_BYTES), len(self._map))
        try:
            os.posix_fallocate(self._fd, 0, target)
        except OSError as exc:
            raise AudioError(
                f"not enough disk space in {self.directory} for the decoded audio "
                f"({needed / 2**20:.0f} MiB): {exc.strerror or exc}"
            ) from exc
        self._reserved = target

    def release(self) -> None:
        """Hand every mapped page back now; the next access reads it from the page cache
        (or the disk) again. Nothing written is lost: the mapping is shared with the file."""
        if self._map is not None and not self._map.closed:
            self._map.madvise(mmap.MADV_DONTNEED)

    def _release_regularly(self) -> None:
        while not self._stop.wait(self.release_every):
            self.release()

    def close(self) -> None:
        self._stop.set()
        if self._releaser is not None:
            self._releaser.join()
            self._releaser = None
        self.release()
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DiskSamples:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
