"""The transcriber's and reviewer's handlers, without a browser, over a real SQLite store.

The rules themselves live in the Workbench; these tests hold the handlers to passing them
through (refusals included) and to the JSON shapes the pages read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from unittest.mock import ANY

import pytest

from tests.builders import SettableClock, add_admin, add_people, open_workbench, processed_clip
from workbench.queue import RecordingQueue
from workbench.ui.handlers import reviewer as review
from workbench.ui.handlers import transcriber as transcribe
from workbench.workflow.domain import Actor
from workbench.workflow.errors import GuidelineViolation, InvalidTransition, NotFound, PermissionDenied, StaleVersion
from workbench.workflow.service import Workbench

SPANS = [(0.0, 2.0), (2.0, 4.5), (4.5, 7.0)]
SENTENCES = ["안녕하세요.", "오늘은 날씨가 좋네요.", "내일 만나요."]


@dataclass
class World:
    wb: Workbench
    admin: Actor
    transcriber: Actor
    other_transcriber: Actor
    reviewer: Actor
    english_reviewer: Actor
    task_id: int


def build_world(database_url: str, data_dir) -> World:
    wb = open_workbench(data_dir, database_url=database_url, queue=RecordingQueue(),
                        clock=SettableClock(datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc)))
    admin = add_admin(wb)
    people = add_people(wb, admin, {"minji": ({"transcriber"}, "ko"), "jisoo": ({"transcriber"}, "ko"),
                                    "hyun": ({"reviewer"}, "ko"), "emma": ({"reviewer"}, "en")})
    task_id = processed_clip(wb, admin, filename="talk.wav", project="demo", duration=7.0, spans=SPANS)
    return World(wb, admin, *people.values(), task_id)


@pytest.fixture
def world(sqlite_url, tmp_path) -> World:
    return build_world(sqlite_url, tmp_path / "data")


@pytest.fixture(scope="module")
def submitted_world(tmp_path_factory) -> World:
    """A task typed and submitted, shared by the tests that only check refusals."""
    folder = tmp_path_factory.mktemp("submitted")
    world = build_world(f"sqlite:///{folder / 'workbench.db'}", folder / "data")
    transcribe_all(world)
    transcribe.submit_task(world.wb, world.transcriber, world.task_id)
    return world


def transcribe_all(world: World) -> list[dict]:
    """The transcriber claims the task and types every sentence; the saved segments."""
    wb, me = world.wb, world.transcriber
    assert transcribe.take_next_task(wb, me) == {"task_id": world.task_id, "url": f"/work/transcribe/{world.task_id}"}
    segments = transcribe.open_task(wb, me, world.task_id)["segments"]
    return [transcribe.save_text(wb, me, s["id"], text, base_version=s["version"])
            for s, text in zip(segments, SENTENCES)]


def send_audio(world: World, segment: dict) -> None:
    """What the media route records once it has sent the reviewer the segment's audio."""
    world.wb.record_audio_sent(world.reviewer, segment["id"], bounds=(segment["start"], segment["end"]),
                               sent=(0.0, segment["duration"]))


def play_through(world: World, segment: dict) -> dict:
    send_audio(world, segment)
    world.wb.clock.advance(seconds=segment["duration"])
    return review.record_play(world.wb, world.reviewer, segment["id"], [(0.0, segment["duration"])])


def test_task_json_lists_every_segment_in_order_with_what_the_page_needs(world):
    transcribe.take_next_task(world.wb, world.transcriber)
    data = transcribe.open_task(world.wb, world.transcriber, world.task_id)
    assert data["task"]["state"] == "in_progress"
    assert [(s["position"], s["start"], s["end"]) for s in data["segments"]] == [
        (i, start, end) for i, (start, end) in enumerate(SPANS, start=1)]
    assert {s["status"] for s in data["segments"]} == {"todo"}
    assert set(data["segments"][0]) >= {"id", "version", "text", "duration", "problems", "review_comment"}
    # The reasons the page offers for "no speech", in the order of their keys 1-4.
    assert data["no_speech_reasons"] == ["silence or noise", "music only", "cut off or unusable", "another language"]


def test_a_save_bumps_the_version_and_marks_the_segment_saved(world):
    saved = transcribe_all(world)
    assert [s["text"] for s in saved] == SENTENCES
    assert [s["status"] for s in saved] == ["saved"] * 3
    assert all(s["version"] == 1 for s in saved)


def test_a_stale_save_is_refused_and_carries_the_stored_segment(world):
    first = transcribe_all(world)[0]
    with pytest.raises(StaleVersion) as refused:
        transcribe.save_text(world.wb, world.transcriber, first["id"], "다른 탭의 글", base_version=0)
    assert refused.value.current.text == SENTENCES[0]
    assert transcribe.open_task(world.wb, world.transcriber, world.task_id)["segments"][0]["text"] == SENTENCES[0]


def test_split_merge_and_no_speech_reshape_the_list(world):
    wb, me = world.wb, world.transcriber
    transcribe.take_next_task(wb, me)
    first = transcribe.open_task(wb, me, world.task_id)["segments"][0]
    halves = transcribe.split_segment(wb, me, first["id"], 0.8)
    assert [(h["start"], h["end"]) for h in halves] == [(0.0, 0.8), (0.8, 2.0)]
    assert [s["position"] for s in transcribe.open_task(wb, me, world.task_id)["segments"]] == [1, 2, 3, 4]
    merged = transcribe.merge_with_next(wb, me, halves[0]["id"])
    assert (merged["start"], merged["end"]) == (0.0, 2.0)
    assert len(transcribe.open_task(wb, me, world.task_id)["segments"]) == 3
    silent = transcribe.mark_no_speech(wb, me, merged["id"], "cough", base_version=merged["version"])
    assert (silent["status"], silent["no_speech_reason"]) == ("no_speech", "cough")


@pytest.mark.parametrize("call", [
    lambda w, seg: transcribe.open_task(w.wb, w.other_transcriber, w.task_id),
    lambda w, seg: transcribe.save_text(w.wb, w.other_transcriber, seg, "남의 글", base_version=1),
    lambda w, seg: transcribe.mark_no_speech(w.wb, w.other_transcriber, seg, "noise", base_version=1),
    lambda w, seg: transcribe.split_segment(w.wb, w.other_transcriber, seg, 1.0),
    lambda w, seg: transcribe.submit_task(w.wb, w.other_transcriber, w.task_id),
    lambda w, seg: review.open_review(w.wb, w.english_reviewer, w.task_id),
    lambda w, seg: review.open_review(w.wb, w.transcriber, w.task_id),
], ids=["open", "save", "no-speech", "split", "submit", "other-language-review", "transcriber-reviews"])
def test_others_are_refused_and_nothing_changes(submitted_world, call):
    world = submitted_world
    segment_id = transcribe.open_task(world.wb, world.transcriber, world.task_id)["segments"][0]["id"]
    with pytest.raises(PermissionDenied):
        call(world, segment_id)
    data = transcribe.open_task(world.wb, world.transcriber, world.task_id)
    assert data["task"]["state"] == "submitted"
    assert [(s["text"], s["version"]) for s in data["segments"]] == [(text, 1) for text in SENTENCES]


def test_a_submit_with_an_empty_sentence_is_refused_with_its_problem(world):
    transcribe.take_next_task(world.wb, world.transcriber)
    problems = transcribe.task_problems(world.wb, world.transcriber, world.task_id)["problems"]
    assert {(p["position"], p["rule"], p["severity"]) for p in problems} >= {(1, "empty-text", "error")}
    with pytest.raises(GuidelineViolation) as refused:
        transcribe.submit_task(world.wb, world.transcriber, world.task_id)
    assert [p.rule for p in refused.value.problems if p.position == 1] == ["empty-text"]
    assert transcribe.open_task(world.wb, world.transcriber, world.task_id)["task"]["state"] == "in_progress"


def test_taking_a_task_when_none_is_offered_says_so(world):
    assert transcribe.queue(world.wb, world.other_transcriber) == {
        "choices": [], "comments": "", "can_claim": True, "offer": "1 task(s) waiting in your language."}
    transcribe.take_next_task(world.wb, world.transcriber)
    queue = transcribe.queue(world.wb, world.other_transcriber)
    assert (queue["can_claim"], queue["offer"]) == (False, "No task is waiting in your language right now.")
    assert transcribe.queue(world.wb, world.other_transcriber, "ja")["offer"] == "今、あなたの言語で待っているタスクはありません。"
    with pytest.raises(NotFound):
        transcribe.take_next_task(world.wb, world.other_transcriber)


def test_a_reviewer_cannot_accept_a_segment_before_playing_it_to_the_end(world):
    transcribe_all(world)
    transcribe.submit_task(world.wb, world.transcriber, world.task_id)
    first = review.open_review(world.wb, world.reviewer, world.task_id)["segments"][0]
    assert (first["heard"], first["heard_share"]) == (False, 0.0)
    with pytest.raises(InvalidTransition):
        review.accept_segment(world.wb, world.reviewer, first["id"])
    send_audio(world, first)
    halfway = review.record_play(world.wb, world.reviewer, first["id"], [(0.0, first["duration"] / 2)])
    assert (halfway["heard"], halfway["heard_share"]) == (False, 0.5)
    assert play_through(world, first)["heard"] is True
    assert review.accept_segment(world.wb, world.reviewer, first["id"])["status"] == "accepted"


def test_the_whole_loop_return_fix_resubmit_accept(world):
    wb = world.wb
    transcribe_all(world)
    transcribe.submit_task(wb, world.transcriber, world.task_id)
    assert review.review_queue(wb, world.reviewer) == {"choices": [(ANY, world.task_id)], "resume": None}
    assert review.take_for_review(wb, world.reviewer, world.task_id) == world.task_id
    assert review.review_queue(wb, world.reviewer)["resume"] == world.task_id

    segments = review.open_review(wb, world.reviewer, world.task_id)["segments"]
    for segment in segments:
        play_through(world, segment)
    returned = review.return_segment(wb, world.reviewer, segments[1]["id"], "날씨가 아니라 날씨는")
    assert returned["status"] == "returned"
    assert review.accept_all_played(wb, world.reviewer, world.task_id) == {"accepted": 2}
    assert review.finish_review(wb, world.reviewer, world.task_id)["task"]["state"] == "returned"

    queue = transcribe.queue(wb, world.transcriber)
    assert queue["choices"][0][1] == world.task_id and queue["choices"][0][0].startswith("↩")
    assert "날씨가 아니라 날씨는" in queue["comments"]
    # The Gradio tab says the same in the reader's language (the reviewer's words stay theirs).
    korean = transcribe.queue(wb, world.transcriber, "ko")
    assert [task_id for _, task_id in korean["choices"]] == [task_id for _, task_id in queue["choices"]]
    assert "지급 기준" in korean["choices"][0][0] and "고칠 것" in korean["choices"][0][0]
    assert korean["comments"].startswith("**검수자가 반려함") and "날씨가 아니라 날씨는" in korean["comments"]
    mine = transcribe.open_task(wb, world.transcriber, world.task_id)["segments"][1]
    assert (mine["status"], mine["review_comment"]) == ("returned", "날씨가 아니라 날씨는")
    transcribe.save_text(wb, world.transcriber, mine["id"], "오늘은 날씨는 좋네요.", base_version=mine["version"])
    transcribe.submit_task(wb, world.transcriber, world.task_id)

    again = review.open_review(wb, world.reviewer, world.task_id)["segments"]
    assert again[1]["diff"] == [("equal", "오늘은 날씨"), ("delete", "가"), ("insert", "는"), ("equal", " 좋네요.")]
    assert again[0]["diff"] == [("equal", SENTENCES[0])]
    play_through(world, again[1])
    review.accept_segment(wb, world.reviewer, again[1]["id"])
    assert review.finish_review(wb, world.reviewer, world.task_id)["task"]["state"] == "complete"


def test_a_reviewer_correction_becomes_the_accepted_text(world):
    transcribe_all(world)
    transcribe.submit_task(world.wb, world.transcriber, world.task_id)
    last = review.open_review(world.wb, world.reviewer, world.task_id)["segments"][2]
    assert last["diff"] == [], "a segment never reviewed has nothing to compare against"
    play_through(world, last)
    accepted = review.accept_segment(world.wb, world.reviewer, last["id"], text="내일 봐요.")
    assert (accepted["status"], accepted["text"], accepted["reviewed_text"]) == ("accepted", "내일 봐요.", "내일 봐요.")


@pytest.mark.parametrize(("before", "after", "expected"), [
    ("same", "same", [("equal", "same")]),
    ("", "새 글", [("insert", "새 글")]),
    ("지울 글", "", [("delete", "지울 글")]),
    ("the cat sat", "the dog sat", [("equal", "the "), ("delete", "cat"), ("insert", "dog"), ("equal", " sat")]),
    ("我们明天见", "我们后天见", [("equal", "我们"), ("delete", "明"), ("insert", "后"), ("equal", "天见")]),
    ("あした", "あさって", [("equal", "あ"), ("delete", "した"), ("insert", "さって")]),
])
def test_inline_diff_compares_latin_by_word_and_cjk_by_character(before, after, expected):
    assert review.inline_diff(before, after) == expected
    assert "".join(t for op, t in expected if op != "insert") == before
    assert "".join(t for op, t in expected if op != "delete") == after


def test_the_framed_task_view_points_at_the_task_page():
    first, again = (transcribe.workspace_html("transcribe", 12) for _ in range(2))
    assert 'src="/work/transcribe/12?' in first and 'title="Task 12"' in first
    assert first != again, "opening the same task again must reload its view"
    assert "<iframe" not in transcribe.workspace_html("review", None)
    assert "take it for review" in transcribe.workspace_html("review", None)
    assert 'title="작업 12"' in transcribe.workspace_html("transcribe", 12, language="ko")
    assert "다음 작업" in transcribe.workspace_html("transcribe", None, language="ko")
