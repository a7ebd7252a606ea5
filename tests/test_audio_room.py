"""A reverberant room fills the dips between one talker's syllables, so every segment's level
moves less, as babble's and music's do. The flat-background test (``segment.drop_flat``)
measures a segment against the clip's own segments as well as the fixed bound, and a far
microphone's sentences are kept."""

from __future__ import annotations

import numpy as np
import pytest

from recorded_speech import RATE, mixed, recorded_sentences
from workbench.audio import denoise, segment, speech, synth
from workbench.audio.errors import AudioError
from workbench.audio.settings import PipelineSettings
from workbench.audio.synth import pink_noise


def levels_with_ranges(ranges_db: list[float], seconds: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Frame levels (10 ms) of back-to-back segments whose level swings by each range, and
    the segments."""
    frames = int(seconds * 100)
    swing = np.where(np.arange(frames) % 20 < 10, 0.5, -0.5)  # syllables five times a second
    levels = np.concatenate([-30 + swing * r for r in ranges_db])
    intervals = np.array([[i * seconds, (i + 1) * seconds] for i in range(len(ranges_db))])
    return levels, intervals


def test_in_a_dry_clip_a_flat_segment_is_background_whatever_the_share():
    levels, intervals = levels_with_ranges([18.0, 17.0, 6.0, 19.0])
    for share in (0.0, 0.6):
        kept, dropped = segment.drop_flat(intervals, levels, frame_seconds=0.01, min_range_db=9.0, clip_share=share)
        np.testing.assert_array_equal(dropped, intervals[[2]])
        assert len(kept) == 3


def test_in_a_reverberant_clip_every_talker_is_measured_against_the_clip():
    levels, intervals = levels_with_ranges([7.5, 8.0, 7.0, 8.5, 3.5])  # a room's talkers, and one flat stretch
    kept, dropped = segment.drop_flat(intervals, levels, frame_seconds=0.01, min_range_db=9.0, clip_share=0.6)
    np.testing.assert_array_equal(dropped, intervals[[4]])  # 3.5 dB: under 0.6 x the median 7.5
    kept, dropped = segment.drop_flat(intervals, levels, frame_seconds=0.01, min_range_db=9.0)
    assert len(kept) == 0  # the fixed bound alone took every talker for background


def test_a_segment_too_short_to_measure_is_kept_and_not_counted():
    levels, intervals = levels_with_ranges([18.0, 6.0])
    short = np.vstack([intervals, [[4.0, 4.02]]])
    kept, dropped = segment.drop_flat(short, np.concatenate([levels, [-30.0, -30.0]]), frame_seconds=0.01,
                                      min_range_db=9.0, clip_share=0.6)
    np.testing.assert_array_equal(dropped, intervals[[1]])
    assert [4.0, 4.02] in kept.tolist()


def test_the_room_keeps_the_length_and_the_peak_and_adds_a_decaying_tail():
    click = np.zeros(RATE * 2, np.float32)
    click[RATE // 10] = 0.5
    wet = synth.in_a_room(click, RATE, rt60=0.8, direct_to_reverb_db=0.0)
    assert wet.size == click.size and np.abs(wet).max() == pytest.approx(0.5)
    start = RATE // 10 + int(0.005 * RATE)
    early = np.mean(wet[start : start + RATE // 20] ** 2)
    late = np.mean(wet[start + int(0.7 * RATE) : start + int(0.75 * RATE)] ** 2)
    assert 10 * np.log10(early / late) == pytest.approx(60 * 0.7 / 0.8, abs=3)  # 60 dB per RT60 (0.8 s)
    assert np.abs(wet[start + int(0.8 * RATE) + 50 :]).max() < 1e-9  # nothing after the tail


@pytest.mark.parametrize("snr_db", [20.0, 8.0])
def test_a_far_microphone_in_a_reverberant_room_keeps_every_sentence(snr_db):
    clip = mixed(recorded_sentences(), pink_noise(recorded_sentences().size, rng=np.random.default_rng(1)), snr_db)
    far = synth.in_a_room(clip, RATE, rt60=1.0, direct_to_reverb_db=-3.0)
    denoise.highpass(far, RATE, out=far)
    settings = PipelineSettings.for_language("en")
    assert len(speech.find_speech(far.copy(), settings).speech) == 5
    # The fixed bound alone took the last sentences for flat background.
    assert len(speech.find_speech(far.copy(), PipelineSettings.for_language("en", min_level_range_share=0.0)).speech) < 5


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_level_range_share_out_of_range_is_refused(share):
    with pytest.raises(AudioError, match="min_level_range_share"):
        PipelineSettings(min_level_range_share=share).validate()
