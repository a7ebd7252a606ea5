"""How sure a benchmark figure is (``bench/metrics.py``'s ``interval`` and ``difference``,
``bench/intervals.py``).

A figure pools the sentences of a group's clips, but a clip's sentences share its voices,
noise and SNR, so the uncertainty comes from which clips were drawn: the interval resamples
clips (or whole sources of recorded speech), and the difference between two systems
resamples the same clips for both.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def metrics(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import metrics

    return metrics


def clip(whole: int, sentences: int, one: int = 1, with_speech: int = 1, no_speech: int = 0) -> dict:
    """A clip's counts as ``metrics.segment_scores`` gives them."""
    return {"n_whole": whole, "n_sentences": sentences, "n_one": one, "n_with_speech": with_speech,
            "n_no_speech": no_speech, "segments": with_speech + no_speech}


def test_the_interval_holds_the_pooled_figure_and_collapses_when_every_clip_scores_alike(metrics):
    varied = [clip(18, 20), clip(20, 20), clip(15, 20), clip(19, 20), clip(20, 22)]
    low, high = metrics.interval(varied, "sentences_whole")
    assert 0 <= low < metrics.pooled(varied)["sentences_whole"] < high <= 1

    alike = [clip(9, 10)] * 6
    assert metrics.interval(alike, "sentences_whole") == pytest.approx((0.9, 0.9))


def test_clips_are_resampled_whole_not_their_sentences(metrics):
    # Half the clips keep every sentence whole and half none. As 200 independent sentences
    # the interval would be about 0.43-0.57; ten clips drawn again can land far from half.
    clips = [clip(20, 20)] * 5 + [clip(0, 20)] * 5
    low, high = metrics.interval(clips, "sentences_whole")
    assert low < 0.3 and high > 0.7


def test_two_draws_of_clips_are_compared_by_resampling_each_on_its_own(metrics):
    # One system on two draws of clips (bench/fresh.py): the sets differ in their clips and
    # even in their number, so nothing pairs them.
    held_out = [clip(20, 20), clip(19, 20), clip(20, 20), clip(18, 20)]
    fresh = [clip(15, 20), clip(14, 20), clip(16, 20)]
    change, low, high = metrics.between_draws(fresh, held_out, "sentences_whole")
    assert change == pytest.approx(45 / 60 - 77 / 80)
    assert low <= change <= high < 0  # these draws differ by more than drawing again explains

    # Clips as varied within each draw as between them: the interval reaches across 0.
    change, low, high = metrics.between_draws([clip(20, 20), clip(10, 20)], [clip(18, 20), clip(12, 20)], "sentences_whole")
    assert change == 0 and low < 0 < high
    with pytest.raises(ValueError, match="at least one clip in each"):
        metrics.between_draws([], held_out, "sentences_whole")


def test_recorded_sources_are_resampled_as_wholes(metrics):
    # Two sources, three clips each: one source always whole, the other never. Resampling
    # the two sources gives 0, 0.5 or 1; resampling the six clips would rarely reach either end.
    clips = [clip(10, 10)] * 3 + [clip(0, 10)] * 3
    sources = ["a"] * 3 + ["b"] * 3
    assert metrics.interval(clips, "sentences_whole", clusters=sources) == pytest.approx((0.0, 1.0))
    low, high = metrics.interval(clips, "sentences_whole")
    assert low > 0.0 and high < 1.0
    with pytest.raises(ValueError, match="one cluster label per clip"):
        metrics.interval(clips, "sentences_whole", clusters=["a"])


def test_the_difference_of_two_systems_on_the_same_clips_is_paired(metrics):
    # Clips range from easy to hard; one system keeps one sentence more whole on every clip.
    # Alone, the two intervals overlap; paired, the difference is clearly above 0.
    hard = [4, 20, 9, 17, 12, 19, 6, 15]
    ours = [clip(k + 1, 20) for k in hard]
    theirs = [clip(k, 20) for k in hard]
    change, low, high = metrics.difference(ours, theirs, "sentences_whole")
    assert change == pytest.approx(metrics.pooled(ours)["sentences_whole"] - metrics.pooled(theirs)["sentences_whole"])
    assert 0 < low <= change <= high
    assert metrics.interval(ours, "sentences_whole")[0] < metrics.interval(theirs, "sentences_whole")[1]
    with pytest.raises(ValueError, match="same clips"):
        metrics.difference(ours, theirs[:-1], "sentences_whole")


def test_a_resample_without_segments_of_speech_scores_as_the_pooled_figure_does(metrics):
    # A clip whose segments all hold no speech has no "one each" to count: pooled alone it
    # scores 0.0, and so does every resample made of it alone.
    silent = clip(0, 5, one=0, with_speech=0, no_speech=3)
    assert metrics.pooled([silent])["one_sentence_each"] == 0.0
    assert metrics.interval([silent], "one_sentence_each") == (0.0, 0.0)
    assert metrics.interval([silent, clip(5, 5, one=4, with_speech=4)], "one_sentence_each")[1] == 1.0
    with pytest.raises(ValueError, match="at least one clip"):
        metrics.interval([], "sentences_whole")


def test_the_same_results_give_the_same_intervals(metrics):
    clips = [clip(w, 20) for w in (20, 17, 19, 11, 20, 18)]
    assert metrics.interval(clips, "sentences_whole") == metrics.interval(clips, "sentences_whole")
    assert metrics.interval(clips, "sentences_whole", seed=1) != metrics.interval(clips, "sentences_whole")


def run_intervals(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / "intervals.py"), *map(str, args)], capture_output=True, text=True, timeout=120)


def test_the_command_prints_the_intervals_of_a_saved_run(tmp_path):
    def row(language: str, snr: float, ours: int, silero: int) -> dict:
        return {"spec": {"language": language, "snr_db": snr, "name": f"held_out-{language}-{snr}"},
                "ours": clip(ours, 20, one=8, with_speech=10), "silero": clip(silero, 20, one=6, with_speech=10)}

    results = {"held_out": [row("en", 8, 19, 20), row("en", 12, 18, 20), row("en", 5, 3, 20), row("ko", 20, 20, 19)]}
    saved = tmp_path / "grid-results.json"
    saved.write_text(json.dumps(results))

    done = run_intervals(saved)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # The 5 dB clip is outside the range and left out: en pools 37 of 40 sentences.
    assert any(line.startswith("| en | 2 | 0.925 (") for line in lines)
    assert any(line.startswith("| all ≥ 8 dB | 3 | ") for line in lines)


@pytest.mark.parametrize("content, says", [
    (None, "does not exist"),
    ("not json", "is not a bench/run.py results file"),
    ("[1, 2]", "holds no clip results"),
    ('{"held_out": []}', "holds no clip results"),
    ('{"held_out": [{"spec": {"snr_db": 8}}]}', "is not a bench/run.py results file"),
    ('{"tune": [{"ours": 1}]}', "is not a bench/run.py results file"),
])
def test_the_command_refuses_what_is_not_a_saved_run(tmp_path, content, says):
    saved = tmp_path / "grid-results.json"
    if content is not None:
        saved.write_text(content)

    done = run_intervals(saved)

    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr


def test_recorded_clips_are_counted_and_resampled_by_source(tmp_path):
    def row(source: str, ours: int) -> dict:
        return {"spec": {"source": source, "language": source.split("-")[0], "name": f"real-{source}"},
                "ours": clip(ours, 10), "silero": clip(10, 10)}

    results = {"real": [row("en-librivox", 9), row("en-librivox", 10), row("zh-f5", 5), row("zh-f5", 7), row("en-f5", 8)]}
    saved = tmp_path / "real-results.json"
    saved.write_text(json.dumps(results))

    done = run_intervals(saved)

    assert done.returncode == 0, done.stderr
    # Five clips of three sources; LibriVox is a tuning source, so the held-out row has three clips of two.
    assert "| all real | 5 / 3 | 0.780 (" in done.stdout
    assert "| real, held-out sources | 3 / 2 | 0.667 (" in done.stdout
