"""The guideline checks the submit step runs, as a table of transcripts and their problems.

Each case is (language, text, duration in seconds, no_speech) and the exact set of
(rule id, severity) the checker must report; an empty set means the text is right.
"""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.workflow.guidelines import (
    GUIDELINES_DIR_ENV,
    LANGUAGES,
    RULE_IDS,
    Problem,
    SegmentForCheck,
    check_segments,
    guideline_markdown,
    guidelines_dir,
    load_rules,
    spelling_and_pronunciation,
)

E, W = "error", "warning"


def problems_of(language: str, text: str, duration: float, no_speech: bool) -> set[tuple[str, str]]:
    segment = SegmentForCheck(segment_id=1, position=0, text=text, duration=duration,
                              no_speech=no_speech)
    return {(p.rule, p.severity) for p in check_segments(language, [segment])}


CORRECT = [
    ("ko", "음/ (3시)/(세 시)에 역 앞에서 만나자.", 3.0),
    ("ko", "아+ 아니 b/ 나는 (KTX)/(케이티엑스) 탈 거야.", 3.0),
    ("ko", "(3.5)/(삼 점 오) 킬로 뛰었어.", 2.0),
    ("ko", "(C++)/(씨플플) 배워요.", 2.0),
    ("ko", "o/ 그래서 u/ 했다고? l/", 2.0),
    ("en", "um I th- I think it's uh fine.", 2.0),
    ("en", "[laugh] Mr. Brown said no [noise] again!", 2.0),
    ("en", "We had bibimbap in Gangnam.", 2.0),
    ("zh", "呃那个，我觉得还行吧。", 2.0),
    ("zh", "[laugh] 我下午要做PPT，[noise] 你呢？", 2.5),
    ("ja", "えっと、あの、それでいいと思います。", 2.5),
    ("ja", "[breath] NHKのニュースを見ました！", 2.0),
]


@pytest.mark.parametrize("language, text, duration", CORRECT)
def test_a_correct_transcript_has_no_problems(language, text, duration):
    assert problems_of(language, text, duration, False) == set()


CASES = [
    # script: the characters must belong to the task's language
    ("en", "We had 비빔밥 again.", 2.0, False, {("script", E)}),
    ("en", "It starts at 3:30.", 2.0, False, {("script", E)}),
    ("zh", "我们去吃김치吧。", 2.0, False, {("script", E)}),
    ("zh", "我们去吃キムチ吧。", 2.0, False, {("script", E)}),
    ("zh", "OK.", 1.0, False, {("script", E)}),
    ("ja", "김치を食べました。", 2.0, False, {("script", E)}),
    ("ja", "OK", 1.0, False, {("script", E)}),
    ("ja", "２０％引きです。", 2.0, False, {("script", E)}),
    ("ko", "3시에 만나자.", 2.0, False, {("script", E)}),
    ("ko", "KTX 타고 가.", 2.0, False, {("script", E)}),
    ("ko", "(3시)/(3 시)에 만나.", 2.0, False, {("script", E)}),
    ("ko", "진짜 웃기다 ㅋㅋ", 2.0, False, {("script", E)}),
    ("ko", "안녕/하세요.", 2.0, False, {("script", E)}),
    # brackets: dual pairs must be whole; no stray brackets
    ("ko", "(3시)/(세 시에 만나자.", 2.0, False, {("brackets", E)}),
    ("ko", "(KTX/(케이티엑스) 타.", 2.0, False, {("brackets", E)}),
    ("ko", "(3시)/ (세 시)에 만나.", 2.0, False, {("brackets", E)}),
    ("ko", "(웃음) 진짜 웃기다.", 2.0, False, {("brackets", E)}),
    ("en", "She said (quietly) no.", 2.0, False, {("brackets", E)}),
    ("en", "She said no]", 1.0, False, {("brackets", E)}),
    # tags: only the language's own
    ("ko", "[noise] 알았어.", 1.0, False, {("unknown-tag", E)}),
    ("ko", "x/ 알았어.", 1.0, False, {("unknown-tag", E)}),
    ("en", "[laughter] That's funny.", 2.0, False, {("unknown-tag", E)}),
    ("en", "b/ That's funny.", 2.0, False, {("unknown-tag", E)}),
    ("zh", "[笑声] 真好笑。", 1.0, False, {("unknown-tag", E)}),
    ("ja", "[笑] そうですね。", 1.0, False, {("unknown-tag", E)}),
    # one sentence: an error where the marks are unambiguous, a warning in English
    ("ko", "알았어. 내일 봐.", 2.0, False, {("one-sentence", E)}),
    ("ko", "뭐라고? 다시 말해 봐.", 2.0, False, {("one-sentence", E)}),
    ("en", "Are you coming? I'll be there.", 2.0, False, {("one-sentence", W)}),
    ("en", "I met J. Smith there.", 2.0, False, {("one-sentence", W)}),
    ("zh", "三点半见。明天见！", 2.0, False, {("one-sentence", E)}),
    ("ja", "はい。そうです。", 2.0, False, {("one-sentence", E)}),
    ("ja", "本当？ [laugh]", 1.0, False, set()),
    # characters per second: warning near the bounds, error far outside
    ("ko", "오늘 날씨가 정말 좋네요.", 1.0, False, set()),  # too short to rate
    ("ko", "오늘 날씨가 정말 좋네요 그래서 산책을 가려고 해요.", 2.0, False, {("chars-per-second", W)}),
    ("ko", "오늘 날씨가 정말 좋네요 그래서 산책을 가려고 하는데 같이 갈래요?", 2.0, False,
     {("chars-per-second", E)}),
    ("ko", "네.", 2.0, False, {("chars-per-second", W)}),
    ("ko", "네.", 4.0, False, {("chars-per-second", E)}),
    ("en", "Yes.", 1.0, False, set()),
    ("en", "Yes.", 3.0, False, {("chars-per-second", E)}),
    ("en", "Yes, please.", 2.5, False, {("chars-per-second", W)}),
    ("en", "Well I suppose we could go to the cinema tomorrow night.", 1.6, False,
     {("chars-per-second", E)}),
    ("zh", "我觉得这个方案还是可以的但是需要再讨论一下。", 1.6, False, {("chars-per-second", E)}),
    ("zh", "好。", 1.5, False, {("chars-per-second", W)}),
    ("ja", "はい。", 5.0, False, {("chars-per-second", E)}),
    # empty text and no-speech
    ("ko", "", 2.0, False, {("empty-text", E)}),
    ("en", "   ", 2.0, False, {("empty-text", E)}),
    ("ko", "l/ n/", 2.0, False, {("empty-text", E)}),
    ("zh", "[noise]", 2.0, False, {("empty-text", E)}),
    ("ko", "", 2.0, True, set()),
    ("ja", "", 2.0, True, set()),
    ("en", "Hello there.", 2.0, True, {("no-speech-text", W)}),
    ("ko", "3시 KTX [noise]", 2.0, True, {("no-speech-text", W)}),
    # several rules at once
    ("en", "[laughter] 안녕. Bye", 1.0, False,
     {("unknown-tag", E), ("script", E), ("one-sentence", W)}),
]


@pytest.mark.parametrize("language, text, duration, no_speech, expected", CASES)
def test_guideline_problems(language, text, duration, no_speech, expected):
    assert problems_of(language, text, duration, no_speech) == expected


def test_problems_name_their_segment_and_come_in_segment_order():
    segments = [
        SegmentForCheck(segment_id=40, position=0, text="Fine.", duration=1.0, no_speech=False),
        SegmentForCheck(segment_id=41, position=1, text="", duration=1.0, no_speech=False),
        SegmentForCheck(segment_id=42, position=2, text="비빔밥", duration=1.0, no_speech=False),
    ]
    problems = check_segments("en", segments)
    assert [(p.segment_id, p.position, p.rule) for p in problems] == [
        (41, 1, "empty-text"),
        (42, 2, "script"),
    ]
    assert all(isinstance(p, Problem) and p.message for p in problems)
    assert "비빔밥" in problems[1].message


@pytest.mark.parametrize("language, text, duration, no_speech", [case[:4] for case in CASES])
def test_every_rule_id_is_a_documented_one(language, text, duration, no_speech):
    assert {rule for rule, _ in problems_of(language, text, duration, no_speech)} <= set(RULE_IDS)


def test_the_rate_message_gives_the_measured_rate():
    segment = SegmentForCheck(segment_id=1, position=0, text="네.", duration=4.0, no_speech=False)
    [problem] = check_segments("ko", [segment])
    assert "0.2 characters per second is too slow" in problem.message


SPELLING_AND_PRONUNCIATION = [
    ("음/ (3시)/(세 시)에 만나요.", "음 3시에 만나요.", "음 세 시에 만나요."),
    ("(KTX)/(케이티엑스) 타고 l/ 가요", "KTX 타고 가요", "케이티엑스 타고 가요"),
    ("아+ 아니 b/ 그게 아니라", "아 아니 그게 아니라", "아 아니 그게 아니라"),
    ("(A/S)/(에이에스) 받았어요 n/ .", "A/S 받았어요.", "에이에스 받았어요."),
    ("(C++)/(씨플플)", "C++", "씨플플"),
    ("(10km)/(십 킬로)를   뛰었어\n어/ 진짜로", "10km를 뛰었어 어 진짜로", "십 킬로를 뛰었어 어 진짜로"),
    ("u/ o/ 그래서", "그래서", "그래서"),
    ("[laugh] I w- I want [noise] that.", "I w- I want that.", "I w- I want that."),
    ("[breath]  我下午要做PPT， [unk] 你呢？", "我下午要做PPT，你呢？", "我下午要做PPT，你呢？"),
    ("[laugh] NHKのニュースを [noise] 見ました！", "NHKのニュースを見ました！", "NHKのニュースを見ました！"),
    ("", "", ""),
]


@pytest.mark.parametrize("text, spelling, pronunciation", SPELLING_AND_PRONUNCIATION)
def test_spelling_and_pronunciation(text, spelling, pronunciation):
    assert spelling_and_pronunciation(text) == (spelling, pronunciation)


@pytest.mark.parametrize("call", [load_rules, guideline_markdown,
                                  lambda language: check_segments(language, [])])
@pytest.mark.parametrize("language", ["fr", "KO", "", "../ko"])
def test_an_unknown_language_is_a_clear_error(call, language):
    with pytest.raises(ValueError, match="unknown language .*ko, en, zh, ja"):
        call(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_rules_and_a_guideline(language):
    rules = load_rules(language)
    assert rules.language == language
    bounds = rules.chars_per_second
    assert 0 < bounds.error_below < bounds.warn_below < bounds.warn_above < bounds.error_above
    assert guideline_markdown(language).startswith("# ")
    assert "<!--" not in guideline_markdown(language)


def test_the_guidelines_folder_can_be_moved_with_an_environment_variable(tmp_path, monkeypatch):
    shutil.copytree(guidelines_dir(), tmp_path / "guidelines")
    rule_file = tmp_path / "guidelines" / "en.toml"
    rule_file.write_text(rule_file.read_text().replace('severity = "warning"', 'severity = "error"'))
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(tmp_path / "guidelines"))
    assert problems_of("en", "Yes. No.", 1.0, False) == {("one-sentence", E)}


@pytest.mark.parametrize("edit, message", [
    (lambda text: text.replace('letters = ["latin"]', 'letters = ["cyrillic"]'), "script classes"),
    (lambda text: text.replace('severity = "warning"', 'severity = "fatal"'), "severity"),
    (lambda text: text.replace("[chars_per_second]", "[rate]"), "chars_per_second"),
    (lambda text: text.replace('language = "en"', 'language = "ko"'), "describes language 'ko'"),
    (lambda text: text + "\n[[[", "Invalid"),
])
def test_a_broken_rule_file_is_a_clear_error(tmp_path, monkeypatch, edit, message):
    (tmp_path / "en.toml").write_text(edit((guidelines_dir() / "en.toml").read_text()))
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(tmp_path))
    with pytest.raises(ValueError, match=message):
        load_rules("en")


def test_a_missing_guideline_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(tmp_path))
    with pytest.raises(ValueError, match=f"missing.*{GUIDELINES_DIR_ENV}"):
        guideline_markdown("ja")


@settings(max_examples=300, deadline=None)
@given(language=st.sampled_from(LANGUAGES), text=st.text(), duration=st.floats(0, 60),
       no_speech=st.booleans())
def test_any_text_gets_problems_and_never_an_exception(language, text, duration, no_speech):
    segment = SegmentForCheck(segment_id=1, position=0, text=text, duration=duration,
                              no_speech=no_speech)
    for problem in check_segments(language, [segment]):
        assert problem.rule in RULE_IDS and problem.severity in (E, W) and problem.message


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(["음/", "b/", "l/", "아+", "(3시)/(세 시)에", "(KTX)/(케이티엑스)",
                                       "n/", "그래서", "만나요.", "u/", "o/"]), max_size=12))
def test_a_korean_reading_keeps_no_notation(words):
    for reading in spelling_and_pronunciation(" ".join(words)):
        assert not any(mark in reading for mark in ("/", "+", "(", ")", "  "))
        assert reading == reading.strip()


def test_the_module_docstring_examples_hold():
    import doctest

    import workbench.workflow.guidelines as module

    assert doctest.testmod(module).failed == 0


# --- the transcriber's tag palette ----------------------------------------------------------

# A correct sentence per language, and what a worker types into a template's first half.
PALETTE_SENTENCES = {"ko": ("역 앞에서 만나자.", "KTX"), "en": ("see you at the station.", ""),
                     "zh": ("我们在车站见。", ""), "ja": ("駅で会いましょう。", "")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_palette_entry_passes_the_languages_check(language):
    from workbench.workflow.guidelines import palette

    sentence, spelling = PALETTE_SENTENCES[language]
    assert problems_of(language, sentence, 2.0, False) == set()
    entries = palette(language)
    assert {e.text for e in entries} >= load_rules(language).allowed_tags
    for entry in entries:
        inserted = entry.text
        if "()" in entry.text:  # a template: the spelling at the caret, then the pronunciation
            inserted = entry.text[:entry.caret] + spelling + entry.text[entry.caret:]
            inserted = inserted.replace("()", "(케이티엑스)")
        for text in (f"{inserted} {sentence}", f"{sentence[:-1]} {inserted}{sentence[-1]}"):
            assert problems_of(language, text, 2.0, False) == set(), (entry, text)


def test_the_korean_palette_has_the_tags_and_the_dual_notation_with_the_caret_in_the_first_half():
    from workbench.workflow.guidelines import palette

    entries = {e.text: e for e in palette("ko")}
    assert set(entries) == {"b/", "l/", "o/", "n/", "u/", "()/()"}
    assert entries["()/()"].caret == 1
    assert [e.text for e in palette("en")] == ["[breath]", "[laugh]", "[overlap]", "[noise]", "[unk]"]


def test_a_tag_the_rule_file_drops_leaves_the_palette(tmp_path, monkeypatch):
    from workbench.workflow.guidelines import palette

    for path in guidelines_dir().iterdir():
        shutil.copy(path, tmp_path / path.name)
    rules = (tmp_path / "en.toml").read_text().replace('"[unk]" = "unintelligible speech"\n', "")
    (tmp_path / "en.toml").write_text(rules)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(tmp_path))
    assert "[unk]" not in {e.text for e in palette("en")}
    assert problems_of("en", "[unk] see you at the station.", 2.0, False) == {("unknown-tag", "error")}


# --- severities per project ---------------------------------------------------------------


def projects_file(tmp_path, monkeypatch, text: str) -> None:
    for path in guidelines_dir().iterdir():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "projects.toml").write_text(text)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(tmp_path))


def short_answer(project):
    # "네." in a 2.8-second segment: 0.4 characters per second.
    segment = SegmentForCheck(segment_id=1, position=1, text="네.", duration=2.8, no_speech=False)
    return {(p.rule, p.severity) for p in check_segments("ko", [segment], project=project)}


def test_a_project_makes_a_rule_a_warning_and_other_projects_keep_the_default(tmp_path, monkeypatch):
    projects_file(tmp_path, monkeypatch, '[projects."call-centre"]\nchars-per-second = "warning"\n')
    assert short_answer("call-centre") == {("chars-per-second", "warning")}
    assert short_answer("lectures") == short_answer(None) == {("chars-per-second", "error")}


def test_a_project_makes_a_warning_an_error(tmp_path, monkeypatch):
    projects_file(tmp_path, monkeypatch, '[projects.strict]\none-sentence = "error"\n')
    segment = SegmentForCheck(segment_id=1, position=1, text="Hello there. How are you", duration=2.0,
                              no_speech=False)
    assert {(p.rule, p.severity) for p in check_segments("en", [segment], project="strict")} == {("one-sentence", "error")}
    assert {(p.rule, p.severity) for p in check_segments("en", [segment])} == {("one-sentence", "warning")}


def test_without_a_projects_file_every_project_has_the_languages_severities(tmp_path, monkeypatch):
    for path in guidelines_dir().glob("??.*"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv(GUIDELINES_DIR_ENV, str(tmp_path))
    assert short_answer("call-centre") == {("chars-per-second", "error")}


def test_the_shipped_projects_file_changes_nothing():
    assert short_answer("demo") == {("chars-per-second", "error")}


@pytest.mark.parametrize(("text", "message"), [
    ('[projects.p]\nspeling = "warning"\n', "unknown rule 'speling'"),
    ('[projects.p]\nscript = "off"\n', "use 'error' or 'warning'"),
    ('[projects.p]\nempty-text = "warning"\n', "empty-text is always an error"),
    ('[projects]\np = "warning"\n', "must be a table"),
    ('projects = 3\n', "must be a table"),
    ('[projects.p\n', "not valid TOML"),
])
def test_a_malformed_projects_file_is_a_clear_error(tmp_path, monkeypatch, text, message):
    projects_file(tmp_path, monkeypatch, text)
    with pytest.raises(ValueError, match=message):
        short_answer("p")
