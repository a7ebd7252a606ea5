"""Pauses inside sentences: a speaker's comma pauses, measured on the clip itself, are not cuts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import soxr

from workbench.audio import segment, speech
from workbench.audio.errors import AudioError
from workbench.audio.settings import PipelineSettings
from workbench.audio.synth import ESPEAK_RATE, pink_noise, speak

RATE = 16000

PHRASES = [
    ("Good morning", "and welcome back"), ("The train leaves", "from the second platform", "at noon"),
    ("Please close the window", "before you go"), ("We will meet", "next week"),
    ("Thank you all", "for waiting"), ("The garden is green", "after the rain"),
    ("She opened the door", "and smiled"), ("Bring your coat", "it is cold outside"),
    ("On Monday", "the shop is closed", "all day"), ("If you can", "call me tonight"),
    ("The river", "runs to the sea"), ("After lunch", "we walked home", "slowly"),
]


def commas_clip(comma_s: float) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Twelve sentences of two or three short phrases, each phrase followed by the same
    ``comma_s`` of silence inside its sentence (one speaker's habit) and each sentence by a
    longer, varied gap; pink noise 25 dB under the speech. Returns the clip and the
    sentences' (start, end) seconds."""
    rng = np.random.default_rng(12)
    gaps = [0.9, 1.4, 0.8, 1.9, 1.1, 1.6, 0.85, 1.2, 2.1, 0.95, 1.3, 1.0]
    pieces, truth, at = [np.zeros(int(0.5 * RATE), np.float32)], [], 0.5
    for phrases, gap in zip(PHRASES, gaps):
        start = at
        for index, text in enumerate(phrases):
            voice = soxr.resample(speak(text, voice="en-us", speed=170), ESPEAK_RATE, RATE).astype(np.float32)
            pieces.append(0.1 * voice / np.sqrt(np.mean(voice**2)))
            at += voice.size / RATE
            if index < len(phrases) - 1:
                pieces.append(np.zeros(int(comma_s * RATE), np.float32))
                at += comma_s
        truth.append((start, at))
        pieces.append(np.zeros(int(gap * RATE), np.float32))
        at += gap
    audio = np.concatenate(pieces)
    audio += 0.1 * 10 ** (-25 / 20) * pink_noise(audio.size, rng=rng)
    return audio, truth


def whole(truth, segments) -> list[bool]:
    return [any(a <= s and e <= b for a, b in segments) for s, e in truth]


def test_a_speakers_comma_pauses_are_not_cuts_where_a_piece_would_be_short():
    audio, truth = commas_clip(0.4)
    settings = PipelineSettings(second_opinion=False)
    # 0.4 s is long enough to cut at for a fixed pause length: most sentences are cut
    # (the short-piece join off too: it would mend these phrases for its own reason).
    fixed_length_only = speech.find_speech(audio, dataclasses.replace(settings, comma_max_pause_s=0.0, join_short_below_s=0.0))
    assert sum(whole(truth, fixed_length_only.padded)) <= len(truth) // 2
    # Measured against the clip's own pauses, 0.4 s is this speaker's comma: at most one
    # sentence (whose pause the noise lengthened past the mode) is still cut.
    found = speech.find_speech(audio, settings)
    assert sum(whole(truth, found.padded)) >= len(truth) - 1
    # Sentence gaps are still cuts: no two sentences share a segment.
    assert len(found.padded) >= len(truth)


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        # one speaker's commas: eight pauses of 0.30-0.36 s, sentence gaps spread from 0.6 s
        ([0.30, 0.31, 0.32, 0.33, 0.33, 0.34, 0.35, 0.36, 0.6, 0.9, 1.3, 1.7, 2.2], 0.36),
        # sentence gaps spread evenly over 0.3-2.5 s: no mode, nothing joined
        (list(np.linspace(0.3, 2.5, 24)), None),
        # too few pauses to call anything a habit
        ([0.30, 0.31, 0.32, 1.0, 2.0], None),
    ],
)
def test_the_comma_mode_is_a_tight_cluster_of_short_pauses_standing_apart(pauses, expected):
    top = segment.comma_mode(np.array(pauses), max_pause=0.6, width=0.25, min_count=6, min_share=0.25, max_above_share=0.34)
    assert top == (pytest.approx(expected) if expected is not None else None)


def intervals_with_pauses(lengths: list[float], pause: float) -> np.ndarray:
    starts = np.concatenate([[0.0], np.cumsum(np.array(lengths[:-1]) + pause)])
    return np.stack([starts, starts + lengths], axis=1)


def test_comma_pauses_join_only_pieces_of_a_sentence_not_two_whole_sentences():
    # Ten pauses of 0.4 s between neighbours: a comma mode of their own.
    quiet = np.zeros(4000, bool)
    sentences = intervals_with_pauses([2.6] * 10, 0.4)
    np.testing.assert_allclose(segment.join_comma_pauses(sentences, quiet, frame_seconds=0.01, max_pause=0.6, short_piece=2.0), sentences)
    # A piece of 1 s among them (a sentence's start or end) joins its neighbours.
    pieces = intervals_with_pauses([2.6] * 4 + [1.0] + [2.6] * 5, 0.4)
    joined = segment.join_comma_pauses(pieces, quiet, frame_seconds=0.01, max_pause=0.6, short_piece=2.0)
    np.testing.assert_allclose(joined, np.concatenate([pieces[:3], [[pieces[3, 0], pieces[5, 1]]], pieces[6:]]))


def test_the_pause_at_a_boundary_is_the_gap_or_the_quiet_run_the_level_cut_in():
    quiet = np.zeros(100, bool)
    quiet[40:75] = True  # 0.35 s of quiet, cut in its middle: the two intervals touch
    pauses = segment.boundary_pauses(np.array([[0.0, 0.575], [0.575, 0.9], [0.95, 1.0]]), quiet, frame_seconds=0.01)
    np.testing.assert_allclose(pauses, [0.35, 0.05])


# ---------------------------------------------------------------- short pieces

FRAME = 0.01


def quiet_between(intervals, seconds: float) -> np.ndarray:
    """The level's quiet frames: everything outside the intervals."""
    quiet = np.ones(int(seconds / FRAME), bool)
    for start, end in intervals:
        quiet[int(round(start / FRAME)) : int(round(end / FRAME))] = False
    return quiet


def joined(intervals, **kwargs) -> list[tuple[float, float]]:
    intervals = np.array(intervals, dtype=np.float64)
    settings = {"shorter_than": 1.6, "max_pause": 0.5} | kwargs
    out = segment.join_short_pieces(intervals, quiet_between(intervals, 60.0), frame_seconds=FRAME, **settings)
    return [tuple(round(x, 6) for x in row) for row in out]


def test_a_short_piece_is_joined_to_the_neighbour_across_its_shorter_pause():
    # A 1 s phrase 0.3 s after a 3 s one and 1.5 s before the next sentence: it ends a sentence.
    assert joined([(1.0, 4.0), (4.3, 5.3), (6.8, 10.0)]) == [(1.0, 5.3), (6.8, 10.0)]
    # The same phrase 1.5 s after the first and 0.3 s before the next: it opens the next one.
    assert joined([(1.0, 4.0), (5.5, 6.5), (6.8, 10.0)]) == [(1.0, 4.0), (5.5, 10.0)]


def test_a_short_piece_with_long_pauses_on_both_sides_is_a_sentence_of_its_own():
    segments = [(1.0, 4.0), (4.6, 5.6), (6.2, 10.0)]
    assert joined(segments) == segments  # 0.6 s each side, over the 0.5 s limit
    assert joined(segments, max_pause=0.6) == [(1.0, 5.6), (6.2, 10.0)]


def test_pieces_as_long_as_the_limit_are_left_alone_and_the_rule_can_be_turned_off():
    segments = [(1.0, 2.6), (2.8, 4.4), (4.6, 6.2)]
    assert joined(segments) == segments
    assert joined([(1.0, 4.0), (4.3, 5.3)], shorter_than=0.0) == [(1.0, 4.0), (4.3, 5.3)]


def test_a_join_never_makes_a_segment_longer_than_the_limit():
    assert joined([(1.0, 12.5), (12.8, 13.8)], max_joined=12.0) == [(1.0, 12.5), (12.8, 13.8)]
    assert joined([(1.0, 12.5), (12.8, 13.8)], max_joined=13.0) == [(1.0, 13.8)]


def test_the_shortest_piece_is_joined_first_and_a_joined_piece_can_take_another():
    # Three phrases of one sentence, 0.25 s apart: 0.8 s and 1.2 s join into one segment.
    assert joined([(1.0, 1.8), (2.05, 3.25), (3.5, 4.9)]) == [(1.0, 4.9)]


def test_a_cut_inside_one_run_of_speech_is_measured_by_the_quiet_run_it_cut_at():
    # The level cut in the middle of a 0.3 s quiet stretch, so the segments touch; the
    # pause is the quiet run, not the zero gap.
    intervals = np.array([(1.0, 4.15), (4.15, 5.3)])
    quiet = quiet_between([(1.0, 4.0), (4.3, 5.3)], 60.0)
    out = segment.join_short_pieces(intervals, quiet, frame_seconds=FRAME, shorter_than=1.6, max_pause=0.2)
    assert len(out) == 2  # the pause is 0.3 s, over 0.2 s
    out = segment.join_short_pieces(intervals, quiet, frame_seconds=FRAME, shorter_than=1.6, max_pause=0.35)
    assert out.tolist() == [[1.0, 5.3]]


@pytest.mark.parametrize("field", ["join_short_below_s", "join_short_max_pause_s"])
def test_short_piece_settings_below_zero_are_refused(field):
    with pytest.raises(AudioError, match=field):
        dataclasses.replace(PipelineSettings(), **{field: -0.1}).validate()


def test_the_segmenter_joins_phrases_cut_off_at_commas_even_without_a_comma_mode():
    # The phrases of commas_clip are 0.6-1.5 s: with the comma mode off, the short-piece
    # join alone puts them back together, and the sentence gaps (0.8 s and more) stay cuts.
    audio, truth = commas_clip(0.4)
    settings = PipelineSettings(second_opinion=False, comma_max_pause_s=0.0)
    found = speech.find_speech(audio, settings)
    assert sum(whole(truth, found.padded)) >= len(truth) - 1
    assert len(found.padded) >= len(truth)
    off = speech.find_speech(audio, dataclasses.replace(settings, join_short_below_s=0.0))
    assert sum(whole(truth, off.padded)) <= len(truth) // 2
