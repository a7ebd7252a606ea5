"""Reading and writing audio files.

Decoding goes through PyAV (FFmpeg's libraries with their own codecs, no system ffmpeg),
so every container the workbench accepts (wav, flac, mp3, ogg, m4a, mp4, mov, webm, ...)
takes the same path. Audio is streamed in chunks: downmixed to mono and resampled with
soxr chunk by chunk, so the decoder never holds more than one chunk of the source rate.

No clip may be longer than ``MAX_DURATION_S`` (six hours). A header cannot be trusted for
that: a FLAC of a few hundred kilobytes can hold twelve hours of silence and declare any
length, or none. So the samples are counted as the decoder yields them and decoding stops
with an ``AudioError`` the moment the count passes the limit; a declared length over the
limit is refused before decoding starts. ``gather`` reserves room for the limit once (address
space, not memory), so a lying header cannot make it copy or grow; given a
``paged.DiskSamples`` it moves a long stream into a file instead of memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soundfile as sf
import soxr

from workbench.audio import halves, lengths
from workbench.audio.errors import AudioError
from workbench.audio.frames import Resampler, mono_blocks
from workbench.audio.paged import DiskSamples

TARGET_RATE = 16000
# The longest clip accepted, in seconds of audio actually decoded.
MAX_DURATION_S = 6 * 3600
# A file whose decodable audio ends this much before its declared duration is truncated.
TRUNCATION_TOLERANCE_S = 0.5

@dataclass(frozen=True)
class SourceInfo:
    """What the container says about its first audio stream (before any conversion)."""

    path: str
    format: str
    codec: str
    sample_rate: int
    channels: int
    duration: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _open(path: Path):
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path.name}: the file is empty (zero bytes)")
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"{path.name}: cannot be read as audio: not a media file, or truncated or corrupt ({exc.strerror or exc})"
        ) from exc
    if not container.streams.audio:
        container.close()
        raise AudioError(f"{path.name}: not audio: the file holds no audio stream")
    return container


def decode_chunks(path: Path, *, sample_rate: int = TARGET_RATE, max_seconds: float = MAX_DURATION_S,
                  split_up_to_s: float = 0.0) -> tuple[SourceInfo, Iterator[np.ndarray]]:
    """Open ``path`` and stream its first audio stream as mono float32 chunks at ``sample_rate``.

    Returns the source description (read from the container up front) and an iterator of
    1-D float32 arrays of about a second each. Iterating raises ``AudioError`` for corrupt
    or truncated data, and as soon as more than ``max_seconds`` of audio has been decoded
    (whatever the header says); a declared length over ``max_seconds`` is refused at once.
    An MP4-family clip declaring at most ``split_up_to_s`` has its second half decoded in a
    forked process while the first is streamed (``halves``).
    """
    path = Path(path)
    container = _open(path)
    stream = container.streams.audio[0]
    try:
        info = _describe(container, stream, path)
        if info.duration > max_seconds:
            raise AudioError(f"{path.name}: the file declares {_hours(info.duration)} of audio; the limit is "
                             f"{_hours(max_seconds)}")
    except AudioError:
        container.close()
        raise
    cut = halves.plan(stream, info, sample_rate, up_to_s=split_up_to_s, max_seconds=max_seconds)
    return info, _stream_chunks(container, stream, path.name, info, sample_rate, max_seconds, cut)


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 3600 else f"{seconds:.1f} s"


def probe(path: Path) -> SourceInfo:
    """What ``path``'s container says about its first audio stream, without decoding it.

    Raises ``AudioError`` for a file that is not readable audio.
    """
    path = Path(path)
    container = _open(path)
    try:
        return _describe(container, container.streams.audio[0], path)
    finally:
        container.close()


def _describe(container, stream, path: Path) -> SourceInfo:
    ctx = stream.codec_context
    info = SourceInfo(
        path=str(path),
        format=container.format.name,
        codec=ctx.name,
        sample_rate=int(ctx.sample_rate or 0),
        channels=int(ctx.channels or 0),
        duration=round(lengths.declared_seconds(container, stream, path), 3),
    )
    if info.sample_rate <= 0:
        raise AudioError(f"{path.name}: the audio stream has no sample rate")
    return info


def _stream_chunks(container, stream, name: str, info: SourceInfo, sample_rate: int,
                   max_seconds: float, cut: halves.Plan | None) -> Iterator[np.ndarray]:
    declared = lengths.recorded_seconds(container, stream, Path(info.path))
    source_rate = info.sample_rate
    max_samples = int(max_seconds * source_rate)
    resample = Resampler(source_rate, sample_rate)
    decoded_samples = 0
    # The child is forked here, at the first chunk asked for, so that the ``finally`` below
    # always reaps it.
    half = halves.start(Path(info.path), cut) if cut is not None else None
    try:
        frames = container.decode(stream) if half is None else half.watch(container.decode(stream))
        for block in mono_blocks(frames, name, source_rate):
            decoded_samples += block.size
            if decoded_samples > max_samples:
                raise AudioError(
                    f"{name}: longer than the limit of {_hours(max_seconds)}: decoding stopped there (the header "
                    f"declares {_hours(declared) if declared else 'no length'})"
                )
            out = resample(block)
            if half is None:
                yield out
                continue
            yield half.before_seam(out, resample.produced)
            if decoded_samples >= half.plan.stop:
                total = yield from half.join()
                half = None
                if total is not None:
                    decoded_samples, resample = total, None
                    break
        if half is not None:
            yield from half.give_back()
        tail = resample.flush() if resample is not None else np.zeros(0, np.float32)
        if tail.size:
            yield tail
    except av.error.FFmpegError as exc:
        raise AudioError(f"{name}: the file is corrupt ({exc.strerror or exc})") from exc
    finally:
        if half is not None:
            half.close()
        container.close()
    decoded = decoded_samples / source_rate
    if decoded == 0:
        raise AudioError(f"{name}: no audio could be decoded (zero length or corrupt)")
    if declared and decoded < declared - TRUNCATION_TOLERANCE_S:
        raise AudioError(
            f"{name}: the file is truncated: it declares {declared:.1f} s but only "
            f"{decoded:.1f} s could be decoded"
        )


def capacity(max_seconds: float, sample_rate: int = TARGET_RATE) -> int:
    """Samples ``gather`` must hold for a stream ``decode_chunks`` caps at ``max_seconds``:
    the cap, the chunk that crosses it and the resampler's tail."""
    return int((max_seconds + 2) * sample_rate)


def gather(chunks: Iterable[np.ndarray], *, capacity: int, disk: DiskSamples | None = None,
           disk_after: int = 0) -> np.ndarray:
    """Copy streamed chunks into one float32 array, shape (n_samples,).

    The array is allocated once for ``capacity`` samples and never grows or copies, so the
    peak is the clip itself, whatever its header claimed. Unused capacity is never touched,
    so it costs address space, not memory. A stream longer than ``capacity`` (which
    ``decode_chunks`` with the matching cap never yields) raises ``AudioError``.

    With ``disk`` (a ``workbench.audio.paged.DiskSamples``), a stream that passes
    ``disk_after`` samples moves to an array on disk: what was gathered is copied there
    once, the memory is freed, and the rest goes straight to disk. The result is then that
    array (the same values), and ``disk`` must stay open while it is used.
    """
    buffer = np.empty(capacity, dtype=np.float32)
    filled, on_disk = 0, False
    for chunk in chunks:
        if filled + chunk.size > capacity:
            raise AudioError(f"the audio is longer than the {capacity} samples it may have")
        if disk is not None and not on_disk and filled + chunk.size > disk_after:
            held, buffer = buffer, disk.array(capacity)
            disk.reserve(filled + chunk.size)
            buffer[:filled] = held[:filled]
            del held
            on_disk = True
        elif on_disk:
            disk.reserve(filled + chunk.size)
        buffer[filled : filled + chunk.size] = chunk
        filled += chunk.size
    return buffer[:filled]


def read_audio(path: Path, *, sample_rate: int = TARGET_RATE,
               max_seconds: float = MAX_DURATION_S) -> tuple[np.ndarray, SourceInfo]:
    """Decode a whole file to mono float32 at ``sample_rate``; at most ``max_seconds`` of it
    (``AudioError`` past that, see ``decode_chunks``).

    Returns ``(audio, info)``: ``audio`` has shape ``(n_samples,)``.
    """
    info, chunks = decode_chunks(path, sample_rate=sample_rate, max_seconds=max_seconds)
    return gather(chunks, capacity=capacity(max_seconds, sample_rate)), info


def read_span(path: Path, start: float, end: float) -> tuple[np.ndarray, int]:
    """Read ``[start, end)`` seconds of a file as mono float32.

    Returns ``(audio, sample_rate)`` with ``audio`` of shape ``(n_samples,)`` at the file's
    own rate for wav/flac/ogg (read directly by libsndfile) and at 16 kHz otherwise.
    """
    if end < start:
        raise AudioError(f"span end {end} is before its start {start}")
    path = Path(path)
    try:
        with sf.SoundFile(str(path)) as handle:
            rate = handle.samplerate
            handle.seek(min(int(round(start * rate)), handle.frames))
            audio = handle.read(int(round((end - start) * rate)), dtype="float32", always_2d=True)
            return audio.mean(axis=1).astype(np.float32), rate
    except sf.LibsndfileError:
        pass
    audio, _ = read_audio(path)
    return audio[int(round(start * TARGET_RATE)) : int(round(end * TARGET_RATE))], TARGET_RATE


def pcm16(audio: np.ndarray) -> np.ndarray:
    """Float samples (full scale ±1) as the 16-bit PCM libsndfile writes to FLAC for them:
    times 32768, rounded half to even, clipped to the int16 range.

    Give libsndfile these rather than floats: it converts floats one sample at a time with a
    call to ``lrintf``, over a third of the CPU it spent writing a 10-minute clip's FLAC
    files (measured with ``perf``); numpy does the same in a few vectorised passes. (For WAV
    libsndfile rounds down instead, a bias of half a step; a WAV written from these is
    rounded like the FLAC.)
    """
    scaled = np.multiply(audio, np.float32(32768.0), dtype=np.float32)
    np.rint(scaled, out=scaled)
    np.clip(scaled, -32768.0, 32767.0, out=scaled)
    return scaled.astype(np.int16)


def pcm16_file(path: Path, sample_rate: int, *, channels: int = 1) -> sf.SoundFile:
    """A 16-bit PCM file open for writing ``pcm16`` chunks, WAV or FLAC by ``path``'s suffix."""
    return sf.SoundFile(str(path), "w", sample_rate, channels, "PCM_16")


_PYAV_AUDIO_CODECS = {".m4a": "aac", ".mp4": "aac", ".mp3": "libmp3lame", ".ogg": "libopus", ".webm": "libopus", ".opus": "libopus"}


def write_audio(path: Path, audio: np.ndarray, sample_rate: int, *, bitrate: int = 64000) -> Path:
    """Write ``audio`` to ``path``, the format chosen by the suffix.

    ``audio`` is float32 of shape ``(n_samples,)`` (mono) or ``(n_samples, n_channels)``.
    ``.wav`` and ``.flac`` are 16-bit PCM via libsndfile; ``.m4a``, ``.mp3``, ``.ogg``
    (Opus), ``.mp4`` and ``.webm`` (audio only) are encoded with PyAV at ``bitrate``.
    """
    path = Path(path)
    audio = np.asarray(audio, dtype=np.float32)
    suffix = path.suffix.lower()
    if suffix in (".wav", ".flac"):
        step = 10 * sample_rate  # ten seconds at a time: six hours in int16 would be 700 MB
        with pcm16_file(path, sample_rate, channels=1 if audio.ndim == 1 else audio.shape[1]) as out:
            for first in range(0, len(audio), step):
                out.write(pcm16(audio[first : first + step]))
        return path
    if suffix not in _PYAV_AUDIO_CODECS:
        raise AudioError(f"cannot write audio as {suffix!r}")
    with av.open(str(path), "w") as container:
        add_audio_stream(container, _PYAV_AUDIO_CODECS[suffix], audio, sample_rate, bitrate=bitrate)()
    return path


def add_audio_stream(container, codec: str, audio: np.ndarray, sample_rate: int, *, bitrate: int = 64000):
    """Add an audio stream for ``audio`` ((n,) or (n, channels) float32) to an output container.

    Returns a callable that encodes and muxes the audio; call it after every stream has
    been added (the container header is written at the first mux).
    """
    planar = audio.reshape(len(audio), -1).T.copy()
    channels = planar.shape[0]
    rate = 48000 if codec == "libopus" and sample_rate not in (8000, 12000, 16000, 24000, 48000) else sample_rate
    if rate != sample_rate:
        planar = np.stack([soxr.resample(ch, sample_rate, rate) for ch in planar]).astype(np.float32)
    layout = {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")
    stream = container.add_stream(codec, rate=rate, layout=layout)
    stream.bit_rate = bitrate

    def mux() -> None:
        block = 4096
        for offset in range(0, planar.shape[1], block):
            chunk = np.ascontiguousarray(planar[:, offset : offset + block])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = offset
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)

    return mux
