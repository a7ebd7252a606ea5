"""The worker-facing Markdown and the machine-readable rule files say the same thing.

Each guideline marks three blocks with HTML comments (hidden in the UI): the tag table
(``<!-- tags -->``), the speaking-rate bounds (``<!-- rate -->``) and checked examples
(``<!-- examples -->``). These tests hold the prose to the rule file and the checker.
"""

from __future__ import annotations

import re

import pytest

from workbench.workflow.guidelines import (
    LANGUAGES,
    NO_SPEECH_REASONS,
    RULE_IDS,
    SegmentForCheck,
    check_segments,
    guidelines_dir,
    load_rules,
    spelling_and_pronunciation,
)


def markdown_source(language: str) -> str:
    return (guidelines_dir() / f"{language}.md").read_text(encoding="utf-8")


def block(language: str, name: str) -> str:
    source = markdown_source(language)
    assert source.count(f"<!-- {name} -->") == 1, f"{language}.md needs one <!-- {name} --> block"
    return source.split(f"<!-- {name} -->")[1].split(f"<!-- /{name} -->")[0]


def first_column_codes(text: str) -> list[str]:
    return re.findall(r"^\| `([^`]+)` \|", text, re.MULTILINE)


def a_normal_duration(language: str, text: str) -> float:
    """A duration that puts the text in the middle of the language's speaking-rate range."""
    bounds = load_rules(language).chars_per_second
    spoken = sum(char.isalnum() for char in spelling_and_pronunciation(text)[1])
    return spoken / ((bounds.warn_below + bounds.warn_above) / 2)


def found_rules(language: str, text: str) -> set[str]:
    segment = SegmentForCheck(segment_id=1, position=0, text=text,
                              duration=a_normal_duration(language, text), no_speech=False)
    return {problem.rule for problem in check_segments(language, [segment])}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tags_the_guideline_lists_are_the_tags_the_rule_file_allows(language):
    listed = first_column_codes(block(language, "tags"))
    assert len(listed) == len(set(listed))
    assert set(listed) == load_rules(language).allowed_tags


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guideline_states_the_rule_files_speaking_rate_bounds(language):
    bounds = load_rules(language).chars_per_second
    stated = [float(number) for number in re.findall(r"\d+(?:\.\d+)?", block(language, "rate"))]
    assert stated == [bounds.warn_below, bounds.warn_above, bounds.error_below,
                      bounds.error_above, bounds.min_duration]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guideline_lists_every_check_with_its_level(language):
    rows = re.findall(r"^\| `([a-z-]+)` \| .* \| ([^|]+) \|$", markdown_source(language), re.M)
    assert [rule for rule, _ in rows] == list(RULE_IDS)
    one_sentence_level = dict(rows)["one-sentence"].strip()
    assert one_sentence_level in {"error": ("error", "오류"), "warning": ("warning", "경고")}[
        load_rules(language).one_sentence_severity]


def checked_examples() -> list[tuple[str, str, str, set[str]]]:
    examples = []
    for language in LANGUAGES:
        rows = re.findall(r"^\| (✅|❌) \| `([^`]*)` \| (.*) \|$", block(language, "examples"),
                          re.MULTILINE)
        assert len(rows) >= 6, f"{language}.md needs right and wrong examples"
        examples += [(language, mark, text, set(re.findall(r"`([a-z-]+)`", result)))
                     for mark, text, result in rows]
    return examples


@pytest.mark.parametrize("language, mark, text, rules", checked_examples())
def test_the_checked_examples_get_the_result_the_guideline_states(language, mark, text, rules):
    assert (mark == "✅") == (not rules)
    assert found_rules(language, text) == rules


def right_examples() -> list[tuple[str, str]]:
    return [(language, text) for language in LANGUAGES
            for text in re.findall(r"^\| ✅ \| `([^`]*)` \|", markdown_source(language), re.M)]


@pytest.mark.parametrize("language, text", right_examples())
def test_every_example_marked_right_passes_the_checker(language, text):
    assert found_rules(language, text) == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guideline_numbers_the_no_speech_reasons_as_the_page_offers_them(language):
    section = markdown_source(language).split("## 7.")[1].split("\n## ")[0]
    assert re.findall(r"(\d) `([^`]+)`", section) == [(str(i), reason) for i, reason in enumerate(NO_SPEECH_REASONS, start=1)]

