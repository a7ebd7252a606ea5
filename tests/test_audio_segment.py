"""From webrtcvad frame decisions to one-sentence segments, on small synthetic arrays."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d

from workbench.audio import segment
from workbench.audio.synth import beep, cough, knock, pink_noise, speak
from workbench.audio.vad import vad_frames

RATE = 16000


def mask(text: str) -> np.ndarray:
    """'..###.#' → frame decisions (# is speech)."""
    return np.array([c == "#" for c in text])


def voiced(seconds: float, *, pitch: float = 140.0) -> np.ndarray:
    """A crude vowel: a harmonic series at ``pitch`` with a slow vibrato."""
    t = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * pitch * (t + 0.002 * np.sin(2 * np.pi * 5 * t))
    return (0.3 * sum(np.sin(k * phase) / k for k in range(1, 12))).astype(np.float32)


@pytest.mark.parametrize(
    ("frames", "window", "expected"),
    [
        ("....#.....", 3, ".........."),  # one stray frame starts nothing
        ("..######..", 3, "..#######."),  # enters with the run, leaves once the average is low
        ("####.#####", 3, "##########"),  # one missed frame inside speech ends nothing
        ("##........", 1, "##........"),
    ],
)
def test_smooth_hysteresis(frames, window, expected):
    assert "".join("#" if v else "." for v in segment.smooth_hysteresis(mask(frames), window=window, on=0.6, off=0.2)) == expected


def test_smooth_hysteresis_refuses_thresholds_in_the_wrong_order():
    with pytest.raises(ValueError):
        segment.smooth_hysteresis(mask("##"), window=3, on=0.2, off=0.6)


@pytest.mark.parametrize(
    ("frames", "expected"),
    [("", []), ("#", [[0, 1]]), (".##..###", [[1, 3], [5, 8]]), ("....", [])],
)
def test_runs(frames, expected):
    assert segment.runs(mask(frames)).tolist() == expected


@pytest.mark.parametrize(
    ("frames", "min_pause", "expected"),
    [
        ("##..##", 0.3, [[0.0, 0.6]]),  # a 0.2 s gap is inside a sentence
        ("##...##", 0.3, [[0.0, 0.2], [0.5, 0.7]]),  # 0.3 s splits
        ("##...##", 0.4, [[0.0, 0.7]]),
        ("......", 0.3, []),
    ],
)
def test_speech_intervals_split_only_at_long_enough_pauses(frames, min_pause, expected):
    np.testing.assert_allclose(segment.speech_intervals(mask(frames), frame_seconds=0.1, min_pause=min_pause).reshape(-1, 2), np.array(expected).reshape(-1, 2))


def test_voiced_seconds_counts_voice_not_noise_tones_or_knocks():
    rng = np.random.default_rng(0)
    assert segment.voiced_seconds(voiced(1.0), RATE) > 0.8
    assert segment.voiced_seconds(0.1 * pink_noise(RATE, rng=rng), RATE) < 0.05
    assert segment.voiced_seconds(0.3 * beep(RATE, frequency=1000.0, seconds=0.5), RATE) < 0.05
    assert segment.voiced_seconds(0.5 * knock(RATE, rng=rng), RATE) < 0.05
    assert segment.voiced_seconds(0.5 * cough(RATE, rng=rng), RATE) < 0.05
    assert segment.voiced_seconds(np.zeros(100, np.float32), RATE) == 0.0


def test_voicing_counts_a_beeps_frames_as_tone_and_a_voices_as_voiced():
    rng = np.random.default_rng(0)
    voiced_s, tone_s = segment.voicing(voiced(1.0), RATE)
    assert voiced_s > 0.8 and tone_s < 0.05
    voiced_s, tone_s = segment.voicing(0.3 * beep(RATE, frequency=1000.0, seconds=0.5), RATE)
    assert voiced_s < 0.05 and 0.4 < tone_s <= 0.5
    assert segment.voicing(0.1 * pink_noise(RATE, rng=rng), RATE)[1] < 0.05


def test_tone_frames_mark_a_beep_inside_the_intervals_and_nothing_else():
    rng = np.random.default_rng(2)
    audio = 0.003 * pink_noise(4 * RATE, rng=rng)
    audio[RATE : 2 * RATE] += voiced(1.0)
    audio[int(2.5 * RATE) : int(2.5 * RATE) + 4800] += 0.3 * beep(RATE, frequency=800.0)  # 0.3 s
    tones = segment.tone_frames(audio, RATE, np.array([[0.5, 3.5]]), n_frames=400, frame_seconds=0.01)
    assert tones.dtype == bool and tones.shape == (400,)
    marked = np.flatnonzero(tones)
    # The beep's 0.3 s, to within a voicing frame (32 ms) at each edge; the vowel not at all.
    assert 245 <= marked.min() <= 255 and 275 <= marked.max() <= 290 and marked.size >= 25
    # Only inside the intervals asked about.
    assert not segment.tone_frames(audio, RATE, np.array([[0.5, 2.2]]), n_frames=400, frame_seconds=0.01).any()


def test_drop_bursts_keeps_speech_and_drops_isolated_bursts():
    rng = np.random.default_rng(1)
    audio = 0.003 * pink_noise(6 * RATE, rng=rng)
    audio[RATE : 2 * RATE] += voiced(1.0)
    audio[3 * RATE : 3 * RATE + 8000] += 0.5 * knock(RATE, rng=rng)
    audio[4 * RATE : 4 * RATE + 4800] += 0.3 * beep(RATE)
    candidates = np.array([[1.0, 2.0], [3.0, 3.5], [4.0, 4.3]])
    kept, dropped = segment.drop_bursts(candidates, audio, RATE, min_voiced=0.15)
    assert kept.tolist() == [[1.0, 2.0]]
    assert dropped.tolist() == [[3.0, 3.5], [4.0, 4.3]]
    # With no bar (Silero's model judges them instead) every interval is kept.
    kept, dropped = segment.drop_bursts(candidates, audio, RATE, min_voiced=0.0)
    assert kept.tolist() == candidates.tolist() and dropped.shape == (0, 2)


def test_split_long_cuts_at_the_quietest_point():
    audio = np.concatenate([voiced(6.0), np.zeros(int(0.2 * RATE), np.float32), voiced(5.8)])
    pieces = segment.split_long(np.array([[0.0, 12.0]]), audio, RATE, max_seconds=8.0)
    assert len(pieces) == 2
    assert 6.0 <= pieces[0, 1] <= 6.2 and pieces[0, 1] == pieces[1, 0]
    assert pieces[0, 0] == 0.0 and pieces[1, 1] == 12.0


def test_split_long_splits_repeatedly_until_every_piece_fits():
    audio = voiced(50.0)
    pieces = segment.split_long(np.array([[0.0, 50.0]]), audio, RATE, max_seconds=20.0)
    assert (pieces[:, 1] - pieces[:, 0]).max() <= 20.0
    assert pieces[0, 0] == 0.0 and pieces[-1, 1] == 50.0
    np.testing.assert_allclose(pieces[1:, 0], pieces[:-1, 1])


def test_split_long_leaves_short_intervals_alone():
    intervals = np.array([[0.0, 3.0], [4.0, 9.0]])
    np.testing.assert_array_equal(segment.split_long(intervals, voiced(10.0), RATE, max_seconds=20.0), intervals)


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ([[1.0, 2.0], [3.0, 4.0]], [[0.85, 2.15], [2.85, 4.15]]),
        ([[1.0, 2.0], [2.2, 3.0]], [[0.85, 2.1], [2.1, 3.15]]),  # close neighbours meet half-way
        ([[0.05, 1.0], [9.0, 9.95]], [[0.0, 1.15], [8.85, 10.0]]),  # kept inside the clip
        ([], []),
    ],
)
def test_pad_intervals_never_overlaps(intervals, expected):
    padded = segment.pad_intervals(np.array(intervals, dtype=float).reshape(-1, 2), padding=0.15, duration=10.0)
    np.testing.assert_allclose(padded, np.array(expected).reshape(-1, 2))


def test_noise_intervals_keep_clear_of_speech_and_excluded_bursts():
    decisions = mask("....................##########....................")  # 0.1 s frames
    noise = segment.noise_intervals(decisions, frame_seconds=0.1, exclude=np.array([[0.0, 0.5]]), guard=0.2)
    np.testing.assert_allclose(noise, [[0.5, 1.8], [3.2, 5.0]])


def test_vad_frames_hears_espeak_speech_and_not_silence():
    speech = speak("Good morning, everyone.", voice="en-us")
    import soxr

    audio = np.concatenate([np.zeros(RATE, np.float32), soxr.resample(speech, 22050, RATE).astype(np.float32), np.zeros(RATE, np.float32)])
    decisions = vad_frames(audio, RATE, aggressiveness=3, frame_ms=10)
    assert decisions.size == audio.size // 160
    assert not decisions[:90].any() and not decisions[-90:].any()
    assert decisions[100:-100].mean() > 0.6


def test_vad_frames_refuses_rates_webrtcvad_cannot_take():
    with pytest.raises(ValueError):
        vad_frames(np.zeros(4410, np.float32), 44100)


def test_frame_levels_db_measures_each_10ms_frame():
    audio = np.concatenate([np.full(160, 0.1, np.float32), np.full(160, 0.01, np.float32), np.zeros(100, np.float32)])
    np.testing.assert_allclose(segment.frame_levels_db(audio, RATE), [-20.0, -40.0], atol=1e-3)


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ("##__##", [[0.0, 0.6]]),  # 0.2 s of quiet is not a pause
        ("##___##", [[0.0, 0.35], [0.35, 0.7]]),  # 0.3 s is: cut in its middle
        ("___####", [[0.0, 0.7]]),  # quiet at an edge is padding, not a pause
        ("#___#___#", [[0.0, 0.25], [0.25, 0.65], [0.65, 0.9]]),
    ],
)
def test_split_at_quiet_cuts_inside_long_enough_quiet_stretches(levels, expected):
    levels_db = np.array([-20.0 if c == "#" else -60.0 for c in levels])  # 0.1 s frames
    pieces = segment.split_at_quiet(np.array([[0.0, len(levels) / 10]]), levels_db, frame_seconds=0.1, threshold_db=-50.0, min_pause=0.3)
    np.testing.assert_allclose(pieces, expected)


def test_frame_mask_marks_the_frames_of_intervals():
    assert segment.frame_mask(np.array([[0.1, 0.3], [0.5, 0.6]]), 8, frame_seconds=0.1).tolist() == [False, True, True, False, False, True, False, False]


def test_a_pause_is_judged_against_the_local_speech_level_not_only_the_noise_floor():
    # Loud speech, then 0.4 s of music-like background 20 dB under it, then loud speech:
    # far above the clip's floor, but a pause all the same.
    levels_db = np.array([-20.0] * 10 + [-40.0] * 4 + [-20.0] * 10)  # 0.1 s frames
    threshold = segment.pause_threshold_db(levels_db, frame_seconds=0.1, floor_db=-70.0, margin_db=3.0, below_speech_db=15.0)
    pieces = segment.split_at_quiet(np.array([[0.0, 2.4]]), levels_db, frame_seconds=0.1, threshold_db=threshold, min_pause=0.3)
    np.testing.assert_allclose(pieces, [[0.0, 1.2], [1.2, 2.4]])
    # The floor still counts where nothing else does.
    assert threshold.min() >= -67.0


def test_a_quiet_speakers_soft_syllables_are_not_a_pause_when_close_to_their_own_level():
    # A speaker 6 dB down whose soft syllables dip 8 dB: not far enough under the speech around them.
    levels_db = np.array([-26.0] * 10 + [-34.0] * 4 + [-26.0] * 10)
    threshold = segment.pause_threshold_db(levels_db, frame_seconds=0.1, floor_db=-45.0, margin_db=3.0, below_speech_db=15.0)
    pieces = segment.split_at_quiet(np.array([[0.0, 2.4]]), levels_db, frame_seconds=0.1, threshold_db=threshold, min_pause=0.3)
    np.testing.assert_allclose(pieces, [[0.0, 2.4]])


def test_drop_background_keeps_speakers_within_a_few_db_and_drops_what_lies_far_under_them():
    levels_db = np.array([-20.0] * 10 + [-60.0] * 5 + [-25.0] * 10 + [-60.0] * 5 + [-36.0] * 10)  # 0.1 s frames
    intervals = np.array([[0.0, 1.0], [1.5, 2.5], [3.0, 4.0]])
    kept, dropped = segment.drop_background(intervals, levels_db, frame_seconds=0.1, below_speech_db=8.0)
    assert kept.tolist() == [[0.0, 1.0], [1.5, 2.5]]
    assert dropped.tolist() == [[3.0, 4.0]]


def test_drop_background_leaves_tones_out_of_an_intervals_loud_level():
    # Background 16 dB under the speech with a beep louder than the speech in it: the beep
    # alone lifts the interval's loud level. Without its frames, the rest is background.
    levels_db = np.array([-20.0] * 10 + [-60.0] * 5 + [-36.0] * 4 + [-14.0] * 3 + [-36.0] * 3)  # 0.1 s frames
    intervals = np.array([[0.0, 1.0], [1.5, 2.5]])
    kept, _ = segment.drop_background(intervals, levels_db, frame_seconds=0.1, below_speech_db=8.0)
    assert kept.tolist() == [[0.0, 1.0], [1.5, 2.5]]
    tones = np.zeros(levels_db.size, bool)
    tones[19:22] = True
    kept, dropped = segment.drop_background(intervals, levels_db, frame_seconds=0.1, below_speech_db=8.0, tones=tones)
    assert kept.tolist() == [[0.0, 1.0]] and dropped.tolist() == [[1.5, 2.5]]
    # An interval that is all tone has no loud level of its own and is dropped too.
    tones[:10] = True
    kept, dropped = segment.drop_background(intervals, levels_db, frame_seconds=0.1, below_speech_db=8.0, tones=tones)
    assert kept.shape == (0, 2) and dropped.tolist() == [[0.0, 1.0], [1.5, 2.5]]


def test_cues_refine_segments_in_order_and_must_return_disjoint_intervals():
    def split_at_two(intervals):  # what a machine draft's sentence end would propose
        return np.array([[0.0, 2.0], [2.0, 4.0]])

    assert segment.apply_cues(np.array([[0.0, 4.0]]), [split_at_two]).tolist() == [[0.0, 2.0], [2.0, 4.0]]
    with pytest.raises(ValueError):
        segment.apply_cues(np.array([[0.0, 4.0]]), [lambda intervals: np.array([[0.0, 3.0], [2.0, 4.0]])])


def test_a_vad_gap_the_level_does_not_confirm_is_not_a_cut():
    # Three runs of speech; the level is quiet in the first gap and stays up in the second
    # (webrtcvad dropped out inside continuous speech there).
    intervals = np.array([[0.0, 1.0], [1.4, 2.0], [2.4, 3.0]])
    quiet = np.zeros(30, bool)
    quiet[10:14] = True
    joined = segment.join_unheard_pauses(intervals, quiet, frame_seconds=0.1, min_share=0.2)
    np.testing.assert_allclose(joined, [[0.0, 1.0], [1.4, 3.0]])


@pytest.mark.parametrize("kind", ["spread", "ties", "constant", "outliers"])
def test_selected_percentile_and_median_equal_numpys_on_the_selected_copy_to_the_bit(kind):
    rng = np.random.default_rng(len(kind))
    for _ in range(40):
        n = int(rng.integers(1, 30000))
        values = {
            "spread": rng.normal(-50, 20, n),
            "ties": rng.integers(-5, 5, n).astype(np.float64),
            "constant": np.full(n, -120.0),
            "outliers": np.concatenate([rng.normal(-50, 0.5, n), [300.0, -300.0]]),
        }[kind]
        mask = rng.random(values.size) < rng.random()
        mask[rng.integers(values.size)] = True
        for q in (0, 37.3, 50, 90, 100):
            assert segment.selected_percentile(values, mask, q) == np.percentile(values[mask], q)
        assert segment.selected_median(values, mask) == np.median(values[mask])


def test_quiet_frames_in_blocks_are_the_frames_under_the_whole_clips_pause_threshold():
    rng = np.random.default_rng(3)
    # Speech-like levels: loud stretches and quiet gaps of random lengths, with jitter.
    lengths = rng.integers(5, 400, 400)
    levels = np.repeat(rng.choice([-25.0, -45.0, -70.0], lengths.size), lengths) + rng.normal(0, 3, lengths.sum())
    expected = levels < segment.pause_threshold_db(levels, frame_seconds=0.01, floor_db=-70.0, margin_db=3.0, below_speech_db=30.0)
    for block in (777, 5000, levels.size):
        quiet = segment.quiet_frames(levels, frame_seconds=0.01, floor_db=-70.0, margin_db=3.0, below_speech_db=30.0, block=block)
        np.testing.assert_array_equal(quiet, expected)


def test_smooth_hysteresis_over_more_frames_than_a_block_walks_the_moving_average():
    """Past 60000 frames the average is taken a block at a time; it must not show."""
    rng = np.random.default_rng(4)
    # Runs of speech and non-speech up to 6 s long, some across the block boundaries.
    decisions = np.repeat(np.arange(1500) % 2 == 0, rng.integers(1, 600, 1500))
    decisions ^= rng.random(decisions.size) < 0.05
    assert decisions.size > 120_000
    for window, on, off in ((5, 0.6, 0.2), (4, 0.5, 0.0), (21, 0.9, 0.85), (301, 0.7, 0.3)):
        share = uniform_filter1d(decisions.astype(np.float32), size=window, mode="constant")
        expected, speaking = np.zeros(decisions.size, bool), False
        for index, value in enumerate(share):
            speaking = value >= on if not speaking else value > off
            expected[index] = speaking
        np.testing.assert_array_equal(segment.smooth_hysteresis(decisions, window=window, on=on, off=off), expected)


def test_only_long_segments_are_split_where_the_level_stays_far_under_the_speech_around_it():
    # Speech at -20 dB with 0.5 s of background at -38 dB in its middle: far above the
    # floor (-70 dB), 18 dB under the speech. 0.1 s frames.
    levels_db = np.array([-20.0] * 40 + [-38.0] * 5 + [-20.0] * 40)
    settings = dict(frame_seconds=0.1, floor_db=-70.0, margin_db=3.0, below_speech_db=16.0, min_pause=0.35)
    long = segment.split_long_at_local_pauses(np.array([[0.0, 8.5]]), levels_db, longer_than=6.0, **settings)
    np.testing.assert_allclose(long, [[0.0, 4.25], [4.25, 8.5]])
    # A segment of ordinary length keeps such a dip (a comma, a soft syllable) whole.
    short = segment.split_long_at_local_pauses(np.array([[2.0, 6.5]]), levels_db, longer_than=6.0, **settings)
    np.testing.assert_allclose(short, [[2.0, 6.5]])
    # 10 dB under the speech is no pause even in a long segment.
    shallow = np.array([-20.0] * 40 + [-30.0] * 5 + [-20.0] * 40)
    np.testing.assert_allclose(segment.split_long_at_local_pauses(np.array([[0.0, 8.5]]), shallow, longer_than=6.0, **settings), [[0.0, 8.5]])


def test_with_keep_below_a_long_segment_is_cut_at_its_longest_pause_first_and_again_only_while_a_piece_is_longer():
    # 11 s of speech at -20 dB with three dips to -38 dB: 0.4 s at 2.0 s (a comma), 0.7 s at
    # 5.0 s (the gap between two sentences) and 0.4 s at 8.5 s. 0.1 s frames.
    levels_db = np.full(110, -20.0)
    levels_db[20:24] = levels_db[50:57] = levels_db[85:89] = -38.0
    settings = dict(frame_seconds=0.1, longer_than=7.0, floor_db=-70.0, margin_db=3.0, below_speech_db=16.0, min_pause=0.35)
    segment_ = np.array([[0.0, 11.0]])
    # At every pause: the comma is cut too.
    np.testing.assert_allclose(segment.split_long_at_local_pauses(segment_, levels_db, **settings),
                               [[0.0, 2.2], [2.2, 5.35], [5.35, 8.7], [8.7, 11.0]])
    # Longest first: the gap, then the 5.65 s piece after it at its own longest pause; the
    # 5.35 s piece before it is short enough, so its comma stays whole.
    np.testing.assert_allclose(segment.split_long_at_local_pauses(segment_, levels_db, keep_below=5.5, **settings),
                               [[0.0, 5.35], [5.35, 8.7], [8.7, 11.0]])
    # With a piece allowed to be as long as the segment's halves, one cut is all it takes.
    np.testing.assert_allclose(segment.split_long_at_local_pauses(segment_, levels_db, keep_below=6.0, **settings),
                               [[0.0, 5.35], [5.35, 11.0]])
    # A piece with no pause left stays as long as it is.
    np.testing.assert_allclose(segment.split_at_longest_pauses(0.0, 11.0, levels_db < -30, frame_seconds=0.1, min_pause=0.35,
                                                               keep_below=1.0), [[0.0, 2.2], [2.2, 5.35], [5.35, 8.7], [8.7, 11.0]])


def test_with_min_piece_no_cut_leaves_a_piece_shorter_than_it_so_a_first_clause_stays_whole():
    # 9 s of speech at -20 dB: "Before you leave, | please turn off the lights." (a 0.5 s
    # comma pause ending 1.2 s in, the longest pause) then a 0.4 s gap to the next sentence
    # at 5.0 s. 0.1 s frames.
    levels_db = np.full(90, -20.0)
    levels_db[7:12] = levels_db[48:52] = -38.0
    settings = dict(frame_seconds=0.1, longer_than=7.0, floor_db=-70.0, margin_db=3.0, below_speech_db=16.0,
                    min_pause=0.35, keep_below=4.0)
    segment_ = np.array([[0.0, 9.0]])
    # Longest first cuts the comma, and the 8.05 s rest again at the gap.
    np.testing.assert_allclose(segment.split_long_at_local_pauses(segment_, levels_db, **settings),
                               [[0.0, 0.95], [0.95, 5.0], [5.0, 9.0]])
    # The comma would leave 0.95 s: passed over; the gap is cut instead.
    np.testing.assert_allclose(segment.split_long_at_local_pauses(segment_, levels_db, min_piece=1.5, **settings),
                               [[0.0, 5.0], [5.0, 9.0]])
    # A gap too near both ends is no cut at all.
    np.testing.assert_allclose(segment.split_long_at_local_pauses(segment_, levels_db, min_piece=4.5, **settings),
                               [[0.0, 9.0]])


def test_one_talkers_sentence_is_kept_and_five_talkers_of_babble_are_dropped_as_flat():
    import soxr

    texts = ["Good morning, everyone, and welcome back.", "The train leaves from the second platform.",
             "Please close the window before you go.", "We will meet again next week at noon.",
             "Thank you all for waiting so patiently."]
    voices = ["en-us", "en-gb", "en-us", "en-gb-x-rp", "en-gb-scotland"]
    talkers = [soxr.resample(speak(t, voice=v), 22050, RATE).astype(np.float32) for t, v in zip(texts, voices)]
    talkers = [t / np.sqrt(np.mean(t**2)) * 0.05 for t in talkers]
    n = min(t.size for t in talkers)
    noise = 0.002 * pink_noise(n, rng=np.random.default_rng(7))
    one = talkers[0][:n] + noise
    babble = np.sum([np.roll(t[:n], 1601 * k) for k, t in enumerate(talkers)], axis=0) + noise
    audio = np.concatenate([one, babble])
    levels = segment.frame_levels_db(audio, RATE)
    intervals = np.array([[0.0, n / RATE], [n / RATE, 2 * n / RATE]])
    kept, dropped = segment.drop_flat(intervals, levels, frame_seconds=0.01, min_range_db=9.0)
    np.testing.assert_allclose(kept, intervals[:1])
    np.testing.assert_allclose(dropped, intervals[1:])


def test_pauses_within_a_segment_are_its_long_enough_stretches_well_under_its_loud_level():
    rate = 16000
    audio = np.random.default_rng(1).normal(0, 0.1, 3 * rate).astype(np.float32)
    audio[int(0.5 * rate):int(0.75 * rate)] *= 0.1  # 20 dB down for 0.25 s: a pause
    audio[int(1.5 * rate):int(1.6 * rate)] *= 0.1   # 0.1 s: a stop consonant, not a pause
    audio[int(2.2 * rate):int(2.5 * rate)] *= 0.7   # 3 dB down: a softer syllable
    (pause,) = segment.pauses_within(audio, rate, min_seconds=0.2)
    assert pause == pytest.approx((0.5, 0.75), abs=0.011)
    assert segment.pauses_within(np.zeros(0, np.float32), rate, min_seconds=0.2) == ()


def test_a_long_pause_is_cut_in_its_middle_when_both_sides_hold_enough_sound():
    # Pauses as pauses_within gives them, seconds from the segment's start.
    pauses = [(0.1, 0.3), (1.9, 2.6), (2.8, 3.0), (4.6, 4.8)]
    assert segment.long_pause_cuts(pauses, 5.0, long_pause=0.5, side=1.5) == [pytest.approx(2.25)]
    # Too short a pause, or too little sound on one side, is no cut.
    assert segment.long_pause_cuts(pauses, 5.0, long_pause=0.8, side=1.5) == []
    assert segment.long_pause_cuts(pauses, 5.0, long_pause=0.5, side=2.5) == []
    assert segment.long_pause_cuts([], 5.0, long_pause=0.5, side=1.5) == []


def test_each_side_of_a_long_pause_cut_is_measured_from_the_cut_before():
    # Three 2 s stretches of sound between two 0.6 s pauses: both pauses are cut.
    pauses = [(2.0, 2.6), (4.6, 5.2)]
    assert segment.long_pause_cuts(pauses, 7.2, long_pause=0.5, side=1.5) == [pytest.approx(2.3), pytest.approx(4.9)]
    # With 1.5 s between them, the second is no cut: its left side holds too little sound.
    assert segment.long_pause_cuts([(2.0, 2.6), (3.6, 4.2)], 6.2, long_pause=0.5, side=1.5) == [pytest.approx(2.3)]


def test_sound_between_is_the_time_outside_the_pauses():
    assert segment.sound_between([(1.0, 2.0), (3.0, 3.5)], 0.0, 4.0) == pytest.approx(2.5)
    assert segment.sound_between([(1.0, 2.0)], 1.5, 3.0) == pytest.approx(1.0)
    assert segment.sound_between([(1.0, 2.0)], 1.2, 1.8) == 0.0


def test_segments_are_split_at_the_long_pauses_their_own_audio_holds():
    rate = 16000
    rng = np.random.default_rng(3)
    talk = lambda seconds: rng.normal(0, 0.1, int(seconds * rate)).astype(np.float32)  # noqa: E731
    gap = lambda seconds: rng.normal(0, 0.01, int(seconds * rate)).astype(np.float32)  # noqa: E731
    # A segment holding 2 s, a 0.8 s gap 20 dB down, 2 s; then one whose gap is a comma's 0.3 s.
    audio = np.concatenate([talk(2.0), gap(0.8), talk(2.0), gap(1.0), talk(2.0), gap(0.3), talk(2.0)])
    intervals = np.array([[0.0, 4.8], [5.8, 10.1]])
    cut = segment.split_at_long_pauses(intervals, audio, rate, long_pause=0.5, side=1.5)
    np.testing.assert_allclose(cut, [[0.0, 2.4], [2.4, 4.8], [5.8, 10.1]], atol=0.011)
    assert segment.split_at_long_pauses(np.zeros((0, 2)), audio, rate, long_pause=0.5, side=1.5).shape == (0, 2)
