"""The pipeline's ``split`` stage: a segment is cut at the long pauses heard in the cleaned
audio (``PipelineSettings.long_pause_split_s``), by default in Japanese, Korean and Mandarin."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from tests.recorded_speech import LIBRIVOX, RATE, babble, mixed
from workbench.audio.errors import AudioError
from workbench.audio.pipeline import PipelineSettings, process_file

GAP_S = 1.0


def narrator(tmp_path):
    """The five LibriVox sentences ``GAP_S`` apart under five-talker babble at 15 dB SNR, and
    each sentence's (start, end)."""
    if not LIBRIVOX.is_dir():
        pytest.skip("Debian's pocketsphinx-testdata is not installed (scripts/test installs it)")
    pieces, sentences, at = [np.zeros(RATE, np.float32)], [], 1.0
    for path in sorted(LIBRIVOX.glob("*.wav")):
        audio = sf.read(path, dtype="float32")[0]
        pieces += [audio / np.sqrt(np.mean(audio**2)) * 0.05, np.zeros(int(GAP_S * RATE), np.float32)]
        sentences.append((at, at + audio.size / RATE))
        at += audio.size / RATE + GAP_S
    speech = np.concatenate([*pieces, np.zeros(RATE, np.float32)])
    source = tmp_path / "narrator.wav"
    sf.write(source, mixed(speech, babble(speech.size), 15.0), RATE, subtype="FLOAT")
    return source, sentences


def segments(tmp_path, source, name: str, **settings):
    # Pauses under 2 s are no cut for the segmenter itself, and Silero gives no second opinion:
    # whatever cuts the sentences apart is the split stage.
    chosen = PipelineSettings(min_pause_s=2.0, min_quiet_s=2.0, second_opinion=False, **settings)
    report = process_file(source, tmp_path / name, language="en", settings=chosen)
    return [(s.start, s.end) for s in report.segments], report.report


def test_the_split_stage_cuts_sentences_apart_at_the_long_pauses_the_segmenter_kept(tmp_path):
    source, sentences = narrator(tmp_path)
    joined, report = segments(tmp_path, source, "off")
    assert len(joined) < len(sentences) and report["segments"]["long_pause_splits"] == 0
    cut, report = segments(tmp_path, source, "on", long_pause_split_s=0.5)
    assert len(cut) == len(sentences) and report["segments"]["long_pause_splits"] == len(cut) - len(joined)
    for start, end in sentences:
        assert sum(a <= start + 0.05 and end - 0.05 <= b for a, b in cut) == 1, (start, end)
    # The pieces touch: they cover what the segmenter kept, cut and nothing dropped.
    assert (cut[0][0], cut[-1][1]) == (joined[0][0], joined[-1][1])
    assert report["timings"]["split"] >= 0 and report["settings"]["long_pause_split_s"] == 0.5


def test_a_pause_too_short_or_with_too_little_sound_beside_it_is_not_cut(tmp_path):
    source, sentences = narrator(tmp_path)
    joined, _ = segments(tmp_path, source, "off")
    assert segments(tmp_path, source, "long", long_pause_split_s=3.0)[0] == joined
    assert segments(tmp_path, source, "sides", long_pause_split_s=0.5, long_pause_side_s=60.0)[0] == joined


@pytest.mark.parametrize(("language", "split", "side"), [("ja", 0.35, 2.0), ("ko", 0.4, 2.0), ("zh", 0.5, 1.0), ("en", 0.0, 1.5)])
def test_japanese_korean_and_mandarin_split_at_long_pauses_by_default(language, split, side):
    chosen = PipelineSettings.for_language(language)
    assert (chosen.long_pause_split_s, chosen.long_pause_side_s) == (split, side)
    assert PipelineSettings.for_language(language, long_pause_split_s=0.0).long_pause_split_s == 0.0


@pytest.mark.parametrize("setting", ["long_pause_split_s", "long_pause_side_s"])
def test_a_negative_long_pause_setting_is_refused(setting):
    with pytest.raises(AudioError, match=f"invalid setting: {setting}"):
        PipelineSettings(**{setting: -0.5}).validate()


def test_the_drafting_job_hears_a_segment_s_long_pauses_as_the_split_stage_does(tmp_path):
    """The re-cut's long-pause split, given the pauses the drafting job keeps with a draft
    (``draft_guidance.recut_pauses`` of the cleaned audio), cuts where the split stage cut."""
    from workbench.workflow.draft_guidance import recut_pauses
    from workbench.workflow.draft_recut import Piece, split_at_long_pauses

    source, _ = narrator(tmp_path)
    joined, _ = segments(tmp_path, source, "off")
    cut, _ = segments(tmp_path, source, "on", long_pause_split_s=0.5)
    clean = sf.read(tmp_path / "off" / "clean.flac", dtype="float32")[0]
    recut = []
    for start, end in joined:
        heard = recut_pauses(clean[round(start * RATE):round(end * RATE)], RATE)
        pieces = split_at_long_pauses("en", Piece(start, end, (0,), "kept", "", (), heard), long_pause=0.5, side=1.5)
        recut += [(piece.start, piece.end) for piece in pieces]
    assert len(recut) == len(cut) > len(joined)
    assert np.allclose(recut, cut, atol=0.011)
