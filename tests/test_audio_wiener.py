"""The Wiener filter that denoises clips whose pauses babble or music filled: chosen only
there, at least as good as the gate under babble on recorded speech (the bench's held-out
babble of other voices shows it better: README "Denoising"), a pass-through at a floor of
one, the same clip whatever the chunk size, and range-checked settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from tests.recorded_speech import RATE, babble, mixed, processed, recorded_sentences, si_sdr
from workbench.audio import denoise, pipeline
from workbench.audio.errors import AudioError
from workbench.audio.synth import pink_noise

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def test_babble_in_the_pauses_is_denoised_by_the_wiener_filter_at_least_as_well_as_by_the_gate(tmp_path):
    speech = recorded_sentences()
    clip = mixed(speech, babble(speech.size), snr_db=8.0)

    wiener, report = processed(tmp_path, clip, "wiener", enhance=False)
    gated, gate_report = processed(tmp_path, clip, "gate", enhance=False, denoise_busy_method="gate")

    assert report["denoise"]["method"] == "wiener", report["denoise"]
    assert gate_report["denoise"]["method"] == "gate", gate_report["denoise"]
    before = si_sdr(clip, speech)
    # The narrator's own voice five times over: the hardest babble to tell from him
    # (measured: Wiener +0.98 dB, gate +1.03 dB).
    assert si_sdr(wiener, speech) - before >= 0.5
    assert si_sdr(wiener, speech) >= si_sdr(gated, speech) - 0.3


def test_a_busy_clip_takes_its_profile_between_the_segments_unless_its_pauses_are_enough(tmp_path):
    speech = recorded_sentences()
    clip = mixed(speech, babble(speech.size), snr_db=12.0)

    _, few = processed(tmp_path, clip, "few-pauses", enhance=False)
    _, enough = processed(tmp_path, clip, "enough", enhance=False, denoise_busy_pauses_enough_s=0.0)

    assert few["denoise"]["noise_profile_from"] == "between segments", few["denoise"]
    assert few["denoise"]["noise_profile_seconds"] > enough["denoise"]["noise_profile_seconds"] >= 0.5
    assert enough["denoise"]["noise_profile_from"] == "pauses", enough["denoise"]
    assert few["denoise"]["method"] == enough["denoise"]["method"] == "wiener"


@pytest.mark.parametrize("left_s, filtered", [(0.4, True), (0.25, False)])
def test_a_busy_clip_whose_speech_leaves_a_third_of_a_second_is_still_filtered(tmp_path, monkeypatch, left_s, filtered):
    """Under babble the segments can cover all but a fraction of a second of a clip. The
    Wiener filter needs only the background's mean power, which 0.3 s gives; the gate, which
    also reads its spread, would need 0.5 s. Under 0.3 s the clip goes out unfiltered."""
    speech = recorded_sentences()
    clip = mixed(speech, babble(speech.size), snr_db=8.0)
    segmenter = pipeline.find_speech

    def all_but(audio, settings, cues=()):
        # The segmenter's own speech, but one segment from ``left_s`` (and the 0.05 s guard
        # either side of what lies between segments) to the end, and no pause heard.
        found = segmenter(audio, settings, cues)
        return dataclasses.replace(found, padded=np.array([[left_s + 0.1, audio.size / RATE]]), noise=np.zeros((0, 2)))

    monkeypatch.setattr(pipeline, "find_speech", all_but)
    cleaned, report = processed(tmp_path, clip, "filled", enhance=False)

    denoised = report["denoise"]
    assert denoised["noise_profile_from"] == "between segments"
    assert denoised["noise_profile_seconds"] == pytest.approx(left_s, abs=0.01)
    if filtered:
        assert denoised["applied"] and denoised["method"] == "wiener", denoised
        # The narrator's own voice as babble: +0.8 dB measured, about what a full profile gives.
        assert si_sdr(cleaned, speech) - si_sdr(clip, speech) >= 0.5
    else:
        assert not denoised["applied"] and denoised["reason"].startswith("less than 0.3 s of noise-only audio"), denoised


def test_steady_noise_with_pauses_keeps_the_gate(tmp_path):
    speech = recorded_sentences()
    clip = mixed(speech, pink_noise(speech.size, rng=np.random.default_rng(5)), snr_db=10.0)

    _, report = processed(tmp_path, clip, "pink", enhance=False)

    assert report["denoise"]["applied"] and report["denoise"]["method"] == "gate", report["denoise"]


def test_a_clip_whose_speech_fills_most_of_it_keeps_the_gate_and_its_pauses(tmp_path):
    """The Korean interview sample: its pauses are 16 % of the clip, under the busy share,
    but they are all of what lies between its segments, so the background is no babble."""
    result = pipeline.process_file(SAMPLES / "ko_interview.wav", tmp_path / "out", language="ko",
                                   settings=pipeline.PipelineSettings(enhance=False))
    denoised = result.report["denoise"]
    assert denoised["noise_profile_from"] == "pauses", denoised
    assert denoised["method"] in ("gate", None), denoised


def test_at_a_floor_of_one_the_filter_gives_back_its_input():
    rng = np.random.default_rng(1)
    audio = rng.standard_normal(3 * RATE).astype(np.float32) * 0.1
    passed = denoise.DecisionDirectedWiener(audio[:RATE], floor=1.0)(audio)
    assert passed.dtype == np.float32 and passed.size == audio.size
    np.testing.assert_allclose(passed, audio, atol=1e-5)


def test_the_filter_gives_the_same_clip_for_any_chunk_size(monkeypatch):
    speech = recorded_sentences()[: 20 * RATE]
    clip = mixed(speech, babble(speech.size), snr_db=8.0)
    noise = babble(RATE * 2) * 0.01
    whole = {"speech": np.array([[0.0, 20.0]]), "noise": noise, "method": "wiener"}

    monkeypatch.setattr(denoise, "GATE_CHUNK", 40 * denoise.WIENER_HOP * 125)
    one_chunk = denoise.reduce_noise(clip, RATE, **whole)
    monkeypatch.setattr(denoise, "GATE_CHUNK", 3 * denoise.WIENER_HOP * 125)
    short_chunks = denoise.reduce_noise(clip, RATE, **whole)

    assert np.max(np.abs(one_chunk - short_chunks)) <= 0.01 * np.max(np.abs(one_chunk))
    assert si_sdr(short_chunks, one_chunk) >= 40.0


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        denoise.reduce_noise(np.zeros(RATE, np.float32), RATE, noise=np.zeros(RATE, np.float32),
                             speech=np.zeros((0, 2)), method="spectral-subtraction")


@pytest.mark.parametrize("bad", [{"denoise_busy_method": "dfn"}, {"denoise_busy_noise_share": 1.5},
                                 {"denoise_busy_noise_share": -0.1}, {"denoise_busy_background_share": -1.0},
                                 {"denoise_busy_pauses_enough_s": -1.0}])
def test_the_busy_denoiser_settings_are_range_checked(bad):
    with pytest.raises(AudioError, match="invalid setting"):
        dataclasses.replace(pipeline.PipelineSettings(), **bad).validate()
