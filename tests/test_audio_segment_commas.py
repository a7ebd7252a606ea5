"""Pauses inside sentences: a speaker's comma pauses, measured on the clip itself, are not cuts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import soxr

from workbench.audio import segment, speech
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
    # 0.4 s is long enough to cut at for a fixed pause length: most sentences are cut.
    fixed_length_only = speech.find_speech(audio, dataclasses.replace(settings, comma_max_pause_s=0.0))
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
