"""The streamed opening stage: decoding with the high-pass and webrtcvad running alongside."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.audio import denoise, streaming, vad
from workbench.audio.errors import AudioError
from workbench.audio.io import read_audio, write_audio

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def run(path: Path, tmp_path: Path, **overrides) -> streaming.Decoded:
    options = {
        "highpass": denoise.Highpass(16000, cutoff_hz=80.0),
        "classify": vad.FrameClassifier(16000, aggressiveness=3, frame_ms=10),
        **overrides,
    }
    return streaming.decode_and_analyse(path, tmp_path / "original.flac", **options)


def decoder_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "decode"]


@pytest.mark.parametrize("name", ["en_lesson.mp4", "ko_interview.wav", "zh_lecture.m4a"])
def test_streamed_result_equals_decoding_then_filtering_then_classifying(name, tmp_path):
    decoded = run(SAMPLES / name, tmp_path)
    whole, info = read_audio(SAMPLES / name)
    assert decoded.info == info
    # Stretch edges differ from the whole-clip filter only by the dropped transient (< -100 dB).
    np.testing.assert_allclose(decoded.audio, denoise.highpass(whole, 16000), atol=1e-5)
    expected = vad.vad_frames(denoise.highpass(whole, 16000), 16000, aggressiveness=3, frame_ms=10)
    # webrtcvad sees the same int16 frames in the same order; rounding may flip a frame
    # sitting exactly on a float32 ulp, never more than a handful.
    assert decoded.decisions.shape == expected.shape
    assert np.count_nonzero(decoded.decisions != expected) <= 2
    assert set(decoded.busy) == {"highpass", "vad"}


def test_original_flac_holds_the_decoded_audio_before_the_high_pass(tmp_path):
    decoded = run(SAMPLES / "ko_interview.wav", tmp_path)
    original, rate = sf.read(tmp_path / "original.flac", dtype="float32")
    whole, _ = read_audio(SAMPLES / "ko_interview.wav")
    assert rate == 16000 and original.size == decoded.audio.size == whole.size
    np.testing.assert_allclose(original, whole, atol=1 / 32768 + 1e-6)  # 16-bit rounding only


def test_a_corrupt_file_raises_and_leaves_no_decoder_running(tmp_path):
    broken = write_audio(tmp_path / "x.m4a", np.zeros(16000 * 30, np.float32) + 0.1, 16000)
    broken.write_bytes(broken.read_bytes()[: broken.stat().st_size // 3])
    with pytest.raises(AudioError, match="truncated|corrupt"):
        run(broken, tmp_path)
    assert decoder_threads() == []


def test_a_failure_while_analysing_stops_the_decoder(tmp_path):
    class Failing(vad.FrameClassifier):
        def __call__(self, audio):
            raise RuntimeError("analysis failed")

    with pytest.raises(RuntimeError, match="analysis failed"):
        run(SAMPLES / "en_lesson.mp4", tmp_path, classify=Failing(16000, aggressiveness=3))
    assert decoder_threads() == []
