"""Guideline flags and sentence hints of machine drafts over HTTP against the real app
(issue 13): the task JSON carries them for untouched drafts, a hint is applied through the
ordinary split or merge, and what an attacker would send is refused and changes nothing."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from drafts_support import draft_now, fake_engines
from tests.builders import signed_in
from workbench.queue import RecordingQueue
from workbench.ui.server import create_app
from workbench.workflow.service import Workbench

PASSWORD = "quiet-lantern-57"
RATE = 16000
SPANS = [(0.0, 4.0), (4.2, 6.0), (6.1, 8.0), (9.0, 11.0), (12.0, 14.0)]
TEXTS = ["Nobody knew. The results came", "When the delivery", "arrives, call me.", "I have 3 cats (music)", ""]


def sounding_clip(wb, admin, root, language="en"):
    """A processed clip whose every segment has sound (a tone at -10 dBFS)."""
    out = root / "out"
    out.mkdir()
    t = np.arange(RATE * 15) / RATE
    sf.write(str(out / "clean.flac"), (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), RATE)
    return wb.register_processed_clip(admin, filename="hints.wav", language=language, project="acme",
                                      duration=15.0, segments=SPANS, output_dir=out)


@pytest.fixture
def served(tmp_path):
    """An English clip of five segments claimed by ed, then drafted by the fake engine with
    TEXTS (the last one empty over sound): claimed first, it is not re-cut by its drafts
    (workflow/recutting.py), so its hints are there to apply; another English transcriber,
    and a reviewer."""
    wb = Workbench.open(database_url=f"sqlite:///{tmp_path / 'workbench.db'}", data_dir=tmp_path / "data",
                        queue=RecordingQueue())
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    for username, role in (("ed", "transcriber"), ("emma", "transcriber"), ("eve", "reviewer")):
        wb.create_user(admin, username=username, password=PASSWORD, name=username, roles={role}, language="en")
    clip = sounding_clip(wb, admin, tmp_path)
    ids = [s.id for s in wb.open_task(admin, clip.task_id).segments]
    fake_engines(wb, texts={str(i): text for i, text in zip(ids, TEXTS)})
    task_id = wb.claim_next(wb.actor("ed")).id
    draft_now(wb, admin, clip.id)
    yield create_app(wb, secret=b"k" * 32), wb, task_id, ids
    wb.close()


def task(client, task_id):
    return client.get(f"/api/work/tasks/{task_id}").json()


def stored(wb, task_id):
    """(start, end, text, version) of the task's live segments: what an attack must not change."""
    return [(s.start, s.end, s.text, s.version) for s in wb.open_task(wb.actor("admin"), task_id).segments]


def test_the_task_json_flags_the_drafts_spots_the_guideline_needs_and_suggests_splits_and_merges(served):
    app, _, task_id, ids = served
    answer = task(signed_in(app, "ed"), task_id)
    flags = answer["draft_flags"]
    assert [(f["rule"], f["index"], f["word"]) for f in flags[str(ids[3])]] == [
        ("digits", 2, "3"), ("noise-tag", 4, "(music)")]
    assert [f["rule"] for f in flags[str(ids[4])]] == ["sound-no-words"]  # empty draft over sound
    assert set(flags) == {str(ids[3]), str(ids[4])}
    hints = answer["sentence_hints"]
    assert {k: h["kind"] for k, h in hints.items()} == {str(ids[0]): "split", str(ids[1]): "merge"}
    assert hints[str(ids[0])]["at"] == pytest.approx(1.6)


def test_a_korean_reader_gets_the_flags_and_hints_in_korean_the_english_stays_for_others(served):
    app, _, task_id, ids = served
    korean = task(signed_in(app, "ed", headers={"Accept-Language": "ko"}), task_id)
    assert korean["sentence_hints"][str(ids[0])]["message"] == "“knew.”에서 문장이 끝납니다: 그 뒤에서 나누세요"
    assert korean["sentence_hints"][str(ids[1])]["message"].endswith("다음 구간과 합치세요")
    digits = korean["draft_flags"][str(ids[3])][0]
    assert digits["message"] == "English 전사에서는 숫자를 아라비아 숫자가 아니라 읽는 대로 씁니다"
    english = task(signed_in(app, "ed", headers={"Accept-Language": "en"}), task_id)
    assert english["sentence_hints"][str(ids[0])]["message"] == "a sentence ends at “knew.”: split after it"
    assert english["draft_flags"][str(ids[3])][0]["message"] == "English transcripts write numbers as spoken, not in digits"


def test_an_empty_draft_is_kept_only_over_sound(tmp_path):
    wb = Workbench.open(database_url=f"sqlite:///{tmp_path / 'wb.db'}", data_dir=tmp_path / "data",
                        queue=RecordingQueue())
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    out = tmp_path / "quiet"
    out.mkdir()
    audio = np.zeros(RATE * 6, np.float32)
    audio[RATE * 3:] = 0.3 * np.sin(2 * np.pi * 220 * np.arange(RATE * 3) / RATE)
    sf.write(str(out / "clean.flac"), audio, RATE)
    clip = wb.register_processed_clip(admin, filename="q.wav", language="en", project="acme", duration=6.0,
                                      segments=[(0.0, 2.5), (3.0, 5.5)], output_dir=out)
    ids = [s.id for s in wb.open_task(admin, clip.task_id).segments]
    fake_engines(wb, texts={str(i): "" for i in ids})
    draft_now(wb, admin, clip.id)
    silent, sounding = wb.open_task(admin, clip.task_id).segments
    assert (silent.version, silent.draft) == (0, None)
    assert (sounding.version, sounding.text, sounding.draft.text, sounding.draft.untouched) == (1, "", "", True)
    wb.close()


def test_applying_a_split_hint_splits_at_the_words_time_with_each_sentence_in_its_half(served):
    app, wb, task_id, ids = served
    client = signed_in(app, "ed")
    first = task(client, task_id)["segments"][0]
    answer = client.post(f"/api/work/segments/{ids[0]}/hint", json={"base_version": first["version"]})
    assert answer.status_code == 200
    assert [(s["start"], s["end"], s["text"]) for s in answer.json()] == [
        (0.0, pytest.approx(1.6), "Nobody knew."), (pytest.approx(1.6), 4.0, "The results came")]
    after = task(client, task_id)
    assert str(ids[0]) not in after["sentence_hints"]  # the split segment's text is no longer the draft


def test_applying_a_merge_hint_merges_with_the_next_segment(served):
    app, wb, task_id, ids = served
    client = signed_in(app, "ed")
    second = task(client, task_id)["segments"][1]
    answer = client.post(f"/api/work/segments/{ids[1]}/hint", json={"base_version": second["version"]})
    assert answer.status_code == 200
    (merged,) = answer.json()
    assert (merged["start"], merged["end"], merged["text"]) == (4.2, 8.0, "When the delivery arrives, call me.")


def test_someone_elses_task_is_refused_and_changes_nothing(served):
    app, wb, task_id, ids = served
    before = stored(wb, task_id)
    answer = signed_in(app, "emma").post(f"/api/work/segments/{ids[0]}/hint", json={"base_version": 1})
    assert answer.status_code == 403 and answer.json()["detail"]
    assert stored(wb, task_id) == before


def test_a_reviewer_cannot_apply_a_hint(served):
    app, wb, task_id, ids = served
    before = stored(wb, task_id)
    answer = signed_in(app, "eve").post(f"/api/work/segments/{ids[1]}/hint", json={"base_version": 1})
    assert answer.status_code == 403
    assert stored(wb, task_id) == before


@pytest.mark.parametrize("segment", [0, 1])
def test_a_stale_hint_is_refused_with_the_current_segment_and_changes_nothing(served, segment):
    app, wb, task_id, ids = served
    client = signed_in(app, "ed")
    current = task(client, task_id)["segments"][segment]
    # The transcriber's other tab changed the text meanwhile, and changed it back.
    version = current["version"]
    for text in ("something else", current["text"]):
        version = client.put(f"/api/work/segments/{ids[segment]}/text",
                             json={"text": text, "base_version": version}).json()["version"]
    before = stored(wb, task_id)
    answer = client.post(f"/api/work/segments/{ids[segment]}/hint", json={"base_version": current["version"]})
    assert answer.status_code == 409 and answer.json()["current"]["version"] == version == current["version"] + 2
    assert stored(wb, task_id) == before


def test_a_hint_no_longer_shown_is_refused_once_the_text_is_not_the_draft(served):
    app, wb, task_id, ids = served
    client = signed_in(app, "ed")
    current = task(client, task_id)["segments"][1]
    saved = client.put(f"/api/work/segments/{ids[1]}/text",
                       json={"text": "When the delivery arrives.", "base_version": current["version"]}).json()
    before = stored(wb, task_id)
    answer = client.post(f"/api/work/segments/{ids[1]}/hint", json={"base_version": saved["version"]})
    assert answer.status_code == 409 and "No sentence hint" in answer.json()["detail"]
    assert stored(wb, task_id) == before


def test_a_segment_without_a_hint_is_refused(served):
    app, wb, task_id, ids = served
    before = stored(wb, task_id)
    answer = signed_in(app, "ed").post(f"/api/work/segments/{ids[2]}/hint", json={"base_version": 1})
    assert answer.status_code == 409
    assert stored(wb, task_id) == before


@pytest.mark.parametrize("body", [{"base_version": 1, "at": 0.5}, {"base_version": 1, "texts": ["a", "b"]},
                                  {"base_version": "1"}, {}, {"base_version": -1}, {"base_version": 10**30}])
def test_the_page_cannot_choose_the_split_and_junk_is_refused(served, body):
    app, wb, task_id, ids = served
    before = stored(wb, task_id)
    answer = signed_in(app, "ed").post(f"/api/work/segments/{ids[0]}/hint", json=body)
    assert answer.status_code == 422 and answer.json()["detail"]
    assert stored(wb, task_id) == before


def test_the_workflow_applies_a_merge_hint_once_on_either_database(wb, wb_people, tmp_path):
    from workbench.workflow.errors import InvalidTransition

    clip = sounding_clip(wb, wb_people.admin, tmp_path)
    ids = [s.id for s in wb.open_task(wb_people.admin, clip.task_id).segments]
    fake_engines(wb, texts={str(i): text for i, text in zip(ids, TEXTS)})
    ed = wb_people.ed
    assert wb.claim_next(ed).id == clip.task_id  # before the drafts: not re-cut
    draft_now(wb, wb_people.admin, clip.id)
    (merged,) = wb.apply_sentence_hint(ed, ids[1], 1)
    assert (merged.start, merged.end, merged.text) == (4.2, 8.0, "When the delivery arrives, call me.")
    with pytest.raises(InvalidTransition, match="No sentence hint"):
        wb.apply_sentence_hint(ed, ids[1], merged.version)
