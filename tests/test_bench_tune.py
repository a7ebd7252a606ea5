"""``bench/tune.py``'s checks of a chosen setting: ``--validate`` scores it on the tuning and
validation clips and must leave the held-out clips unread (reading them is ``--confirm``'s
step, once, after the choice); ``--confirm`` reads every set."""

from pathlib import Path

import pytest


@pytest.fixture
def tune_reading(monkeypatch):
    """``bench/tune.py`` with its clip loaders and scorer stubbed, and the list of the splits
    it loads, in order."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import tune

    read = []
    clip = {"language": "en", "truth": [], "source": "en-librivox"}
    monkeypatch.setattr(tune, "load_tuning_clips", lambda language, extra=False: read.append("tune") or [clip])
    monkeypatch.setattr(tune, "load_clips", lambda split, language=None: read.append(split) or [clip])
    monkeypatch.setattr(tune, "pooled_scores", lambda clips, arguments: {
        "sentences_whole": 1.0, "one_sentence_each": 1.0, "no_speech_share": 0.0})
    return tune, read


def test_validate_scores_tuning_and_validation_clips_and_never_reads_the_held_out_ones(tune_reading, monkeypatch, capsys):
    tune, read = tune_reading
    monkeypatch.setattr("sys.argv", ["tune.py", "--validate", "min_pause_s=0.3"])

    tune.main()

    assert "held_out" not in read
    assert read[:2] == ["real", "tune"] and "validation" in read
    printed = capsys.readouterr().out
    assert "validate  min_pause_s=0.3" in printed and "held_out" not in printed


def test_confirm_reads_the_held_out_clips_after_the_validation_ones(tune_reading, monkeypatch):
    tune, read = tune_reading
    monkeypatch.setattr("sys.argv", ["tune.py", "--confirm", "min_pause_s=0.3"])

    tune.main()

    assert read.index("validation") < read.index("held_out")
