"""A quiet recording is segmented as a louder one: webrtcvad's thresholds and Silero's model
are absolute, so both hear a clip whose loud level lies under
``PipelineSettings.detector_level_db`` lifted to it (``segment.detector_gain``)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from recorded_speech import RATE, recorded_sentences
from workbench.audio import pipeline, second_opinion, segment, speech
from workbench.audio.errors import AudioError
from workbench.audio.settings import PipelineSettings
from workbench.audio.synth import pink_noise


def db(gain: float) -> float:
    return 20 * float(np.log10(gain))


@pytest.fixture(scope="module")
def noisy_speech() -> np.ndarray:
    """The LibriVox sentences over pink noise 20 dB under them, at the level they were read."""
    speech_audio = recorded_sentences()
    noise = pink_noise(speech_audio.size, rng=np.random.default_rng(4)) * np.sqrt(np.mean(speech_audio**2)) * 0.1
    return (speech_audio + noise).astype(np.float32)


def test_the_loud_level_is_where_half_the_energy_lies_however_little_speech_there_is():
    speech_frames, silence = np.full(50, -20.0), np.full(950, -80.0)  # 5 % speech
    assert segment.frames.loud_level_db(np.concatenate([silence, speech_frames])) == -20.0
    assert np.percentile(np.concatenate([silence, speech_frames]), 95) < -20.0  # where a percentile would put it
    knocks = np.full(3, -5.0)  # three loud 10 ms knocks over a minute of speech
    assert segment.frames.loud_level_db(np.concatenate([np.full(6000, -22.0), knocks])) == -22.0


def test_the_detector_gain_lifts_a_quiet_clip_to_the_target_and_leaves_a_loud_one():
    levels = np.concatenate([np.full(500, -70.0), np.full(500, -32.0)])  # loud level -32 dBFS
    assert db(segment.detector_gain(levels, -20.0)) == pytest.approx(12.0)
    assert segment.detector_gain(levels + 20, -20.0) == 1.0  # at -12 dBFS: heard as recorded
    assert segment.detector_gain(levels, 0.0) == 1.0  # off
    assert segment.detector_gain(np.zeros(0), -20.0) == 1.0


def test_the_detector_gain_lifts_at_most_40_db_and_never_past_full_scale():
    dither = np.full(1000, -110.0)
    assert db(segment.detector_gain(dither, -20.0)) == pytest.approx(segment.frames.MAX_DETECTOR_LIFT_DB)
    peaky = np.concatenate([np.full(900, -30.0), np.full(1, -4.0)])  # one frame near full scale
    assert db(segment.detector_gain(peaky, -20.0)) == pytest.approx(4.0)


@pytest.mark.parametrize("gain_db", [-30.0, -12.0])
def test_a_quieter_recording_is_segmented_as_at_its_own_level(noisy_speech, gain_db):
    settings = PipelineSettings.for_language("en")
    own = speech.find_speech(noisy_speech.copy(), settings)
    other = speech.find_speech((noisy_speech * np.float32(10 ** (gain_db / 20))).astype(np.float32), settings)
    assert len(own.padded) == len(other.padded) == 5
    # To the frame: only 16-bit rounding differs between the two levels.
    assert np.abs(own.padded - other.padded).max() <= 0.03
    loud = segment.frames.loud_level_db(segment.frame_levels_db(noisy_speech, RATE))
    assert loud > settings.detector_level_db and own.detector_gain_db == 0.0  # heard as recorded
    assert other.detector_gain_db == pytest.approx(settings.detector_level_db - (loud + gain_db), abs=0.01)


def test_heard_as_recorded_a_quiet_recording_loses_its_sentences(noisy_speech):
    # The guard above, switched off: webrtcvad hears nothing in speech 30 dB down.
    settings = PipelineSettings.for_language("en", detector_level_db=0.0)
    quiet = (noisy_speech * np.float32(10 ** (-30 / 20))).astype(np.float32)
    assert len(speech.find_speech(noisy_speech.copy(), settings).padded) == 5
    assert len(speech.find_speech(quiet, settings).padded) < 5


def test_the_model_hears_quiet_speech_through_its_gain():
    model = second_opinion.load()
    if model is None:
        pytest.skip("the silero extra is not installed")
    loud = recorded_sentences()
    quiet = (loud * np.float32(10 ** (-40 / 20))).astype(np.float32)
    own, _ = model.span(loud, 0.0, loud.size / RATE)
    lifted, _ = replace(model, gain=10 ** (40 / 20)).span(quiet, 0.0, quiet.size / RATE)
    as_recorded, _ = model.span(quiet, 0.0, quiet.size / RATE)
    assert np.abs(lifted - own).max() < 0.01
    assert (as_recorded > 0.5).sum() < 0.8 * (own > 0.5).sum()


def test_the_second_opinion_hears_the_clip_with_the_same_gain_as_webrtcvad(noisy_speech, monkeypatch):
    if second_opinion.load() is None:
        pytest.skip("the silero extra is not installed")
    heard, span = [], second_opinion.Opinion.span

    def recorded(self, audio, start, end):
        heard.append(self.gain)
        return span(self, audio, start, end)

    monkeypatch.setattr(second_opinion.Opinion, "span", recorded)
    quiet = (noisy_speech * np.float32(10 ** (-30 / 20))).astype(np.float32)
    found = speech.find_speech(quiet, PipelineSettings.for_language("en"))
    assert heard and all(gain == pytest.approx(10 ** (found.detector_gain_db / 20), rel=1e-3) for gain in heard)
    assert found.detector_gain_db > 25


def test_the_report_says_what_the_detectors_heard_the_clip_lifted_by(noisy_speech, tmp_path):
    reports = {}
    for gain_db in (0.0, -25.0):
        path = tmp_path / f"clip{gain_db:+.0f}.wav"
        sf.write(path, noisy_speech * np.float32(10 ** (gain_db / 20)), RATE, subtype="FLOAT")
        pipeline.process_file(path, tmp_path / f"out{gain_db:+.0f}", language="en")
        reports[gain_db] = json.loads((tmp_path / f"out{gain_db:+.0f}" / "report.json").read_text())
    lifts = {gain: report["segments"]["detector_gain_db"] for gain, report in reports.items()}
    loud = segment.frames.loud_level_db(segment.frame_levels_db(noisy_speech, RATE))
    # The pipeline measures the clip after its high-pass: within half a dB of the raw clip.
    assert lifts[0.0] == 0.0 and lifts[-25.0] == pytest.approx(-24.0 - (loud - 25.0), abs=0.5)
    assert reports[-25.0]["segments"]["count"] == reports[0.0]["segments"]["count"] == 5
    assert reports[0.0]["settings"]["detector_level_db"] == -24.0


@pytest.mark.parametrize("level", [1.0, -61.0])
def test_a_detector_level_out_of_range_is_refused(level):
    with pytest.raises(AudioError, match="detector_level_db"):
        PipelineSettings(detector_level_db=level).validate()
