"""``bench/pause_oracle.py``: a segmenter with perfect hearing, the ceiling of cutting at
pauses by their length. It hears clean speech exactly, and cuts at every pause of at least
a threshold; when a pause inside a sentence is longer than a gap between two sentences, no
threshold keeps every sentence whole and gives each its own segment."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
RATE = 16000


@pytest.fixture
def oracle(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import pause_oracle

    return pause_oracle


def speech_and_silence(*parts: tuple[str, float]) -> np.ndarray:
    """Stretches of a voiced-like tone ("speech") and of digital silence, in order."""
    rng = np.random.default_rng(0)
    pieces = []
    for kind, seconds in parts:
        n = int(seconds * RATE)
        if kind == "speech":
            t = np.arange(n) / RATE
            pieces.append((0.1 * np.sin(2 * np.pi * 180 * t) * (1 + 0.3 * rng.standard_normal(n) ** 2)).astype(np.float32))
        else:
            pieces.append(np.zeros(n, np.float32))
    return np.concatenate(pieces)


def test_it_hears_the_clean_speech_to_the_frame(oracle):
    audio = speech_and_silence(("silence", 0.5), ("speech", 1.0), ("silence", 0.25), ("speech", 1.0), ("silence", 0.5))

    runs = oracle.heard_speech(audio, RATE)

    assert runs == pytest.approx(np.array([[0.5, 1.5], [1.75, 2.75]]), abs=0.011)


def test_it_cuts_at_every_pause_as_long_as_the_threshold_and_pads_within_the_pause(oracle):
    runs = np.array([[0.5, 1.5], [1.75, 2.75], [3.35, 4.0]])

    assert np.array(oracle.cut_at_pauses(runs, 0.3, padding_s=0.2, duration=4.1)) == pytest.approx(np.array([(0.3, 2.95), (3.15, 4.1)]))
    # Cut at the 0.25 s pause too: each side gets half of it, not the full 0.2 s.
    cut = oracle.cut_at_pauses(runs, 0.25, padding_s=0.2, duration=4.1)
    assert np.array(cut) == pytest.approx(np.array([(0.3, 1.625), (1.625, 2.95), (3.15, 4.1)]))


def test_no_threshold_serves_both_targets_when_a_sentence_pauses_longer_than_a_gap(oracle, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import metrics

    # Sentence one pauses 0.3 s at a comma; sentences two and three are 0.2 s apart.
    audio = speech_and_silence(("silence", 0.5), ("speech", 1.0), ("silence", 0.3), ("speech", 1.0), ("silence", 1.0),
                               ("speech", 1.5), ("silence", 0.2), ("speech", 1.5), ("silence", 0.5))
    sentences = [(0.5, 2.8), (3.8, 5.3), (5.5, 7.0)]
    runs = oracle.heard_speech(audio, RATE)

    outcomes = []
    for threshold in oracle.THRESHOLDS_S:
        found = metrics.segment_scores(sentences, oracle.cut_at_pauses(runs, threshold, padding_s=0.2, duration=audio.size / RATE))
        outcomes.append((found["sentences_whole"], found["one_sentence_each"]))

    assert (1.0, 1.0) not in outcomes
    assert (1.0, 0.5) in outcomes and (pytest.approx(2 / 3), 1.0) in outcomes


def test_silence_alone_is_heard_as_no_speech(oracle):
    assert oracle.heard_speech(np.zeros(RATE, np.float32), RATE).shape == (0, 2)


def test_the_command_refuses_a_split_it_does_not_have():
    done = subprocess.run([sys.executable, str(BENCH / "pause_oracle.py"), "--split", "../../etc"],
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 2 and "invalid choice" in done.stderr and "Traceback" not in done.stderr


def test_with_hindsight_each_clip_gets_the_threshold_that_serves_it_best(oracle):
    def scores(whole: float, one: float) -> dict:
        return {"sentences_whole": whole, "one_sentence_each": one}

    by_threshold = {
        0.2: ([scores(0.8, 1.0), scores(1.0, 0.9)], ["en", "ja"]),
        0.3: ([scores(1.0, 0.9), scores(1.0, 0.7)], ["en", "ja"]),
        0.4: ([scores(1.0, 0.7), scores(0.9, 1.0)], ["en", "ja"]),
    }

    best, names = oracle.best_for_each_clip(by_threshold)

    # The first clip: 1.9 at 0.3 s beats 1.8 at 0.2 s; the second ties at 1.9 and keeps the
    # threshold with more sentences whole (0.2 s).
    assert best == [scores(1.0, 0.9), scores(1.0, 0.9)] and names == ["en", "ja"]
