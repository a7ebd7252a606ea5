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
    monkeypatch.setattr(tune, "clip_scores", lambda clips, arguments: [scores(10, 10) for _ in clips])
    return tune, read


def scores(whole: int, sentences: int) -> dict:
    """One clip's counts as ``metrics.segment_scores`` gives them: one segment per sentence."""
    return {"n_whole": whole, "n_sentences": sentences, "n_one": sentences, "n_with_speech": sentences,
            "n_no_speech": 0, "segments": sentences}


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


def test_a_variant_is_shown_with_its_change_and_how_sure_that_change_is(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import tune

    clips = [{"language": "en", "truth": []} for _ in range(6)]
    monkeypatch.setattr(tune, "load_tuning_clips", lambda language, extra=False: clips)
    monkeypatch.setattr(tune, "load_clips", lambda split, language=None: [] if split == "real" else clips)
    # The variant keeps one sentence more whole on every clip than the defaults do.
    monkeypatch.setattr(tune, "clip_scores", lambda clips, arguments: [
        scores(whole + (1 if arguments else 0), 20) for whole in (12, 19, 8, 15, 17, 10)[: len(clips)]])
    monkeypatch.setattr("sys.argv", ["tune.py", "--validate", "min_pause_s=0.3"])

    tune.main()

    lines = capsys.readouterr().out.splitlines()
    changes = [line for line in lines if "change, 95 % interval" in line]
    assert [line.split()[0] for line in changes] == ["tune", "validate"]
    # One sentence in 20 on every clip: +0.05, and pairing the clips leaves no doubt about it.
    assert "whole +0.050 (+0.050 to +0.050)" in changes[0]


def test_the_whole_pipeline_variant_is_shown_with_its_change_resampling_recorded_sources_together(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import pipeline_tune

    # Two recorded sources, three clips each; the variant loses a sentence on every clip of one.
    recorded = [("en", Path(f"real-{name}-{i}-pink-8dB"), [], name) for name in ("en-call", "en-librivox") for i in range(3)]
    monkeypatch.setattr(pipeline_tune, "clip_sets", lambda extra, confirm, validate=False: {"recorded": recorded})
    monkeypatch.setattr(pipeline_tune, "scored", lambda clips, changes: [
        scores(10 - (1 if changes and "librivox" in folder.name else 0), 10) for _, folder, *_ in clips])
    monkeypatch.setattr("sys.argv", ["pipeline_tune.py", "--confirm", "min_pause_s=0.3"])

    pipeline_tune.main()

    change = next(line for line in capsys.readouterr().out.splitlines() if "change, 95 % interval" in line)
    # Resampling the two sources: none of LibriVox (0), all of it (-0.1) or half (-0.05).
    assert "whole -0.050 (-0.100 to +0.000)" in change


def test_the_whole_pipeline_sets_name_each_recorded_clips_source_and_no_source_for_grid_clips(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import pipeline_tune
    import real

    grid_clip = pipeline_tune.grid.ClipSpec("tune", "en", "pink", 7.0, 100, seconds=90.0)
    monkeypatch.setattr(pipeline_tune.grid, "specs", lambda split, extra=False: [grid_clip] if split == "tune" else [])
    monkeypatch.setattr(pipeline_tune.grid, "build", lambda spec, out: {"sentences": [{"start": 1.0, "end": 2.0}]})
    monkeypatch.setattr(real, "clips", lambda out: [
        (Path("real-ko-picovoice-2-music-12dB"), {"spec": {"source": "ko-picovoice"}, "sentences": [{"start": 0.5, "end": 1.5}]})])

    sets = pipeline_tune.clip_sets(extra=False, confirm=True)

    assert [clip[3] for clip in sets["tuning"]] == [None]
    assert sets["recorded"] == [("ko", Path("real-ko-picovoice-2-music-12dB"), [(0.5, 1.5)], "ko-picovoice")]
