"""The second half of a long clip, decoded in a forked process beside the first.

PyAV holds the GIL while FFmpeg decodes, so a second thread cannot share the decoding: two
threads decoding the halves of the 10-minute clip took 0.86 s where one thread decoded all
of it in 0.40 s. A second process can. ``start`` forks a child that seeks to just before the
middle of the clip and decodes, downmixes and resamples from there to the end, into shared
memory, while the caller decodes the first half. At the seam, ``SecondHalf.join`` hands on
the child's samples instead of the caller decoding them again.

The child can only make decoding faster, never change what it allows. The caller keeps its
own decoder going to a little past the seam, and if the child's half cannot be trusted (it
failed, stalled, ran out of room, met timestamps that were not contiguous, or its first
samples past the seam do not agree with the caller's) the child is killed and the caller
decodes on from the seam itself, exactly as it would have without it. Every check on the
whole stream (its length limit, truncation, a corrupt packet) is then the caller's own.

Only MP4-family files (MP4, MOV, M4A, 3GP), MP3, FLAC, Ogg and Opus in WebM or Matroska are
split: every frame's timestamp in them is a whole number of samples (MP4, FLAC and Ogg count
samples; MP3's time base, 1/14112000 s, holds a whole number of samples at 8 to 48 kHz) and
seeking in them is exact, so the child knows which sample it starts at. Ogg Opus is; in Ogg
Vorbis FFmpeg stamps the frame where a long block gives way to short ones 448 samples late
(and the next one early), anywhere in the stream, so its child refuses at the first such
frame and the caller decodes alone. Matroska counts milliseconds, which name a sample only
where every frame lasts a whole number of them: Opus's 20 ms frames (960 samples) do, other
codecs' frames (AAC's 1024 samples, Vorbis's) do not, so only Opus is split there. The first
frame a decoder gives, at the start or after a seek, is not placed by its timestamp: FFmpeg
drops Opus's pre-skip (312 samples, 6.5 ms) from it and moves its timestamp by as much,
rounded to a whole millisecond. Each frame after it is placed exactly, once the offset of
the packets' own timestamps is known (a muxer may round the encoder's -6.5 ms start, and
every packet with it): the plan reads it from the clip's first two frames. WAV is cheap to
decode in one process. Clips shorter than ``MIN_SPLIT_S`` are not worth a process.

The halves are decoded from different starting points. Everything a decoder carries from
frame to frame is rebuilt within the ``PREROLL_S`` decoded before the seam and thrown away,
except what depends on the whole history: AAC's noise substitution fills the bands an
encoder marked as noise from a random generator that runs from the start of the stream, so
that noise differs after the seam. On the bench's 10-minute clip the difference's RMS is
-83 dBFS and one segment of 125 ends 10 ms later; on a 64 kbit/s stereo AAC of recorded
speech it is 30 dB under the speech. The standard leaves that noise to the decoder, so both
are faithful decodings of the file. A lossless stream (ALAC) gives the same samples either
way, to float rounding.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from workbench.audio import forked
from workbench.audio.frames import Resampler, mono_blocks

SPLIT_FORMATS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "mp3", "flac", "ogg", "matroska,webm"})
MIN_SPLIT_S = 60.0
# The caller's part of the clip. It also converts and writes ``original.flac`` as it goes.
CALLER_SHARE = 0.5
# Decoded before the child's first sample and thrown away, so the decoder's state is built.
PREROLL_S = 1.0
# Resampled on both sides of the seam: the child starts its resampler this much before the
# seam and the caller runs on this much past it (soxr's filter is a few milliseconds long).
# Past the seam both are compared.
CONTEXT_S = 0.25
# A child whose output has not grown for this long is killed.
STALL_S = 5.0
# Room past the declared duration; a stream longer than that is the caller's to decode.
SLACK_S = 5.0
# The child's first samples past the seam must agree with the caller's: the RMS of the
# difference at most this share of the caller's RMS. Noise substitution differs by far less;
# a misplaced start (a frame or more) by far more. Where the caller's samples there are
# quieter than MIN_LEVEL (-80 dBFS) nothing can be told from them, and the child's half is
# not taken.
AGREEMENT = 0.5
MIN_LEVEL = 1e-4


@dataclass(frozen=True)
class Plan:
    """Where the clip is cut, in source samples counted from the stream's first sample."""

    origin: int  # the stream's first timestamp, in samples
    per_pts: Fraction  # samples per unit of the stream's timestamps
    seam: int  # the caller decodes [0, seam), the child [seam, end)
    context: int
    source_rate: int
    target_rate: int
    room: int  # source samples the child may decode past the seam

    def out(self, source_samples: int) -> int:
        """The output sample that ``source_samples`` maps to (exact: both are multiples of
        the rates' ratio)."""
        return source_samples * self.target_rate // self.source_rate

    @property
    def stop(self) -> int:
        return self.seam + self.context

    def at(self, pts: int | None) -> int | None:
        """The sample a frame's timestamp ``pts`` names, or None where it names none (no
        timestamp, or one between two samples)."""
        if pts is None or pts * self.per_pts.numerator % self.per_pts.denominator:
            return None
        return pts * self.per_pts.numerator // self.per_pts.denominator


def plan(stream, info, target_rate: int, *, up_to_s: float, max_seconds: float) -> Plan | None:
    """The cut for ``info``'s clip (``stream`` is its audio stream), or None where it is not split."""
    rate = info.sample_rate
    if not (hasattr(os, "fork") and info.format in SPLIT_FORMATS and MIN_SPLIT_S <= info.duration <= up_to_s):
        return None
    # Each sample must be a whole number of timestamp units (one in MP4 and FLAC, 294 in an
    # MP3 at 48 kHz), and the stream must start on a sample: then a frame's timestamp says
    # which sample it starts at. Milliseconds (Matroska) do only for Opus's frames.
    per_pts = Fraction(stream.time_base) * rate
    if per_pts.numerator == 1:
        origin = (stream.start_time or 0) * per_pts
    elif per_pts.denominator == 1 and info.codec == "opus":
        origin = _first_sample(info.path, per_pts)
    else:
        return None
    if origin is None or Fraction(origin).denominator != 1:
        return None
    step = rate // math.gcd(rate, target_rate)
    total = int(info.duration * rate)
    seam = int(total * CALLER_SHARE) // step * step
    context = -(-int(CONTEXT_S * rate) // step) * step
    room = min(total - seam + int(SLACK_S * rate), int(max_seconds * rate) - seam)
    if room <= context:
        return None
    return Plan(origin=int(origin), per_pts=per_pts, seam=seam, context=context, source_rate=rate,
                target_rate=target_rate, room=room)


def _first_sample(path: str, per_pts: Fraction) -> int | None:
    """Where the first decoded sample of ``path``'s audio lies, as its timestamps count: the
    second frame's timestamp less the first frame's length (FFmpeg drops Opus's pre-skip
    from the first frame and moves its timestamp, rounded; the packets' own timestamps may
    be rounded too, all by the same amount). None where two frames cannot be decoded or the
    second names no sample. ``SecondHalf.watch`` checks the same thing on the caller's own
    decoding."""
    try:
        with av.open(path) as container:
            frames = container.decode(container.streams.audio[0])
            first, second = next(frames), next(frames)
    except (av.error.FFmpegError, StopIteration):
        return None
    at = second.pts * per_pts if second.pts is not None else None
    return None if at is None or at.denominator != 1 else int(at) - first.samples


class _Refused(Exception):
    """The child's half cannot be placed or held."""


def _without_first(count: int) -> Callable[[np.ndarray], np.ndarray]:
    """A function that drops the first ``count`` samples of the arrays it is given in turn,
    however many arrays they span."""

    def drop(block: np.ndarray) -> np.ndarray:
        nonlocal count
        taken = min(count, block.size)
        count -= taken
        return block[taken:]

    return drop


def _from(frames: Iterable, plan: Plan, first: int, preroll: int, lead: list[int]) -> Iterator:
    """``frames`` from the one holding sample ``first`` on; ``lead`` gets how many of that
    frame's samples come before it. ``_Refused`` for timestamps that are missing, name no
    sample or are not contiguous, or a seek that left less than half the preroll. The first
    frame after the seek is decoded and dropped unplaced (see the module's note on Opus)."""
    expected = None
    frames = iter(frames)
    next(frames, None)
    for frame in frames:
        at = plan.at(frame.pts)
        if at is None or (expected is not None and at != expected):
            raise _Refused("timestamps are not contiguous")
        if expected is None and at > first - preroll // 2:
            raise _Refused("the seek left too little preroll")
        expected = at + frame.samples
        if expected <= first:
            continue
        if not lead:
            lead.append(first - at)
        yield frame


def _decode_into(path: Path, plan: Plan, shm: forked.SharedSamples) -> tuple[int, int]:
    """The child's work: decode from ``plan.seam - plan.context`` to the end, resample, and
    write the samples from the seam on into ``shm``; ``_Refused`` (or ``shm.Full``) if it
    cannot. Returns the samples written and the source samples they came from."""
    container = av.open(str(path))
    stream = container.streams.audio[0]
    first = plan.origin + plan.seam - plan.context
    preroll = int(PREROLL_S * plan.source_rate)
    container.seek(int((first - preroll) / plan.per_pts), stream=stream, backward=True)
    resample = Resampler(plan.source_rate, plan.target_rate)
    fed, lead = 0, []
    drop_context = _without_first(plan.out(plan.context))  # resampled, before the seam

    def put(out: np.ndarray) -> None:
        shm.append(drop_context(out))

    drop_lead = None  # the first frame's samples before ``first``, known once it is decoded
    for block in mono_blocks(_from(container.decode(stream), plan, first, preroll, lead), path.name, plan.source_rate):
        drop_lead = drop_lead or _without_first(lead[0])
        block = drop_lead(block)
        fed += block.size
        put(resample(block))
    put(resample.flush())
    return shm.written(), fed - plan.context


def start(path: Path, plan: Plan) -> SecondHalf | None:
    """A child decoding ``plan``'s second half, or None where the system will not make one
    now (the fork or the shared memory refused: too many processes, too little memory); the
    caller then decodes the whole clip, as without the child."""
    try:
        return SecondHalf(path, plan)
    except OSError:
        return None


class SecondHalf:
    """A forked child decoding ``plan``'s second half. The caller passes its frames through
    ``watch``, its output through ``before_seam``, and at ``plan.stop`` source samples calls
    ``join``; ``close`` (always) kills and reaps the child if it is still there."""

    def __init__(self, path: Path, plan: Plan) -> None:
        self.plan = plan
        self._reserve: list[np.ndarray] = []
        self._contiguous = True
        self._shm = forked.SharedSamples(plan.out(plan.room) + plan.target_rate)
        try:
            self._child = forked.ForkedCall(lambda: _decode_into(Path(path), plan, self._shm), stall_s=STALL_S,
                                            progress=self._shm.written)
        except OSError:
            self._shm.close()
            raise

    def watch(self, frames: Iterable) -> Iterator:
        """The caller's frames, unchanged; notes whether their timestamps count samples from
        ``plan.origin`` (the child's samples are placed by them). The first frame's own
        timestamp is not read (see the module's note on Opus): the second's places it."""
        expected = None
        for frame in frames:
            if expected is not None and self.plan.at(frame.pts) != expected:
                self._contiguous = False
            expected = (self.plan.origin if expected is None else expected) + frame.samples
            yield frame

    def before_seam(self, out: np.ndarray, produced: int) -> np.ndarray:
        """The part of the caller's resampled ``out`` (the resampler has ``produced`` samples
        so far) that comes before the seam; the rest is held until ``join``."""
        cut = max(0, min(out.size, self.plan.out(self.plan.seam) - (produced - out.size)))
        if cut < out.size:
            self._reserve.append(out[cut:])
        return out[:cut]

    def join(self) -> Iterator[np.ndarray]:
        """Yield the samples from the seam on: the child's (then return the stream's source
        samples in all), or, if they cannot be trusted, the caller's held ones (then return
        None, and the caller decodes on)."""
        held = np.concatenate(self._reserve) if self._reserve else np.zeros(0, np.float32)
        self._reserve = []
        theirs = self._child.result() if self._contiguous else forked.FAILED
        if theirs is not forked.FAILED and self._agrees(held, theirs[0]):
            written, source = theirs
            yield from self._shm.blocks(written, self.plan.target_rate)
            self.close()
            return self.plan.seam + source
        self.close()
        if held.size:
            yield held
        return None

    def give_back(self) -> Iterator[np.ndarray]:
        """The held samples, for a stream that ended before ``plan.stop``."""
        self.close()
        if self._reserve:
            yield np.concatenate(self._reserve)
            self._reserve = []

    def _agrees(self, held: np.ndarray, written: int) -> bool:
        count = min(held.size, written)
        if count < self.plan.out(self.plan.context) // 2:
            return False
        theirs = self._shm.view(count)
        ours = held[:count].astype(np.float64)
        level = float(np.sqrt(np.mean(ours**2)))
        return level >= MIN_LEVEL and float(np.sqrt(np.mean((ours - theirs) ** 2))) <= AGREEMENT * level

    def close(self) -> None:
        """Kill and reap the child if it is still there, and give back the shared memory."""
        self._child.close()
        self._shm.close()
