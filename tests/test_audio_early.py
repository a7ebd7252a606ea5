"""A clip decoded by a forked child while the caller loads the pipeline
(``workbench.audio.early``): the pipeline's own samples to the bit, and, whenever the child
is not there or cannot be used, the pipeline decoding the clip itself as before, with no
child left behind."""

from __future__ import annotations

import json
import time
from pathlib import Path

import av
import numpy as np
import pytest
import soxr
from typer.testing import CliRunner

from recorded_speech import recorded_sentences
from workbench.audio import early, io, pipeline
from workbench.audio.errors import AudioError
from workbench.audio.paged import ON_DISK_AFTER_S
from workbench.cli import app

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
LIMIT = io.MAX_DURATION_S


@pytest.fixture(scope="module")
def long_mp4(tmp_path_factory) -> Path:
    """70 s of recorded speech as 44.1 kHz stereo AAC: long enough that the decoding
    itself splits into halves (``halves``), a child of the early child."""
    speech = recorded_sentences()
    mono = np.tile(speech, 70 * 16000 // speech.size + 1)[: 70 * 16000]
    wide = soxr.resample(mono, 16000, 44100).astype(np.float32)
    path = tmp_path_factory.mktemp("early") / "speech.mp4"
    with av.open(str(path), "w") as container:
        io.add_audio_stream(container, "aac", np.stack([wide, 0.5 * wide], axis=1), 44100)()
    return path


def own_decoding(path: Path) -> tuple[io.SourceInfo, np.ndarray]:
    info, chunks = io.decode_chunks(path, max_seconds=LIMIT, split_up_to_s=ON_DISK_AFTER_S)
    return info, np.concatenate(list(chunks))


def taken(decoding: early.EarlyDecode) -> tuple[io.SourceInfo, np.ndarray] | None:
    got = decoding.take()
    return None if got is None else (got[0], np.concatenate(list(got[1])))


@pytest.mark.parametrize("clip", ["long-aac", "en_lesson.mp4", "ko_interview.wav", "ko_call.mp3"])
def test_the_early_samples_are_the_pipelines_own_to_the_bit(long_mp4, clip, forks):
    path = long_mp4 if clip == "long-aac" else SAMPLES / clip
    with early.EarlyDecode(path, max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S) as decoding:
        assert decoding.started
        info, samples = taken(decoding)
    own_info, own = own_decoding(path)
    assert info == own_info
    assert samples.dtype == own.dtype and np.array_equal(samples, own)
    assert forks.gone()


def test_process_file_writes_the_same_files_from_the_early_samples(tmp_path):
    clip = SAMPLES / "en_lesson.mp4"
    pipeline.process_file(clip, tmp_path / "own", language="en")
    with early.EarlyDecode(clip, max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S) as decoding:
        pipeline.process_file(clip, tmp_path / "early", language="en", early_decode=decoding)
    for name in ("original.flac", "clean.flac", "manifest.jsonl"):
        assert (tmp_path / "early" / name).read_bytes() == (tmp_path / "own" / name).read_bytes(), name


def test_workbench_process_decodes_in_a_child_while_it_loads_the_pipeline(tmp_path, monkeypatch, forks):
    takes, take = [], early.EarlyDecode.take

    def recorded(self):
        got = take(self)
        takes.append(got is not None)
        return got

    monkeypatch.setattr(early.EarlyDecode, "take", recorded)
    result = CliRunner().invoke(app, ["process", str(SAMPLES / "ko_call.mp3"), "--language", "ko", "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    # The sample clip is too short for the halves, so the one child is the early decoding.
    assert takes == [True] and len(forks) == 1 and forks.gone()
    pipeline.process_file(SAMPLES / "ko_call.mp3", tmp_path / "own", language="ko")
    assert (tmp_path / "cli" / "clean.flac").read_bytes() == (tmp_path / "own" / "clean.flac").read_bytes()


def stalls(path, shm, **limits):
    time.sleep(60)


def fails(path, shm, **limits):
    raise RuntimeError("the child's decoding broke")


@pytest.mark.parametrize("child", [stalls, fails], ids=["stalls", "fails"])
def test_a_child_that_stalls_or_fails_leaves_the_pipeline_to_decode(tmp_path, monkeypatch, forks, child):
    monkeypatch.setattr(early, "STALL_S", 0.5)
    monkeypatch.setattr(early, "_decode_into", child)
    clip = SAMPLES / "ko_call.mp3"
    pipeline.process_file(clip, tmp_path / "own", language="ko")
    with early.EarlyDecode(clip, max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S) as decoding:
        assert decoding.started
        result = pipeline.process_file(clip, tmp_path / "early", language="ko", early_decode=decoding)
    assert len(result.segments) == 4
    assert (tmp_path / "early" / "clean.flac").read_bytes() == (tmp_path / "own" / "clean.flac").read_bytes()
    assert forks.gone()


def test_a_stream_longer_than_its_header_says_is_not_taken_from_the_child(monkeypatch, forks):
    # The child's room is the declared length and a few seconds; past it, the pipeline decodes.
    monkeypatch.setattr(early, "SLACK_S", -5.0)
    with early.EarlyDecode(SAMPLES / "ko_interview.wav", max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S) as decoding:
        assert decoding.started and decoding.take() is None
    assert forks.gone()


def _live_webm(path: Path) -> Path:
    """Three seconds of Opus in a WebM written as a browser records one: no length in it."""
    audio = np.random.default_rng(3).normal(0, 0.1, (3 * 48000, 1)).astype(np.float32)
    with av.open(str(path), "w", format="webm", options={"live": "1"}) as container:
        io.add_audio_stream(container, "libopus", audio, 48000)()
    assert io.probe(path).duration == 0.0
    return path


@pytest.mark.parametrize("case", ["over-the-in-memory-limit", "no-declared-length", "not-audio", "missing", "no-fork",
                                  "fork-refused"])
def test_nothing_is_started_where_the_pipeline_must_decode_or_complain(tmp_path, monkeypatch, forks, case):
    path = SAMPLES / "ko_call.mp3"
    up_to = ON_DISK_AFTER_S
    if case == "over-the-in-memory-limit":
        up_to = 10.0  # the clip is 15.6 s: the pipeline would hold a longer one on disk
    elif case == "no-declared-length":
        path = _live_webm(tmp_path / "recording.webm")
    elif case == "not-audio":
        path = tmp_path / "notes.mp3"
        path.write_text("not audio at all")
    elif case == "missing":
        path = tmp_path / "gone.wav"
    elif case == "no-fork":
        monkeypatch.delattr(early.os, "fork")
    else:
        def refused():
            raise BlockingIOError(11, "Resource temporarily unavailable")  # fork's EAGAIN: too many processes

        monkeypatch.setattr(early.forked.os, "fork", refused)
    decoding = early.EarlyDecode(path, max_seconds=LIMIT, up_to_s=up_to)
    assert not decoding.started and decoding.take() is None
    decoding.close()
    assert forks == []


def test_a_recording_that_declares_no_length_is_processed_from_the_command_line(tmp_path, forks):
    clip = _live_webm(tmp_path / "recording.webm")
    result = CliRunner().invoke(app, ["process", str(clip), "--language", "en", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert forks == []  # three seconds: neither the early child nor the halves
    assert json.loads((tmp_path / "out" / "report.json").read_text())["input"]["duration"] == 3.0


def test_the_pipeline_complains_as_before_about_a_file_the_child_could_not_open(tmp_path):
    junk = tmp_path / "clip.mp4"
    junk.write_bytes(b"\x00" * 4096)
    with early.EarlyDecode(junk, max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S) as decoding, \
            pytest.raises(AudioError, match="cannot be read as audio"):
        pipeline.process_file(junk, tmp_path / "out", language="en", early_decode=decoding)
    assert not (tmp_path / "out").exists()


def test_samples_decoded_with_other_limits_are_not_taken(tmp_path, monkeypatch):
    # A decoding with another length limit or in-memory limit might have accepted a clip
    # the pipeline refuses (or split it where the pipeline does not): the pipeline decodes.
    def refused(self):
        raise AssertionError("the pipeline took samples decoded with other limits")

    clip = SAMPLES / "ko_call.mp3"
    with early.EarlyDecode(clip, max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S - 1) as other_memory, \
            early.EarlyDecode(clip, max_seconds=LIMIT + 1, up_to_s=ON_DISK_AFTER_S) as other_length:
        monkeypatch.setattr(early.EarlyDecode, "take", refused)
        pipeline.process_file(clip, tmp_path / "a", language="ko", early_decode=other_memory)
        pipeline.process_file(clip, tmp_path / "b", language="ko", early_decode=other_length)


def test_a_decoding_of_another_file_is_refused_and_nothing_is_written(tmp_path):
    with early.EarlyDecode(SAMPLES / "ko_call.mp3", max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S) as decoding, \
            pytest.raises(ValueError, match="ko_call.mp3"):
        pipeline.process_file(SAMPLES / "ko_interview.wav", tmp_path / "out", language="ko", early_decode=decoding)
    assert not (tmp_path / "out").exists()


def test_a_decoding_never_taken_leaves_no_child(forks):
    with early.EarlyDecode(SAMPLES / "zh_lecture.m4a", max_seconds=LIMIT, up_to_s=ON_DISK_AFTER_S) as decoding:
        assert decoding.started
    assert forks.gone()
    assert decoding.take() is None
