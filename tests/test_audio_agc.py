"""An automatic gain control (a phone's, a meeting app's) raises the background in every pause:
``synth.with_automatic_gain``, the bench's "agc" channel."""

from __future__ import annotations

import numpy as np
import pytest

from recorded_speech import RATE
from workbench.audio import synth


def level_db(audio: np.ndarray, start: float, end: float) -> float:
    piece = audio[int(start * RATE) : int(end * RATE)].astype(np.float64)
    return float(10 * np.log10(np.mean(piece**2) + 1e-20))


def test_the_gain_control_brings_speech_to_its_target_and_swells_the_background_in_a_pause():
    rng = np.random.default_rng(0)
    quiet_talker = 0.01 * rng.standard_normal(2 * RATE)  # -40 dBFS
    hiss = 0.001 * rng.standard_normal(3 * RATE)  # -60 dBFS, a pause
    audio = np.concatenate([quiet_talker, hiss]).astype(np.float32)
    out = synth.with_automatic_gain(audio, RATE, target_dbfs=-20.0, max_gain_db=24.0, release_s=1.0)
    assert out.size == audio.size and out.dtype == np.float32
    assert level_db(out, 1.5, 2.0) == pytest.approx(-20.0, abs=1.0)  # the talker, raised 20 dB
    # In the pause the gain climbs from +20 dB toward its +24 dB limit over about a second.
    assert level_db(out, 2.0, 2.1) == pytest.approx(-40.0, abs=1.0)
    assert level_db(out, 4.5, 5.0) == pytest.approx(-36.0, abs=1.0)


def test_the_gain_control_falls_at_once_when_a_loud_voice_starts_and_never_passes_full_scale():
    rng = np.random.default_rng(1)
    audio = np.concatenate([0.001 * rng.standard_normal(2 * RATE), 0.5 * rng.standard_normal(RATE)]).astype(np.float32)
    out = synth.with_automatic_gain(audio, RATE, target_dbfs=-20.0, attack_s=0.01)
    assert np.abs(out).max() <= 1.0
    assert level_db(out, 2.1, 3.0) == pytest.approx(-20.0, abs=1.0)  # within 100 ms of the onset
