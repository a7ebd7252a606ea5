"""BS.1770-4 loudness, true peak, the limiter and normalisation."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soxr

from workbench.audio import loudness

RATE = 16000


def speechlike(seconds: float, *, level: float, seed: int = 0) -> np.ndarray:
    """Noise with a syllable-rate envelope: bursts and dips like speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * rng.standard_normal(t.size) * np.sin(2 * np.pi * 2.5 * t) ** 2).astype(np.float32)


def oversampled_peak_db(audio: np.ndarray, factor: int = 16) -> float:
    return float(20 * np.log10(np.abs(soxr.resample(audio, 1, factor, quality="VHQ")).max()))


@pytest.mark.parametrize(("seconds", "level"), [(0.5, 0.1), (3.0, 0.01), (30.0, 0.2), (95.0, 0.05)])
def test_integrated_loudness_matches_pyloudnorm(seconds, level):
    audio = speechlike(seconds, level=level)
    assert loudness.integrated_loudness(audio, RATE) == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64)), abs=1e-4)


def test_integrated_loudness_of_silence_is_minus_infinity_and_short_input_is_refused():
    assert loudness.integrated_loudness(np.zeros(RATE, np.float32), RATE) == float("-inf")
    with pytest.raises(ValueError):
        loudness.integrated_loudness(np.zeros(100, np.float32), RATE)


def test_true_peak_sees_between_the_samples():
    # A sine at fs/4 sampled 45° off its crest: every sample is 0.707 of the true peak.
    t = np.arange(4 * RATE)
    wave = (0.5 * np.sin(2 * np.pi * t / 4 + np.pi / 4)).astype(np.float32)
    assert 20 * np.log10(np.abs(wave).max()) == pytest.approx(-9.03, abs=0.05)
    assert loudness.true_peak_dbtp(wave, RATE) == pytest.approx(-6.02, abs=0.1)


@pytest.mark.parametrize("level", [0.5, 1.5, 4.0])
def test_limiter_keeps_the_true_peak_under_the_ceiling_without_clipping(level):
    audio = speechlike(5.0, level=level, seed=3)
    limited = loudness.limit_true_peak(audio, RATE, ceiling_dbtp=-1.0)
    assert oversampled_peak_db(limited) <= -1.0 + 0.02
    # a gain, not a clip: every sample keeps its sign and is scaled by at most 1
    ratio = limited[np.abs(audio) > 1e-3] / audio[np.abs(audio) > 1e-3]
    assert ratio.min() > 0 and ratio.max() <= 1.0 + 1e-6
    # quiet passages far from any peak are untouched
    assert np.count_nonzero(np.isclose(ratio, 1.0, atol=1e-4)) > 0.2 * ratio.size or level > 1


def test_limiter_leaves_quiet_audio_alone():
    audio = speechlike(2.0, level=0.05)
    np.testing.assert_allclose(loudness.limit_true_peak(audio, RATE), audio, atol=1e-7)


@pytest.mark.parametrize(("level", "target"), [(0.01, -23.0), (0.3, -23.0), (0.05, -16.0)])
def test_normalize_loudness_reaches_the_target_under_the_ceiling(level, target):
    out, result = loudness.normalize_loudness(speechlike(20.0, level=level), RATE, target_lufs=target)
    assert loudness.integrated_loudness(out, RATE) == pytest.approx(target, abs=0.5)
    assert result.after_lufs == pytest.approx(loudness.integrated_loudness(out, RATE), abs=0.01)
    assert oversampled_peak_db(out) <= -1.0 + 0.02
    assert result.true_peak_dbtp <= -1.0


def test_normalize_loudness_does_not_boost_near_silence_into_noise():
    out, result = loudness.normalize_loudness(speechlike(10.0, level=0.0005), RATE, max_gain_db=20.0)
    assert result.gain_db == 20.0
    assert result.after_lufs < -23.0 - 5


def test_normalize_loudness_leaves_digital_silence_as_it_is():
    out, result = loudness.normalize_loudness(np.zeros(RATE, np.float32), RATE)
    assert result.gain_db == 0.0 and not out.any()
    assert result.to_dict()["before_lufs"] is None


def test_the_loudest_blocks_alone_give_a_lower_bound_of_the_true_peak():
    # Quiet speech with one loud burst late in the clip and a louder one early: the loudest
    # block holds the true peak, fewer blocks than that give less, never more.
    audio = speechlike(30.0, level=0.02, seed=5)
    audio[3 * RATE : 3 * RATE + 400] *= 40
    audio[20 * RATE : 20 * RATE + 400] *= 20
    whole = loudness.true_peak_dbtp(audio, RATE)
    assert loudness.true_peak_dbtp(audio, RATE, loudest_blocks=1) == whole
    assert loudness.true_peak_dbtp(audio, RATE, loudest_blocks=10_000) == whole
    assert loudness.true_peak_dbtp(audio, RATE, loudest_blocks=0) == float("-inf")
    quiet = audio.copy()
    quiet[3 * RATE : 3 * RATE + 400] /= 40
    partial = loudness.true_peak_dbtp(quiet, RATE, loudest_blocks=1)
    assert partial == loudness.true_peak_dbtp(quiet, RATE)  # now the late burst's block is the loudest
    assert partial < whole


@pytest.mark.parametrize(("ceiling", "limited"), [(-3.0, True), (-1.0, False)])
def test_gain_then_limit_is_normalize_loudness_in_two_halves(ceiling, limited):
    audio = speechlike(20.0, level=0.05, seed=7)  # its true peak at -16 LUFS: -1.6 dBTP
    expected, expected_result = loudness.normalize_loudness(audio, RATE, target_lufs=-16.0, ceiling_dbtp=ceiling)
    out, before, gain_db = loudness.apply_gain(audio, RATE, target_lufs=-16.0, max_gain_db=20.0)
    result, changed = loudness.limit_to_ceiling(out, RATE, before_lufs=before, gain_db=gain_db,
                                                peak_dbtp=loudness.true_peak_dbtp(out, RATE), ceiling_dbtp=ceiling)
    np.testing.assert_array_equal(out, expected)
    assert result == expected_result and changed == limited
    assert (result.true_peak_dbtp <= ceiling) and (result.after_lufs < -16.0 if limited else result.after_lufs == before + gain_db)
