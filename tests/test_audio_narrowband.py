"""A telephone line takes away the voice's low band, and with it what webrtcvad leans on: it
drops out inside sentences. A narrowband clip (``segment.low_band_db`` at or under
``PipelineSettings.narrowband_low_band_db``) keeps webrtcvad's pauses only where the level
agrees on ``narrowband_pause_agreement`` of their frames. Full-band clips are heard as before."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import butter, sosfilt

from recorded_speech import RATE, mixed, recorded_sentences
from workbench.audio import denoise, io, pipeline, segment, speech, synth
from workbench.audio.errors import AudioError
from workbench.audio.settings import PipelineSettings
from workbench.audio.synth import pink_noise

# The five LibriVox sentences' extent in ``recorded_sentences``, read from their full-band
# segmentation (each piece of speech, padding aside).
SENTENCES = [(1.3, 7.7), (9.6, 12.1), (17.6, 22.3), (24.1, 29.3), (31.3, 33.9)]


def noisy(seed: int, snr_db: float = 8.0) -> np.ndarray:
    speech_audio = recorded_sentences()
    return mixed(speech_audio, pink_noise(speech_audio.size, rng=np.random.default_rng(seed)), snr_db)


def through_telephone(audio: np.ndarray, tmp_path, name: str = "line.wav") -> np.ndarray:
    """``audio`` through a telephone line to a file, decoded and high-passed as the pipeline does."""
    heard = io.read_audio(synth.write_telephone_line(tmp_path / name, audio, RATE))[0][: audio.size]
    return denoise.highpass(heard, RATE, out=heard)


def whole_sentences(found: speech.Found) -> int:
    return sum(any(start <= first + 0.1 and last - 0.1 <= end for start, end in found.speech) for first, last in SENTENCES)


def test_the_low_band_tells_a_telephone_line_from_full_band_speech(tmp_path):
    clip = noisy(1)
    full = segment.low_band_db(clip, RATE)
    line = segment.low_band_db(through_telephone(clip, tmp_path), RATE)
    high_passed = segment.low_band_db(sosfilt(butter(4, 300, btype="highpass", fs=RATE, output="sos"), clip), RATE)
    bound = PipelineSettings().narrowband_low_band_db
    assert full > bound + 10 and line < bound - 2 and high_passed < bound - 2
    assert full == pytest.approx(-1.5, abs=1.5) and line == pytest.approx(-20, abs=2)


def test_a_silent_or_too_short_clip_has_no_low_band_verdict():
    assert segment.low_band_db(np.zeros(RATE, np.float32), RATE) == 0.0
    assert segment.low_band_db(np.ones(100, np.float32), RATE) == 0.0


def test_a_long_clip_is_read_from_a_sample_of_its_frames_without_moving_the_figure():
    long_clip = np.tile(noisy(2), 20)  # 12 minutes: 22,000 frames of 512
    every_frame = segment.low_band_db(long_clip, RATE, max_frames=10**9)
    assert segment.low_band_db(long_clip, RATE) == pytest.approx(every_frame, abs=1.0)
    assert segment.low_band_db(long_clip, RATE, max_frames=10) != pytest.approx(every_frame, abs=1e-6)


@pytest.mark.parametrize("seed", [1, 3])
def test_through_a_telephone_line_each_sentence_stays_in_one_segment(tmp_path, seed):
    line = through_telephone(noisy(seed), tmp_path)
    settings = PipelineSettings.for_language("en")
    found = speech.find_speech(line.copy(), settings)
    assert found.narrowband
    assert len(found.speech) == 5 and whole_sentences(found) == 5
    # Without the rule webrtcvad's pauses inside the first sentence were cut at.
    before = speech.find_speech(line.copy(), replace(settings, narrowband_pause_agreement=settings.pause_agreement))
    assert whole_sentences(before) < 5 and len(before.speech) > 5


def test_the_bound_decides_which_clips_are_narrowband(tmp_path):
    line = through_telephone(noisy(1), tmp_path)
    found = speech.find_speech(line.copy(), PipelineSettings.for_language("en", narrowband_low_band_db=-40.0))
    assert not found.narrowband and whole_sentences(found) < 5


def test_a_full_band_clip_is_heard_as_before():
    clip = noisy(3, snr_db=12.0)
    denoise.highpass(clip, RATE, out=clip)
    settings = PipelineSettings.for_language("en")
    found = speech.find_speech(clip.copy(), settings)
    same = speech.find_speech(clip.copy(), replace(settings, narrowband_pause_agreement=settings.pause_agreement))
    assert not found.narrowband and found.low_band_db > -14
    np.testing.assert_array_equal(found.padded, same.padded)


def test_the_report_says_whether_the_clip_was_heard_as_a_telephone_line(tmp_path):
    clip = noisy(1)
    full = tmp_path / "full.wav"
    sf.write(full, clip, RATE, subtype="FLOAT")
    line = synth.write_telephone_line(tmp_path / "line.wav", clip, RATE)
    reports = {}
    for path in (full, line):
        pipeline.process_file(path, tmp_path / f"out-{path.stem}", language="en")
        reports[path.stem] = json.loads((tmp_path / f"out-{path.stem}" / "report.json").read_text())["segments"]
    assert reports["line"]["narrowband"] is True and reports["line"]["low_band_db"] <= -18.0
    assert reports["full"]["narrowband"] is False and reports["full"]["low_band_db"] > -14
    assert reports["line"]["count"] == reports["full"]["count"] == 5


@pytest.mark.parametrize(("field", "value"), [("narrowband_low_band_db", 3.0), ("narrowband_low_band_db", -61.0),
                                              ("narrowband_pause_agreement", 1.5), ("narrowband_pause_agreement", -0.1)])
def test_a_narrowband_setting_out_of_range_is_refused(field, value):
    with pytest.raises(AudioError, match=field):
        PipelineSettings(**{field: value}).validate()
