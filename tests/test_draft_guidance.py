"""Guideline flags and sentence hints of machine drafts (issue 13): pure rules over a
draft's text and word times, read from guidelines/<language>.toml like the submit check."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from workbench.drafts.model import DraftWord
from workbench.workflow.draft_guidance import (
    HintSegment, guideline_flags, has_sound, sentence_hints,
)


def rules_of(language, text, words=(), **kw):
    return [(f.rule, f.index, f.word) for f in guideline_flags(language, text, words, **kw)]


def timed(*texts, start=0.0, step=0.5):
    """Words one after another, ``step`` seconds each, from ``start`` (segment time)."""
    return tuple(DraftWord(t, round(start + n * step, 3), round(start + (n + 1) * step - 0.1, 3), 0.9)
                 for n, t in enumerate(texts))


# --- guideline flags, per rule and language ---------------------------------------------------

def test_korean_digits_and_latin_letters_are_flagged_for_the_dual_notation():
    assert rules_of("ko", "3시에 KTX 타고 가요") == [("dual-notation", 0, "3시에"), ("dual-notation", 1, "KTX")]
    message = guideline_flags("ko", "KTX", ())[0].message
    assert message.startswith("numbers/foreign words need (spelling)/(pronunciation)")


def test_korean_in_hangul_only_or_already_in_dual_notation_is_not_flagged():
    assert rules_of("ko", "세 시에 기차 타고 가요") == []
    assert rules_of("ko", "(3시)/(세 시)에 만나요") == []


def test_the_flag_points_at_the_draft_word_by_its_index():
    words = timed("오늘", "5시에", "봐요")
    assert rules_of("ko", "오늘 5시에 봐요", words) == [("dual-notation", 1, "5시에")]


@pytest.mark.parametrize("language,text,word", [
    ("en", "I have 3 cats", "3"), ("zh", "我有3只猫", "我有3只猫"), ("ja", "猫が3匹います", "猫が3匹います")])
def test_digits_are_flagged_where_the_guideline_writes_numbers_as_spoken(language, text, word):
    assert rules_of(language, text) == [("digits", 0 if language != "en" else 2, word)]


def test_latin_letters_are_not_flagged_where_the_guideline_allows_them():
    assert rules_of("en", "The BBC said so") == []
    assert rules_of("zh", "我用 iPhone 打电话") == []
    assert rules_of("ja", "NHKのニュース") == []


@pytest.mark.parametrize("language,text,tag", [
    ("ko", "(음악)", "n/"), ("ko", "[박수]", "n/"), ("en", "[Music]", "[noise]"), ("en", "(applause)", "[noise]"),
    ("en", "*laughs*", "[noise]"), ("en", "♪", "[noise]"), ("zh", "（掌声）", "[noise]"), ("ja", "[音楽]", "[noise]")])
def test_a_caption_for_a_sound_is_flagged_to_be_tagged_with_the_guidelines_noise_tag(language, text, tag):
    (flag,) = guideline_flags(language, text, ())
    assert (flag.rule, flag.word) == ("noise-tag", text)
    assert f"tag the noise: the guideline writes {tag}" in flag.message


def test_a_caption_spread_over_several_words_is_flagged_on_the_segment():
    words = (DraftWord("[", 0, 0.1, 0.9), DraftWord("音楽", 0.1, 0.5, 0.9), DraftWord("]", 0.5, 0.6, 0.9))
    assert rules_of("ja", "[音楽]", words) == [("noise-tag", None, "[音楽]")]


def test_a_tag_the_guideline_allows_is_not_flagged():
    assert rules_of("en", "[noise] hello there") == []


@pytest.mark.parametrize("language,tag", [("ko", "n/"), ("en", "[noise]"), ("zh", "[noise]"), ("ja", "[noise]")])
def test_an_empty_draft_over_sound_is_flagged_and_over_silence_is_not(language, tag):
    (flag,) = guideline_flags(language, "", (), sounding=True)
    assert (flag.rule, flag.index) == ("sound-no-words", None)
    assert f"tag the noise ({tag})" in flag.message
    assert guideline_flags(language, "", (), sounding=False) == []


def test_the_flags_follow_the_guideline_file(tmp_path, monkeypatch):
    from workbench.workflow.guidelines import guidelines_dir

    for path in guidelines_dir().iterdir():
        shutil.copy(path, tmp_path / path.name)
    toml = (tmp_path / "en.toml").read_text()
    toml = toml.replace("digits = false", "digits = true").replace('"[noise]" = "noise"', '"[sound]" = "noise"')
    (tmp_path / "en.toml").write_text(toml)
    monkeypatch.setenv("WORKBENCH_GUIDELINES_DIR", str(tmp_path))
    assert rules_of("en", "I have 3 cats") == []
    assert "the guideline writes [sound]" in guideline_flags("en", "(music)", ())[0].message


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        guideline_flags("xx", "hello", ())


def test_sound_is_the_loudest_100_ms_above_minus_35_dbfs():
    rate = 16000
    t = np.arange(rate) / rate
    assert has_sound((0.1 * np.sin(2 * np.pi * 200 * t)).astype(np.float32))
    assert not has_sound(np.zeros(rate, np.float32))
    assert not has_sound(np.random.default_rng(1).normal(0, 0.005, rate).astype(np.float32))
    assert not has_sound(np.zeros(0, np.float32))


# --- sentence hints -------------------------------------------------------------------------------

def test_a_sentence_mark_inside_a_draft_suggests_a_split_between_the_two_words():
    words = timed("Nobody", "knew.", "The", "results", "came")
    (hint,) = sentence_hints("en", [HintSegment(7, 10.0, 13.0, words)])
    # "knew." ends at 0.9 s and "The" starts at 1.0 s: the split is halfway, on the clip's time.
    assert (hint.segment_id, hint.kind, hint.at) == (7, "split", 10.95)
    assert hint.texts == ("Nobody knew.", "The results came")


@pytest.mark.parametrize("language,pieces,texts", [
    ("ko", ("아무도", "몰랐어요.", "결과는", "금요일에"), ("아무도 몰랐어요.", "결과는 금요일에")),
    ("zh", ("谁也", "不知道", "。", "结果", "公布"), ("谁也不知道。", "结果公布")),
    ("ja", ("だれも", "しらない", "。", "けっかは", "あした"), ("だれもしらない。", "けっかはあした")),
])
def test_each_language_splits_at_its_own_sentence_marks(language, pieces, texts):
    (hint,) = sentence_hints(language, [HintSegment(1, 0.0, 5.0, timed(*pieces))])
    assert (hint.kind, hint.texts) == ("split", texts)


def test_marks_that_do_not_end_a_sentence_in_the_language_suggest_nothing():
    assert sentence_hints("en", [HintSegment(1, 0.0, 5.0, timed("Mr.", "Smith", "came", "home."))]) == []
    # A half-width period is not a Chinese sentence end.
    assert [h.kind for h in sentence_hints("zh", [HintSegment(1, 0.0, 5.0, timed("你好.", "再见。"))])] == []


def test_a_mark_on_the_last_word_or_before_punctuation_only_is_one_sentence():
    assert sentence_hints("en", [HintSegment(1, 0.0, 3.0, timed("It", "works."))]) == []
    assert sentence_hints("en", [HintSegment(1, 0.0, 3.0, timed("Really?", "!"))]) == []


def test_a_split_too_close_to_the_segment_edge_is_not_suggested():
    words = (DraftWord("Yes.", 0.0, 0.02, 0.9), DraftWord("No", 0.04, 0.5, 0.9))
    assert sentence_hints("en", [HintSegment(1, 0.0, 0.6, words)], min_piece=0.1) == []


def test_a_draft_ending_mid_sentence_before_a_short_gap_suggests_a_merge():
    first = HintSegment(1, 0.0, 2.0, timed("When", "the", "delivery"))
    second = HintSegment(2, 2.3, 4.0, timed("arrives,", "call", "me."))
    hints = sentence_hints("en", [first, second])
    assert [(h.segment_id, h.kind) for h in hints] == [(1, "merge")]
    assert "0.30 s" in hints[0].message


def test_no_merge_after_a_long_gap_after_a_full_sentence_or_at_the_last_segment():
    long_gap = [HintSegment(1, 0.0, 2.0, timed("When", "the")), HintSegment(2, 2.4, 4.0, timed("x"))]
    ended = [HintSegment(1, 0.0, 2.0, timed("It", "works.")), HintSegment(2, 2.1, 4.0, timed("x"))]
    assert sentence_hints("en", long_gap) == []
    assert sentence_hints("en", ended) == []
    assert sentence_hints("en", [HintSegment(1, 0.0, 2.0, timed("When", "the"))]) == []


def test_no_merge_when_the_next_draft_opens_with_a_capital_but_i_is_no_sentence_start():
    first = HintSegment(1, 0.0, 2.0, timed("When", "the", "delivery"))
    capital = HintSegment(2, 2.1, 4.0, timed("Put", "the", "boxes."))
    pronoun = HintSegment(2, 2.1, 4.0, timed("I'll", "call."))
    assert sentence_hints("en", [first, capital]) == []
    assert [h.kind for h in sentence_hints("en", [first, pronoun])] == ["merge"]
    korean = [HintSegment(1, 0.0, 2.0, timed("택배가", "오면,", start=1.0)), HintSegment(2, 2.1, 4.0, timed("상자를", "넣어요."))]
    assert [h.kind for h in sentence_hints("ko", korean)] == ["merge"]


def test_a_segment_without_draft_words_gets_no_hint_but_can_be_merged_into():
    hints = sentence_hints("en", [HintSegment(1, 0.0, 2.0, timed("When", "the")), HintSegment(2, 2.1, 3.0)])
    assert [(h.segment_id, h.kind) for h in hints] == [(1, "merge")]
    assert sentence_hints("en", [HintSegment(1, 0.0, 2.0), HintSegment(2, 2.1, 3.0)]) == []


def test_a_split_wins_over_a_merge_on_the_same_segment():
    segments = [HintSegment(1, 0.0, 3.0, timed("Stop.", "When", "the")), HintSegment(2, 3.1, 4.0, timed("x"))]
    assert [h.kind for h in sentence_hints("en", segments)] == ["split"]


def test_where_the_pauses_are_known_a_split_goes_to_the_first_sentence_end_with_one_near_it():
    # Ends after "One." (cut at 0.45 s) and "Two." (cut at 0.95 s): only the second has a
    # pause within reach, so the split lands in the middle of that pause (0.925 s); without
    # pauses known, between the words of the first.
    words = timed("One.", "Two.", "Three", "more")
    heard = HintSegment(1, 10.0, 12.0, words, pauses=((0.8, 1.05),))
    (split,) = sentence_hints("en", [heard], min_piece=0.2)
    assert (split.kind, split.at, split.texts) == ("split", 10.925, ("One. Two.", "Three more"))
    (unheard,) = sentence_hints("en", [HintSegment(1, 10.0, 12.0, words)], min_piece=0.2)
    assert unheard.at == 10.45
    # A pause too short, or too far from the cut, is no pause: no split at all.
    for pauses in (((0.85, 1.0),), ((1.5, 1.9),), ()):
        assert sentence_hints("en", [HintSegment(1, 10.0, 12.0, words, pauses=pauses)], min_piece=0.2) == []


def test_a_split_that_would_leave_a_piece_without_speech_goes_to_the_next_sentence_end_or_nowhere():
    # "Um." is music Whisper heard before the sentence: the first 0.6 s is all pause (level
    # 6 dB under the segment's speech), so cutting after it (0.45 s) would leave a piece with
    # nothing to transcribe. The next sentence end, "start." (cut at 1.95 s), has speech on
    # both sides and a pause under it, whose middle (1.975 s) the cut goes to.
    words = timed("Um.", "Today", "we", "start.", "Then", "more")
    heard = HintSegment(1, 10.0, 13.0, words, pauses=((0.0, 0.6), (1.85, 2.1)))
    (split,) = sentence_hints("en", [heard], min_piece=0.2)
    assert (split.at, split.texts) == (11.975, ("Um. Today we start.", "Then more"))
    # A stray word after the real end, inside the trailing pause: no split at all, though the
    # pause under the cut is long enough; over speech the same draft is split there.
    words = timed("Hello", "there.", "Mm")
    tail = HintSegment(1, 10.0, 12.0, words, pauses=((0.85, 1.15), (1.2, 2.0)))
    assert sentence_hints("en", [tail], min_piece=0.1) == []
    (split,) = sentence_hints("en", [HintSegment(1, 10.0, 12.0, words, pauses=((0.85, 1.15),))], min_piece=0.1)
    assert (split.at, split.texts) == (11.0, ("Hello there.", "Mm"))


def test_a_split_goes_to_the_middle_of_the_pause_nearest_whispers_cut_not_between_its_words():
    # Whisper ended "home." at 1.2 s, but the audio pauses only from 1.32 s: the cut between
    # its words (1.3 s) would fall inside the sentence's last syllable. The split goes to the
    # middle of that pause (1.5 s); the other pause within reach (0.9-1.2 s, middle 0.25 s
    # from the cut) is the farther one.
    words = (DraftWord("We", 0.0, 0.4, 0.9), DraftWord("went", 0.45, 0.8, 0.9), DraftWord("home.", 0.85, 1.2, 0.9),
             DraftWord("Then", 1.4, 1.8, 0.9), DraftWord("rain", 1.85, 2.4, 0.9))
    heard = HintSegment(1, 5.0, 7.5, words, pauses=((0.9, 1.2), (1.32, 1.68)))
    (split,) = sentence_hints("en", [heard], min_piece=0.1)
    assert (split.at, split.texts) == (6.5, ("We went home.", "Then rain"))
    # The shortest piece is measured from the cut actually made: 1.05 s would allow a cut at
    # 1.3 s but not at 1.5 s, so there is none.
    assert sentence_hints("en", [HintSegment(1, 5.0, 7.5, words, pauses=((1.32, 1.68),))], min_piece=1.05) == []


def test_a_draft_of_digits_and_signs_is_not_read_for_sentence_ends_but_a_sentence_full_of_figures_is():
    # Whisper over loud music: no language heard, so its "!" ends nothing.
    noise = HintSegment(1, 0.0, 3.0, timed("-6", ",6", "-7", ",6!", "7", "-6!!"))
    assert sentence_hints("ko", [noise]) == []
    figures = HintSegment(1, 0.0, 4.0, timed("2024년", "3월", "15일", "오후", "3시.", "30분에", "만나요."))
    (split,) = sentence_hints("ko", [figures])
    assert (split.kind, split.texts) == ("split", ("2024년 3월 15일 오후 3시.", "30분에 만나요."))
