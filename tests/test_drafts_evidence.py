"""The evidence that drafts help, and the switch when they do not: draft CER against the
accepted text per language, project and worker, the effort saved, unread drafts, the
automatic switch-off, and the export's CSV columns and report section."""

from __future__ import annotations

import csv
import json

import pytest

from drafts_support import accepted_english_clip, clip_with_audio, draft_now, fake_engines
from workbench.drafts.evidence import DraftOutcome, draft_figures

DRAFTS = {"1": "hello there world", "2": "the cat sat on the mat", "3": "good morning everyone"}


def test_draft_cer_effort_and_unread_drafts_are_reported_per_language_project_and_worker(
        wb, wb_people, wb_clock, tmp_path):
    fake_engines(wb, texts=DRAFTS)
    accepted_english_clip(wb, wb_people, wb_clock, tmp_path)
    figures = wb.draft_evidence(wb_people.admin).figures
    ed = figures["workers"]["ed"]
    assert (ed["segments"], ed["drafted"], ed["untouched_drafts"], ed["unread_drafts"]) == (3, 3, 2, 1)
    # "there" → "their" and the missing "to ", pooled over the three accepted texts.
    assert ed["draft_cer"] == pytest.approx(figures["languages"]["en"]["draft_cer"]) and 0 < ed["draft_cer"] < 0.2
    assert ed["effort_drafted"] == {"segments": 3, "typed_chars": 12, "final_chars": 63,
                                    "typed_per_final": pytest.approx(12 / 63, abs=1e-6)}
    assert figures["projects"]["news"]["drafted"] == 3


def test_drafts_turn_off_for_a_project_and_language_when_the_rolling_cer_passes_the_threshold(
        wb, wb_people, wb_clock, tmp_path, wb_reopen):
    fake_engines(wb, texts={"1": "nothing like it", "2": "wrong words here", "3": "all of it"})
    accepted_english_clip(wb, wb_people, wb_clock, tmp_path)
    strict = wb_reopen(draft_cer_min_segments=3, draft_cer_threshold=0.35)
    strict.draft_engines = wb.draft_engines
    state = strict.draft_switch(wb_people.admin, "news", "en")
    assert not state.on and state.measured == 3 and state.cer > 0.35
    assert "above the 35 %" in state.reason.replace("35%", "35 %")

    clip = clip_with_audio(strict, wb_people.admin, tmp_path, language="en", project="news", name="second.wav")
    off = draft_now(strict, wb_people.admin, clip.id)
    assert off.draft_state == "off" and off.draft_note == state.reason
    assert [s.version for s in strict.open_task(wb_people.admin, off.task_id).segments] == [0, 0, 0]
    other = clip_with_audio(strict, wb_people.admin, tmp_path, language="en", project="sports", name="third.wav")
    assert draft_now(strict, wb_people.admin, other.id).draft_state == "done"  # another project is measured apart
    from workbench.ui.admin.drafts import drafts_html

    page = drafts_html(strict.draft_evidence(wb_people.admin))  # the admin's Drafts tab
    assert "<td>news</td><td>English</td>" in page and "<td>off</td>" in page and "above the 35" in page
    lenient = wb_reopen(draft_cer_min_segments=4)
    lenient.draft_engines = wb.draft_engines
    assert lenient.draft_switch(wb_people.admin, "news", "en").on  # too few measured to judge yet


def test_the_export_csv_carries_each_draft_and_its_cer_and_the_report_its_figures(wb, wb_people, wb_clock, tmp_path):
    from workbench.export.run import run_export

    fake_engines(wb, texts=DRAFTS)
    accepted_english_clip(wb, wb_people, wb_clock, tmp_path)
    out = tmp_path / "export"
    run_export(wb, wb_people.admin, fmt="csv", out_dir=out)
    rows = list(csv.DictReader((out / "segments.csv").open(encoding="utf-8")))
    by_text = {row["accepted_text"]: row for row in rows}
    assert by_text["hello their world"]["draft_text"] == "hello there world"
    assert float(by_text["hello their world"]["draft_cer"]) == pytest.approx(2 / 17, abs=1e-6)
    assert by_text["the cat sat on the mat"]["draft_cer"] == "0.0"
    assert by_text["the cat sat on the mat"]["submitted_text"] == "the cat sat on the mat"
    assert by_text["good morning to everyone"]["submitted_text"] == "good morning everyone"
    report = json.loads(next(out.rglob("quality.json")).read_text())
    assert report["drafts"]["all"]["drafted"] == 3 and report["drafts"]["all"]["unread_drafts"] == 1
    assert "Machine drafts" in next(out.rglob("quality.html")).read_text()


@pytest.mark.parametrize("language, draft, text, expected", [
    ("ko", "안녕 하세요", "안녕하세요", 0.0),  # spacing is not a misheard syllable
    ("ja", "今日は", "今日は。", 0.0),
    ("zh", "你好吗", "你好", 0.5),
])
def test_draft_cer_is_scored_the_languages_way(language, draft, text, expected):
    figures = draft_figures([DraftOutcome(language, "p", "w", text, draft, None, False)])
    assert figures["languages"][language]["draft_cer"] == expected
