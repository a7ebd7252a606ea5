"""A long MP4's second half decoded in a forked process (``workbench.audio.halves``): the
same samples as one decoder gives, and, whenever the child cannot be trusted, exactly what
one decoder gives, with no child left behind."""

from __future__ import annotations

import itertools
import json
import struct
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
import soxr

from recorded_speech import recorded_sentences
from workbench.audio import halves, io, pipeline, synth
from workbench.audio.errors import AudioError

SOURCE_RATE = 44100


def _stereo_speech(seconds: float) -> np.ndarray:
    """Recorded speech repeated to ``seconds`` over a -60 dBFS noise floor, at 44.1 kHz
    stereo like a client's video."""
    speech = recorded_sentences()
    mono = np.tile(speech, int(seconds * 16000) // speech.size + 1)[: int(seconds * 16000)]
    mono = mono + np.random.default_rng(7).normal(0, 1e-3, mono.size).astype(np.float32)
    wide = soxr.resample(mono, 16000, SOURCE_RATE).astype(np.float32)
    return np.stack([wide, 0.5 * wide], axis=1)


def _write(path: Path, codec: str, audio: np.ndarray) -> Path:
    with av.open(str(path), "w") as container:
        io.add_audio_stream(container, codec, audio, SOURCE_RATE)()
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    """70 s of speech as lossless ALAC (.m4a), as 64 kbit/s AAC (.mp4), as 64 kbit/s MP3, as
    FLAC, as 64 kbit/s Opus in Ogg and in WebM (at 48 kHz: Opus has no other rate here), and
    as a WebM video (VP9 and Opus) like a browser's or a video site's."""
    folder = tmp_path_factory.mktemp("halves")
    audio = _stereo_speech(70)
    return {"alac": _write(folder / "speech.m4a", "alac", audio), "aac": _write(folder / "speech.mp4", "aac", audio),
            "mp3": _write(folder / "speech.mp3", "libmp3lame", audio), "flac": _write(folder / "speech.flac", "flac", audio),
            "opus": io.write_audio(folder / "speech.ogg", audio, SOURCE_RATE),
            "webm": io.write_audio(folder / "speech.webm", audio, SOURCE_RATE),
            "webm video": synth.write_video(folder / "video.webm", audio, SOURCE_RATE, bitrate=64000)}


def decode(path: Path, *, split: bool = True, max_seconds: float = io.MAX_DURATION_S) -> np.ndarray:
    _, chunks = io.decode_chunks(path, max_seconds=max_seconds, split_up_to_s=900.0 if split else 0.0)
    return io.gather(chunks, capacity=io.capacity(max_seconds))


@pytest.fixture
def joins(monkeypatch) -> list:
    """What each ``SecondHalf.join`` returned: the stream's length if the child's half was
    taken, None if the caller decoded on."""
    seen, join = [], halves.SecondHalf.join

    def recorded(self):
        total = yield from join(self)
        seen.append(total)
        return total

    monkeypatch.setattr(halves.SecondHalf, "join", recorded)
    return seen


@pytest.mark.parametrize("kind", ["alac", "flac", "mp3", "opus", "webm", "webm video"])
def test_a_clip_decodes_to_the_same_samples_in_two_processes(clips, joins, forks, kind):
    # ALAC and FLAC are lossless, and an MP3 or Opus decoder's state (MP3's bit reservoir,
    # either's overlap) is rebuilt within the preroll: no randomness in any of them. In WebM
    # the child is placed by millisecond timestamps and Opus's pre-skip.
    one = decode(clips[kind], split=False)
    two = decode(clips[kind])
    rate = 48000 if kind in ("opus", "webm", "webm video") else SOURCE_RATE
    assert len(forks) == 1 and joins == [70 * rate]
    assert two.size == one.size == 70 * 16000
    # Only the resampler's float rounding differs: a child placed even one sample off
    # would differ by the speech itself.
    assert np.abs(two - one).max() < 1e-6
    assert forks.gone()


def test_the_shared_memory_is_given_back_when_the_stream_ends(clips, monkeypatch):
    # Whether the child's half was taken or not: the SecondHalf and its child refer to each
    # other, so without closing, the memory would wait for the garbage collector.
    made, start = [], halves.SecondHalf.__init__

    def recorded(self, *args):
        start(self, *args)
        made.append(self)

    monkeypatch.setattr(halves.SecondHalf, "__init__", recorded)
    decode(clips["alac"])
    monkeypatch.setattr(halves, "_decode_into", lambda path, plan, shm: 1 / 0)
    decode(clips["alac"])
    assert len(made) == 2 and all(half._shm.closed for half in made)


def test_an_aac_clip_differs_only_in_the_noise_its_encoder_left_to_the_decoder(clips, joins):
    one = decode(clips["aac"], split=False)
    two = decode(clips["aac"])
    assert joins and joins[0] is not None
    assert two.size == one.size
    seam = 35 * 16000
    assert np.array_equal(two[:seam], one[:seam])
    after = slice(seam, None)
    difference = np.sqrt(np.mean((two[after] - one[after]) ** 2))
    assert difference < 0.1 * np.sqrt(np.mean(one[after] ** 2))


def test_a_failing_child_leaves_the_decoding_to_the_caller(clips, joins, forks, monkeypatch):
    def fails(path, plan, shm):
        raise RuntimeError("the child's decoder broke")

    monkeypatch.setattr(halves, "_decode_into", fails)
    assert np.array_equal(decode(clips["aac"]), decode(clips["aac"], split=False))
    assert joins == [None] and len(forks) == 1 and forks.gone()


def test_a_system_that_will_not_fork_now_leaves_the_whole_clip_to_the_caller(clips, joins, monkeypatch):
    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork's EAGAIN: too many processes

    monkeypatch.setattr(halves.forked.os, "fork", refused)
    assert np.array_equal(decode(clips["aac"]), decode(clips["aac"], split=False))
    assert joins == []


def test_a_stalled_child_is_killed_and_the_caller_decodes_on(clips, joins, forks, monkeypatch):
    monkeypatch.setattr(halves, "_decode_into", lambda path, plan, shm: time.sleep(3600))
    monkeypatch.setattr(halves, "STALL_S", 0.5)
    started = time.monotonic()
    two = decode(clips["alac"])
    assert time.monotonic() - started < 60
    assert np.array_equal(two, decode(clips["alac"], split=False))
    assert joins == [None] and forks.gone()


def test_a_child_that_starts_in_the_wrong_place_is_refused(clips, joins, monkeypatch):
    decode_into = halves._decode_into

    def misplaced(path, plan, shm):
        # A tenth of a second off, as a container's inexact seek would leave it.
        return decode_into(path, halves.Plan(**{**plan.__dict__, "origin": plan.origin + SOURCE_RATE // 10}), shm)

    monkeypatch.setattr(halves, "_decode_into", misplaced)
    assert np.array_equal(decode(clips["alac"]), decode(clips["alac"], split=False))
    assert joins == [None]


def test_a_seam_in_digital_silence_is_not_taken(joins, tmp_path):
    # Silence on both sides would agree with a child placed anywhere.
    audio = _stereo_speech(70)
    audio[32 * SOURCE_RATE : 38 * SOURCE_RATE] = 0.0
    hushed = _write(tmp_path / "hushed.m4a", "alac", audio)
    assert np.array_equal(decode(hushed), decode(hushed, split=False))
    assert joins == [None]


def test_a_stream_whose_timestamps_are_not_in_samples_is_not_split():
    class Stream:
        time_base, start_time = Fraction(1, 1000), 0

    info = io.SourceInfo(path="x.mp4", format="mov,mp4,m4a,3gp,3g2,mj2", codec="aac", sample_rate=48000,
                         channels=2, duration=600.0)
    assert halves.plan(Stream(), info, 16000, up_to_s=900, max_seconds=3600) is None
    Stream.time_base = Fraction(1, 48000)
    assert halves.plan(Stream(), info, 16000, up_to_s=900, max_seconds=3600) is not None
    Stream.time_base = Fraction(1, 14112000)  # MP3's: 294 units a sample at 48 kHz
    assert halves.plan(Stream(), info, 16000, up_to_s=900, max_seconds=3600).per_pts == Fraction(1, 294)
    mp3 = halves.plan(Stream(), info, 16000, up_to_s=900, max_seconds=3600)
    assert (mp3.at(294 * 5), mp3.at(294 * 5 + 100), mp3.at(None)) == (5, None, None)  # a frame between samples names none
    Stream.start_time = 100  # a third of a sample in
    assert halves.plan(Stream(), info, 16000, up_to_s=900, max_seconds=3600) is None


def test_an_opus_clip_in_milliseconds_is_placed_by_its_second_frame(clips):
    # FFmpeg drops the pre-skip (312 samples) from the first frame and moves its timestamp by
    # 6.5 ms, rounded. Our muxer stamps every packet 0.5 ms late as well (the encoder's
    # -6.5 ms start, rounded), so the first sample lies 24 samples in, as the timestamps count.
    def cut(path):
        with av.open(str(path)) as container:
            return halves.plan(container.streams.audio[0], io.probe(path), 16000, up_to_s=900, max_seconds=3600)

    with av.open(str(clips["webm"])) as container:
        first, second = itertools.islice(container.decode(audio=0), 2)
    plan = cut(clips["webm"])
    assert plan.per_pts == 48 and first.samples == 960 - 312
    assert plan.origin == second.pts * 48 - first.samples  # 14 * 48 - 648 = 24 with PyAV 18
    assert plan.origin != first.pts * 48  # the first frame's own timestamp would misplace it


def test_a_seek_that_lands_past_the_childs_start_is_refused(clips, joins, monkeypatch):
    # As a container that seeks to the next key frame would: a second late.
    monkeypatch.setattr(halves, "PREROLL_S", -1.0)
    monkeypatch.setattr(halves, "AGREEMENT", float("inf"))
    assert np.array_equal(decode(clips["alac"]), decode(clips["alac"], split=False))
    assert joins == [None]


def _with_gap(source: Path, target: Path, at_s: float, gap_s: float) -> Path:
    """``source``'s packets, those from ``at_s`` on stamped ``gap_s`` later."""
    with av.open(str(source)) as reading, av.open(str(target), "w") as writing:
        stream = reading.streams.audio[0]
        out = writing.add_stream_from_template(stream)
        shift = int(gap_s / stream.time_base)
        for packet in reading.demux(stream):
            if packet.dts is None:
                continue
            if packet.pts * stream.time_base >= at_s:
                packet.pts += shift
                packet.dts += shift
            packet.stream = out
            writing.mux(packet)
    return target


@pytest.mark.parametrize("gap_at_s", [20.0, 50.0], ids=["before the seam", "after the seam"])
def test_timestamps_that_skip_keep_the_caller_decoding(clips, joins, monkeypatch, tmp_path, gap_at_s):
    # One decoder counts the samples as they come; the child is placed by timestamps, so a
    # gap in them must keep it out, even with the comparison at the seam switched off.
    gapped = _with_gap(clips["alac"], tmp_path / "gapped.m4a", gap_at_s, 0.5)
    monkeypatch.setattr(halves, "AGREEMENT", float("inf"))
    assert np.array_equal(decode(gapped), decode(gapped, split=False))
    assert joins == [None]


def _understated(path: Path, target: Path) -> Path:
    """``path`` with its track header (mdhd) declaring half its length."""
    data = bytearray(path.read_bytes())
    duration_at = data.find(b"mdhd") + 20  # version and flags, two dates, the time scale
    assert data[duration_at - 16] == 0  # version 0: 32-bit fields
    struct.pack_into(">I", data, duration_at, struct.unpack_from(">I", data, duration_at)[0] // 2)
    target.write_bytes(bytes(data))
    return target


@pytest.fixture(scope="module")
def understated(tmp_path_factory) -> Path:
    """130 s of ALAC whose header declares 65 s."""
    folder = tmp_path_factory.mktemp("understated")
    honest = _write(folder / "honest.m4a", "alac", _stereo_speech(130))
    return _understated(honest, folder / "understated.m4a")


def test_a_header_that_understates_the_length_changes_nothing(understated, joins):
    assert io.probe(understated).duration == 65.0
    one = decode(understated, split=False)
    assert one.size == 130 * 16000
    assert np.array_equal(decode(understated), one)
    assert joins == [None]  # the child ran out of the room the header gave it


def test_a_header_that_understates_the_length_still_meets_the_limit(understated, joins):
    with pytest.raises(AudioError) as alone:
        decode(understated, split=False, max_seconds=100)
    with pytest.raises(AudioError) as split:
        decode(understated, max_seconds=100)
    assert str(split.value) == str(alone.value)
    assert "longer than the limit of 100.0 s" in str(split.value)


def test_a_stream_abandoned_early_leaves_no_child(clips, forks):
    _, chunks = io.decode_chunks(clips["alac"], split_up_to_s=900.0)
    next(chunks)
    chunks.close()
    assert len(forks) == 1 and forks.gone()


def test_a_damaged_second_half_fails_as_it_does_for_one_decoder(clips, tmp_path):
    data = bytearray(clips["aac"].read_bytes())
    start = data.find(b"mdat") + len(data) * 3 // 5
    data[start : start + 20000] = bytes(range(256)) * 78 + bytes(32)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    outcomes = []
    for split in (False, True):
        try:
            outcomes.append(decode(damaged, split=split).size)
        except AudioError as error:
            outcomes.append(str(error))
    assert outcomes[0] == outcomes[1]


def _wav(path: Path, seconds: float) -> Path:
    sf.write(path, _stereo_speech(seconds), SOURCE_RATE)
    return path


def _aac_in_matroska(path: Path) -> Path:
    """70 s of AAC at 48 kHz in Matroska: a millisecond is 48 samples, but AAC's frames of
    1024 samples are 21.33 ms, so their timestamps are rounded."""
    audio = soxr.resample(_stereo_speech(70), SOURCE_RATE, 48000).astype(np.float32)
    with av.open(str(path), "w") as container:
        io.add_audio_stream(container, "aac", audio, 48000)()
    return path


@pytest.mark.parametrize(
    ("make", "up_to_s"),
    [
        (lambda folder, clips: _wav(folder / "speech.wav", 70), 900.0),  # not an MP4
        (lambda folder, clips: _write(folder / "short.m4a", "alac", _stereo_speech(50)), 900.0),
        (lambda folder, clips: clips["alac"], 60.0),  # longer than the caller splits
        (lambda folder, clips: _aac_in_matroska(folder / "speech.mkv"), 900.0),
    ],
    ids=["wav", "under a minute", "past split_up_to_s", "aac in matroska: frames of no whole millisecond"],
)
def test_what_is_decoded_by_one_process(clips, forks, tmp_path, make, up_to_s):
    path = make(tmp_path, clips)
    _, chunks = io.decode_chunks(path, split_up_to_s=up_to_s)
    assert io.gather(chunks, capacity=io.capacity(io.MAX_DURATION_S)).size > 0
    assert forks == []


def test_the_pipeline_splits_a_long_mp4_and_finds_the_same_segments(clips, joins, tmp_path, monkeypatch):
    two = pipeline.process_file(clips["aac"], tmp_path / "two", language="en")
    assert len(joins) == 1 and joins[0] is not None
    monkeypatch.setattr(halves, "SPLIT_FORMATS", frozenset())
    one = pipeline.process_file(clips["aac"], tmp_path / "one", language="en")
    assert len(joins) == 1
    lines = [[json.loads(line) for line in (run.out_dir / "manifest.jsonl").read_text().splitlines()] for run in (one, two)]
    assert len(lines[0]) == len(lines[1]) > 5
    for a, b in zip(*lines):
        assert abs(a["start"] - b["start"]) <= 0.02 and abs(a["end"] - b["end"]) <= 0.02
