"""The learnt enhancer (DeepFilterNet3, the optional [enhance] extra): offered only where music
filled the pauses, kept only where the judge prefers it, its model checked against the pinned
hash, and the pipeline unchanged without it. Real recorded speech (LibriVox, from Debian's
pocketsphinx-testdata) under real model inference; nothing is mocked but a missing install."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import soundfile as sf

from tests.recorded_speech import RATE, babble, mixed, plucked_chords, processed, recorded_sentences, si_sdr
from workbench.audio import denoise, enhance, pipeline
from workbench.audio.errors import AudioError
from workbench.audio.speech import find_speech
from workbench.audio.synth import pink_noise

@pytest.fixture(scope="module")
def enhancer():
    loaded = enhance.load()
    if loaded is None:
        pytest.skip(f"the enhancer is not available: {enhance.unavailable()}")
    return loaded


@pytest.fixture
def no_extra(monkeypatch):
    """The pipeline as an install without the [enhance] extra sees it."""
    monkeypatch.setattr(enhance, "model_path", lambda: None)
    enhance.load.cache_clear()
    enhance._installed_model.cache_clear()
    yield
    monkeypatch.undo()
    enhance.load.cache_clear()
    enhance._installed_model.cache_clear()


def test_music_filling_the_pauses_is_taken_out_by_the_enhancer_where_the_gate_cannot(tmp_path, enhancer):
    speech = recorded_sentences()
    clip = mixed(speech, plucked_chords(speech.size, seed=3), snr_db=7.0)

    gated, gate_report = processed(tmp_path, clip, "gate", enhance=False, denoise_busy_method="gate")
    filtered, _ = processed(tmp_path, clip, "wiener", enhance=False)
    enhanced, report = processed(tmp_path, clip, "enhanced")

    entry = report["denoise"]["enhancer"]
    assert entry["used"] and entry["kept"], entry
    assert report["denoise"]["method"] == "enhancer" and report["denoise"]["applied"]
    assert gate_report["denoise"]["enhancer"] == {"used": False, "reason": "turned off in the settings"}
    before = si_sdr(clip, speech)
    assert si_sdr(enhanced, speech) - before >= 2.5
    # Measured: enhancer +3.4 dB, Wiener filter +1.7, gate +1.0.
    assert si_sdr(enhanced, speech) >= si_sdr(gated, speech) + 2.0
    assert si_sdr(enhanced, speech) >= si_sdr(filtered, speech) + 1.0


def test_loud_music_is_judged_against_all_the_background_not_its_quiet_moments(tmp_path, enhancer):
    """At 3 dB the music between the segments is far louder than in webrtcvad's few pauses;
    judged against those alone, the music the model takes out of the segments would count
    as 3.2 dB of speech lost and it would be refused (measured: +2.3 dB with the Wiener
    filter, +5.3 dB with the enhancer). The detectors hear the clip as recorded
    (``detector_level_db=0``): at 3 dB the music is loud enough that webrtcvad, hearing the
    clip only 2.8 dB louder, calls so much of it speech that too little background is left
    between the segments to judge the enhancer by, and the Wiener filter runs."""
    speech = recorded_sentences()
    clip = mixed(speech, plucked_chords(speech.size, seed=3), snr_db=3.0)

    enhanced, report = processed(tmp_path, clip, "loud-music", detector_level_db=0.0)

    assert report["denoise"]["noise_profile_from"] == "between segments"
    assert report["denoise"]["method"] == "enhancer", report["denoise"]
    assert si_sdr(enhanced, speech) - si_sdr(clip, speech) >= 4.0


@pytest.mark.parametrize(("gate_snr_db", "kept"), [(80.0, False), (-10.0, True)])
def test_the_enhancer_is_kept_only_where_it_beats_the_gate_on_the_stretches_it_is_compared_on(tmp_path, enhancer,
                                                                                            gate_snr_db, kept):
    speech = recorded_sentences()
    clip = mixed(speech, plucked_chords(speech.size, seed=3), snr_db=7.0)
    original = tmp_path / "original.flac"
    sf.write(original, clip, RATE, subtype="PCM_16")
    settings = pipeline.PipelineSettings()
    audio = denoise.highpass(sf.read(original, dtype="float32")[0], RATE, cutoff_hz=settings.highpass_hz)
    found = find_speech(audio, settings)
    noise = denoise.between(found.padded, audio.size / RATE)
    before = denoise.measure_power(audio, RATE, speech=found.speech, noise=noise)
    # The gate's stats on those stretches, as if its SNR there were gate_snr_db.
    gate = denoise.PowerStats(speech=10 ** (gate_snr_db / 10) + 1.0, noise=1.0)
    untouched = audio.copy()

    stats, entry = enhance.apply(audio, original, found, noise, before, (noise, gate), settings)

    assert entry["used"] and entry["kept"] is kept, entry
    if kept:
        assert stats is not None and not np.array_equal(audio, untouched)
    else:
        assert stats is None and "is as high or higher" in entry["reason"]
        assert np.array_equal(audio, untouched)


def test_a_busy_clip_is_accepted_on_all_its_background_but_compared_on_its_pauses(tmp_path, enhancer, monkeypatch):
    """Between the segments the gate and the filter attenuate flatly, so their SNR there is
    high by construction; the comparison reads webrtcvad's pauses instead."""
    seen = {}
    real_apply = enhance.apply

    def spy(audio, original_path, found, noise, before, gated, settings):
        seen.update(found=found, noise=noise, gated=gated)
        return real_apply(audio, original_path, found, noise, before, gated, settings)

    monkeypatch.setattr(enhance, "apply", spy)
    speech = recorded_sentences()
    _, report = processed(tmp_path, mixed(speech, plucked_chords(speech.size, seed=3), snr_db=7.0), "spied")

    assert report["denoise"]["noise_profile_from"] == "between segments"
    pauses = seen["found"].noise
    assert np.sum(pauses[:, 1] - pauses[:, 0]) >= 0.5
    np.testing.assert_array_equal(seen["noise"], denoise.between(seen["found"].padded, speech.size / RATE))
    np.testing.assert_array_equal(seen["gated"][0], pauses)


def test_a_clip_too_long_to_copy_in_memory_is_not_offered(tmp_path, enhancer, monkeypatch):
    speech = recorded_sentences()
    clip = mixed(speech, plucked_chords(speech.size, seed=3), snr_db=7.0)
    monkeypatch.setattr(enhance, "MAX_SECONDS", int(clip.size / RATE) - 1)

    _, report = processed(tmp_path, clip, "long")

    assert report["denoise"]["enhancer"]["used"] is False
    assert "minutes are not offered to it" in report["denoise"]["enhancer"]["reason"]
    assert report["denoise"]["method"] != "enhancer"


def test_quiet_music_is_left_to_the_gate_whose_output_the_model_would_not_beat(tmp_path, enhancer):
    speech = recorded_sentences()
    clip = mixed(speech, plucked_chords(speech.size, seed=3), snr_db=13.0)

    _, report = processed(tmp_path, clip, "quiet-music")

    entry = report["denoise"]["enhancer"]
    assert not entry["used"]
    assert "over the background between the segments: the gate is enough" in entry["reason"], entry


def test_a_clip_the_level_tests_turn_away_never_loads_the_model(tmp_path, monkeypatch):
    """The model costs a worker about 40 MB of memory; quiet music is refused on its level
    alone, before anything is loaded."""
    loads = []
    monkeypatch.setattr(enhance, "load", lambda: loads.append("enhancer"))
    speech = recorded_sentences()
    clip = mixed(speech, plucked_chords(speech.size, seed=3), snr_db=13.0)

    _, report = processed(tmp_path, clip, "quiet-music-unloaded")

    assert "the gate is enough" in report["denoise"]["enhancer"]["reason"], report["denoise"]
    assert loads == []


def test_babble_is_left_to_the_gate_because_the_model_keeps_speech(tmp_path, enhancer):
    speech = recorded_sentences()
    clip = mixed(speech, babble(speech.size), snr_db=8.0)

    _, report = processed(tmp_path, clip, "babble")

    entry = report["denoise"]["enhancer"]
    assert not entry["used"]
    assert "of the background as speech (babble)" in entry["reason"], entry
    assert report["denoise"]["method"] != "enhancer"


def test_steady_noise_with_clear_pauses_never_reaches_the_model(tmp_path, enhancer):
    speech = recorded_sentences()
    clip = mixed(speech, pink_noise(speech.size, rng=np.random.default_rng(5)), snr_db=10.0)

    _, report = processed(tmp_path, clip, "pink")

    assert report["denoise"]["method"] == "gate"
    assert not report["denoise"]["enhancer"]["used"]
    assert "noise-only pauses" in report["denoise"]["enhancer"]["reason"]


def test_without_the_extra_the_pipeline_denoises_with_the_gate_and_says_why(tmp_path, no_extra):
    speech = recorded_sentences()
    clip = mixed(speech, plucked_chords(speech.size, seed=3), snr_db=7.0)

    with_default, report = processed(tmp_path, clip, "missing")
    turned_off, _ = processed(tmp_path, clip, "off", enhance=False)

    assert report["denoise"]["enhancer"] == {"used": False, "reason": enhance.MISSING}
    assert np.array_equal(with_default, turned_off)


def test_a_model_file_other_than_the_pinned_export_is_refused(tmp_path, enhancer, monkeypatch):
    tampered = tmp_path / "DeepFilterNet3_onnx.tar.gz"
    data = bytearray(enhancer.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))

    with pytest.raises(AudioError, match="not the pinned DeepFilterNet3 export"):
        enhance.Enhancer(tampered)
    monkeypatch.setattr(enhance, "model_path", lambda: tampered)
    enhance.load.cache_clear()
    enhance._installed_model.cache_clear()
    try:
        assert enhance.load() is None
        assert "not the pinned DeepFilterNet3 export" in enhance.unavailable()
    finally:
        monkeypatch.undo()
        enhance.load.cache_clear()
        enhance._installed_model.cache_clear()
    assert enhance.load() is not None


def test_streaming_in_chunks_gives_the_same_clip_of_the_same_length(enhancer, monkeypatch):
    speech = recorded_sentences()[: int(23.3 * RATE)]
    clip = mixed(speech, plucked_chords(speech.size, seed=8), snr_db=7.0)

    whole = enhancer.enhance(clip, RATE)
    monkeypatch.setattr(enhance, "CHUNK_S", 3.7)
    in_chunks = enhancer.enhance(clip, RATE)
    in_place = clip.copy()
    enhancer.enhance(in_place, RATE, out=in_place)

    assert whole.size == in_chunks.size == clip.size
    assert np.max(np.abs(whole - in_chunks)) < 1e-4
    assert np.max(np.abs(whole - in_place)) < 1e-4
    # Aligned with the input: the output follows the speech, not a delayed copy of it.
    assert si_sdr(whole, speech) > si_sdr(np.roll(whole, 480), speech) + 3


def test_the_enhancer_settings_are_range_checked():
    for bad in ({"enhance_busy_noise_share": 1.5}, {"enhance_max_background_speech": -0.1},
                {"enhance_max_speech_loss_db": -1.0}, {"enhance_below_snr_db": -30.0}):
        with pytest.raises(AudioError, match="invalid setting"):
            dataclasses.replace(pipeline.PipelineSettings(), **bad).validate()
