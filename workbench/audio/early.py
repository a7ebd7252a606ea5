"""A clip decoded by a forked child while its caller is still loading the pipeline.

``workbench process`` starts in a fresh interpreter, and importing the pipeline takes it
0.8-1.0 s (``scipy.signal`` alone 0.7 s), all of it on one core while the other waits. So
the command opens the clip first, with only ``io``'s light imports loaded, and starts an
``EarlyDecode``: a forked child runs ``io.decode_chunks`` on the whole clip, exactly as the
pipeline would (its second half in a child of its own, the seam where a worker puts it),
into shared memory. ``process_file(..., early_decode=...)`` then takes those samples with
``take()`` instead of decoding. They are the samples the pipeline's own decoding gives, to
the bit: the same function made them from the same file.

The child can only make the command faster. Where it cannot be used (the clip cannot be
opened, it declares more than ``up_to_s``, the system cannot fork or will not fork now),
nothing is started; where its decoding fails, stalls or outgrows its room, ``take()`` gives
None and the pipeline decodes the clip itself, with every check and error message of its
own. Clips declaring
more than ``up_to_s`` are left to the pipeline, which holds them on disk
(``paged.ON_DISK_AFTER_S``): shared memory for them would defeat that.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from workbench.audio import forked, halves, io
from workbench.audio.errors import AudioError

# A child whose output has not grown for this long is killed, as the halves' child is.
STALL_S = halves.STALL_S
# Room past the declared duration; a longer stream is the pipeline's to decode.
SLACK_S = halves.SLACK_S


def _decode_into(path: Path, shm: forked.SharedSamples, *, max_seconds: float, up_to_s: float) -> tuple[io.SourceInfo, int]:
    """The child's work: ``io.decode_chunks`` as the pipeline calls it, every sample into
    ``shm`` (``shm.Full`` past its room). Returns the source's description and the samples
    written."""
    info, chunks = io.decode_chunks(path, max_seconds=max_seconds, split_up_to_s=up_to_s)
    for chunk in chunks:
        shm.append(chunk)
    return info, shm.written()


class EarlyDecode:
    """``path`` decoded to 16 kHz mono by a forked child from the moment this is made; a
    context manager whose exit kills and reaps the child if it is still there.

    ``take()`` gives ``(info, chunks)`` as ``io.decode_chunks`` would, or None where the
    child was not started or failed. ``max_seconds`` and ``up_to_s`` are the pipeline's
    length limit and its in-memory limit (``paged.ON_DISK_AFTER_S``).
    """

    def __init__(self, path: Path, *, max_seconds: float, up_to_s: float) -> None:
        self.path, self.max_seconds, self.up_to_s = Path(path), max_seconds, up_to_s
        self._child: forked.ForkedCall | None = None
        self._shm: forked.SharedSamples | None = None
        if not hasattr(os, "fork"):
            return
        try:
            declared = io.probe(self.path).duration
        except AudioError:
            return  # the pipeline will say what is wrong with it
        if not 0 < declared <= up_to_s:
            # Over the in-memory limit the pipeline keeps the samples on disk; a stream that
            # declares no length (a browser's live WebM recording) leaves nothing to size the
            # child's room by.
            return
        try:
            self._shm = shm = forked.SharedSamples(int((declared + SLACK_S) * io.TARGET_RATE))
            self._child = forked.ForkedCall(
                lambda: _decode_into(self.path, shm, max_seconds=max_seconds, up_to_s=up_to_s), stall_s=STALL_S,
                progress=shm.written)
        except OSError:  # no process or memory to spare now: the pipeline decodes as usual
            self.close()

    @property
    def started(self) -> bool:
        return self._child is not None

    def take(self) -> tuple[io.SourceInfo, Iterator[np.ndarray]] | None:
        """The child's decoding, waited for: the source's description and its samples in
        chunks of a second; None if there is none to take (then the caller decodes)."""
        if self._child is None:
            return None
        answer, self._child = self._child.result(), None
        if answer is forked.FAILED:
            self.close()
            return None
        info, written = answer
        return info, self._chunks(written)

    def _chunks(self, written: int) -> Iterator[np.ndarray]:
        try:
            yield from self._shm.blocks(written, io.TARGET_RATE)
        finally:
            self.close()

    def close(self) -> None:
        """Kill and reap the child if it is still there, and give back the shared memory."""
        if self._child is not None:
            self._child.close()
            self._child = None
        if self._shm is not None:
            self._shm.close()
            self._shm = None

    def __enter__(self) -> EarlyDecode:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
