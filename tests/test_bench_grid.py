"""The bench's clip grid (``bench/grid.py``): which sentences, voices and seeds each split uses.

Settings are chosen on the tuning clips, checked on the validation clips and reported on
the held-out clips, whose figures the fresh clips check on another draw of the same
material. A validation clip must speak the tuning material in a draw of its own:
were it to share a seed with a tuning clip it would repeat that clip, and were it to speak
held-out sentences or voices it would spend the held-out set before the report.
"""

import numpy as np
import pytest


@pytest.fixture
def grid(monkeypatch):
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    import grid

    return grid


def test_every_split_draws_from_seeds_of_its_own(grid):
    splits = ("tune", "validation", "held_out", "fresh")
    seeds = {split: {spec.seed for spec in grid.specs(split, extra=split == "tune")} for split in splits}

    for n, split in enumerate(splits):
        for other in splits[n + 1:]:
            assert not seeds[split] & seeds[other], (split, other)
    validation = grid.specs("validation")
    assert len({spec.name for spec in validation}) == len(validation) == 36
    assert all(spec.name.startswith("validation-") and spec.seconds == 120.0 for spec in validation)
    assert {spec.snr_db for spec in validation} == {8.0, 12.0, 20.0}


def test_a_validation_clip_speaks_tuning_sentences_in_tuning_voices(grid, corpus_module, tmp_path):
    spec = grid.ClipSpec("validation", "en", "pink", 20.0, 500, seconds=12.0)

    truth = grid.build(spec, tmp_path)

    assert truth["sentences"]
    assert {s["text"] for s in truth["sentences"]} <= set(corpus_module.SENTENCES["tune"]["en"])
    assert {s["voice"] for s in truth["speakers"]} <= set(corpus_module.voices("en", "tune"))
    # The draw is its own: the tuning clip of the same language, noise and length differs.
    tuning = grid.build(grid.ClipSpec("tune", "en", "pink", 20.0, 102, seconds=12.0), tmp_path)
    assert [s["text"] for s in truth["sentences"]] != [s["text"] for s in tuning["sentences"]]
    assert (tmp_path / spec.name / "clip.wav").is_file()


def test_a_speaker_table_for_validation_never_picks_a_held_out_voice(grid, corpus_module):
    held_out_only = set(corpus_module.voices("en", "held_out")) - set(corpus_module.voices("en", "tune"))
    spec = grid.ClipSpec("validation", "en", "pink", 8.0, 500)

    picked = {speaker["voice"] for seed in range(40)
              for speaker in grid.speaker_table(spec, np.random.default_rng(seed))}

    assert picked <= set(corpus_module.voices("en", "tune"))
    assert not picked & held_out_only


def test_a_fresh_clip_speaks_held_out_sentences_in_held_out_voices_in_a_draw_of_its_own(grid, corpus_module, tmp_path):
    # bench/fresh.py checks the held-out figures on new draws of the same material.
    fresh = grid.specs("fresh")
    assert len(fresh) == 48 and {spec.snr_db for spec in fresh} == set(grid.HELD_OUT_SNRS)
    assert all(spec.name.startswith("fresh-") and spec.seconds == 120.0 and spec.material == "held_out" for spec in fresh)

    truth = grid.build(grid.ClipSpec("fresh", "en", "pink", 20.0, 3100, seconds=12.0), tmp_path)
    held_out = grid.build(grid.ClipSpec("held_out", "en", "pink", 20.0, 1100, seconds=12.0), tmp_path)

    assert {s["text"] for s in truth["sentences"]} <= set(corpus_module.SENTENCES["held_out"]["en"])
    assert {s["voice"] for s in truth["speakers"]} <= set(corpus_module.voices("en", "held_out"))
    assert [s["text"] for s in truth["sentences"]] != [s["text"] for s in held_out["sentences"]]


@pytest.fixture
def corpus_module(grid):
    import corpus

    return corpus
