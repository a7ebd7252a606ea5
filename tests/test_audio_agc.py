"""An automatic gain control (a phone's, a meeting app's) raises the background in every pause.
Under babble that fills the pauses, the segmenter then hears one long run of speech, and the
last resort, ``segment.split_long``, has to find the sentence gaps in it: it cuts in the
quietest half second, not at the quietest 100 ms, which inside a sentence is a stop's
closure."""

from __future__ import annotations

import numpy as np
import pytest

from recorded_speech import RATE, babble, mixed, recorded_sentences, sentence_spans
from test_audio_segment import voiced
from workbench.audio import denoise, segment, speech, synth
from workbench.audio.errors import AudioError
from workbench.audio.settings import PipelineSettings


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


def closure_and_gap() -> tuple[np.ndarray, float, tuple[float, float]]:
    """A vowel-like sound with a 100 ms closure (silence) at 3 s, and a 0.6 s gap at 6 s that
    babble-like noise 12 dB under the voice fills, then more voice: 12 s."""
    rng = np.random.default_rng(2)
    voice = voiced(12.0)
    voice[int(3.0 * RATE) : int(3.1 * RATE)] = 0.0
    gap = slice(int(6.0 * RATE), int(6.6 * RATE))
    rms = float(np.sqrt(np.mean(voice**2)))
    voice[gap] = rms * 10 ** (-12 / 20) * rng.standard_normal(gap.stop - gap.start)
    return voice, 3.05, (6.0, 6.6)


def test_a_long_segment_is_cut_in_its_quietest_half_second_not_at_a_closure():
    audio, closure, (gap_start, gap_end) = closure_and_gap()
    (first, cut), (cut_again, last) = segment.split_long(np.array([[0.0, 12.0]]), audio, RATE, max_seconds=10.0, window=0.5)
    assert (first, last) == (0.0, 12.0) and cut == cut_again
    assert gap_start <= cut <= gap_end
    # At the quietest 100 ms alone, the closure wins: the cut falls inside the "sentence".
    (_, cut), _ = segment.split_long(np.array([[0.0, 12.0]]), audio, RATE, max_seconds=10.0, window=0.1)
    assert cut == pytest.approx(closure, abs=0.06)


def test_a_window_shorter_than_a_long_segments_rest_still_cuts_every_piece_to_length():
    audio = np.tile(closure_and_gap()[0], 5)
    pieces = segment.split_long(np.array([[0.0, 60.0]]), audio, RATE, max_seconds=20.0, window=2.0)
    assert (pieces[:, 1] - pieces[:, 0]).max() <= 20.0
    assert pieces[0, 0] == 0.0 and pieces[-1, 1] == 60.0
    np.testing.assert_allclose(pieces[1:, 0], pieces[:-1, 1])


def between_sentences(cuts: list[float]) -> list[bool]:
    """Whether each cut lies in a gap between the recorded sentences (``sentence_spans``)."""
    spans = sentence_spans()
    return [not any(start < cut < end for start, end in spans) for cut in cuts]


def cuts_of(found) -> list[float]:
    """Where neighbouring segments meet: the cuts inside what was one run of speech."""
    return [float(end) for end, start in zip(found.speech[:-1, 1], found.speech[1:, 0]) if start - end < 0.05]


def test_recorded_sentences_in_babble_through_a_gain_control_are_cut_only_between_sentences():
    clean = recorded_sentences()
    clip = synth.with_automatic_gain(mixed(clean, babble(clean.size), 14.0), RATE)
    denoise.highpass(clip, RATE, out=clip)
    cuts = cuts_of(speech.find_speech(clip.copy(), PipelineSettings.for_language("en")))
    assert cuts and all(between_sentences(cuts))
    # At the quietest 100 ms the same clip is cut inside its third sentence, at a comma.
    cuts = cuts_of(speech.find_speech(clip.copy(), PipelineSettings.for_language("en", max_segment_split_window_s=0.1)))
    assert not all(between_sentences(cuts))


@pytest.mark.parametrize("window", [0.05, 6.0])
def test_a_split_window_out_of_range_is_refused(window):
    with pytest.raises(AudioError, match="max_segment_split_window_s"):
        PipelineSettings(max_segment_split_window_s=window).validate()
