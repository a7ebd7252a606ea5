"""A settled double-transcription dispute reaches the data (workflow/double.py): the settled
text is written on the original task's segment over the span as the settler's revision, at
once when the task is complete, else when its review completes it; the export carries it and
the history keeps both. Refusals through the reviewer's JSON door write nothing."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import pytest

from tests.builders import (
    TEXTS,
    processed_clip,
    signed_in,
    take_through_review,
    transcribe,
)
from tests.listening import hear, hear_dispute
from tests.test_double import OTHER, Always, double_rules, pair  # noqa: F401  (fixtures)
from tests.test_gold import audio_dir
from workbench.export import run_export
from workbench.ui.server import create_app
from workbench.workflow.errors import InvalidTransition

SLIP = ("안녕하세여.", "반갑습니다.", "네 좋아요.")  # the first span one syllable in five from TEXTS


@pytest.fixture
def doubled(wb, wb_people, double_rules, tmp_path):
    """A doubled ko clip with audio: ``doubled.original`` (tina's) and ``doubled.copy`` (tom's)."""
    original = processed_clip(wb, wb_people.admin, filename="talk.wav", output_dir=audio_dir(tmp_path, "talk"))
    (copy,) = [t.id for t in wb.list_tasks(wb_people.admin) if t.id != original]
    assert wb.claim_next(wb_people.tina).id == original
    return SimpleNamespace(original=original, copy=copy)


def dispute_of(wb, wb_people):
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, SLIP)
    (dispute,) = wb.double_disputes(wb_people.rita)
    hear_dispute(wb, wb_people.rita, dispute, wb.clock)  # a settler hears the span first
    return dispute


def first_segment(wb, wb_people, task_id):
    return wb.open_task(wb_people.admin, task_id).segments[0]


def review_all(wb, reviewer, task_id):
    hear(wb, reviewer, wb.start_review(reviewer, task_id).segments, wb.clock)
    wb.accept_all_played(reviewer, task_id)
    wb.finish_review(reviewer, task_id)


def exported(wb, wb_people, out):
    run_export(wb, wb_people.admin, fmt="csv", out_dir=out)
    with open(out / "segments.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_dispute_settled_on_a_complete_task_is_written_at_once_and_exported(wb, wb_people, doubled, tmp_path):
    take_through_review(wb, wb_people.tina, wb_people.bo, task_id=doubled.original)
    dispute = dispute_of(wb, wb_people)
    view = wb.resolve_double(wb_people.rita, dispute.id, choice="second")
    assert view.written
    segment = first_segment(wb, wb_people, doubled.original)
    assert (segment.text, segment.status) == (SLIP[0], "accepted")
    history = wb.segment_history(wb_people.tina, segment.id)  # the transcriber sees it like a correction
    assert [(r.text, r.author, r.role, r.kind) for r in history][-2:] == [
        (TEXTS[0], "tina", "transcriber", "save"), (SLIP[0], "rita", "reviewer", "dispute")]
    review_all(wb, wb_people.bo, doubled.copy)  # one reviewer may review both sides
    rows = exported(wb, wb_people, tmp_path / "out")
    assert len(rows) == len(TEXTS)  # the original only: the copy is the same audio again
    first = min(rows, key=lambda r: r["utterance_id"])
    assert (first["accepted_text"], first["submitted_text"]) == (SLIP[0], TEXTS[0])
    (entry,) = [e for e in wb.audit_log(wb_people.admin) if e.action == "segment.dispute"]
    assert (entry.actor, entry.entity_id) == ("rita", segment.id)


def test_a_dispute_settled_before_review_is_written_when_the_review_completes_the_task(wb, wb_people, doubled,
                                                                                      tmp_path):
    transcribe(wb, wb_people.tina, doubled.original)
    dispute = dispute_of(wb, wb_people)
    view = wb.resolve_double(wb_people.rita, dispute.id, choice="third", text="  안녕하세요 여러분.  ")
    assert (view.written, view.resolved_text) == (False, "안녕하세요 여러분.")
    # The review judges the transcriber's own text; nobody's work is typed over meanwhile.
    assert first_segment(wb, wb_people, doubled.original).text == TEXTS[0]
    review_all(wb, wb_people.bo, doubled.original)
    assert first_segment(wb, wb_people, doubled.original).text == "안녕하세요 여러분."
    (agreement,) = [a for a in wb.double_agreements(wb_people.admin) if a.disputed]
    assert agreement.written and agreement.note is None
    first = min(exported(wb, wb_people, tmp_path / "out"), key=lambda r: r["utterance_id"])
    assert first["accepted_text"] == "안녕하세요 여러분."


def test_a_settlement_is_written_once_and_a_text_already_there_adds_no_revision(wb, wb_people, doubled):
    take_through_review(wb, wb_people.tina, wb_people.bo, task_id=doubled.original)
    dispute = dispute_of(wb, wb_people)
    before = first_segment(wb, wb_people, doubled.original)
    assert wb.resolve_double(wb_people.rita, dispute.id, choice="first").written  # tina's text stands
    after = first_segment(wb, wb_people, doubled.original)
    assert (after.text, after.version) == (before.text, before.version)


def test_a_span_the_transcriber_split_is_refused_with_the_reason_and_listed_so(wb, wb_people, doubled):
    segment = first_segment(wb, wb_people, doubled.original)
    wb.split_segment(wb_people.tina, segment.id, (segment.start + segment.end) / 2)
    transcribe(wb, wb_people.tina, doubled.original)
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, (OTHER,))
    split = [d for d in wb.double_disputes(wb_people.rita) if d.start == segment.start]
    assert split and "split this span into segments 1, 2" in split[0].note
    with pytest.raises(InvalidTransition, match="split this span"):
        wb.resolve_double(wb_people.rita, split[0].id, choice="second")
    assert [d.id for d in wb.double_disputes(wb_people.rita) if d.start == segment.start] == [split[0].id]


# --- attacks through the reviewer's JSON door -----------------------------------------------

@pytest.fixture
def settled_door(wb, wb_people, doubled):
    """A complete original with one open dispute; the app and what must not change."""
    take_through_review(wb, wb_people.tina, wb_people.rita, task_id=doubled.original)
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, SLIP)
    (dispute,) = wb.double_disputes(wb_people.admin)
    hear_dispute(wb, wb_people.bo, dispute, wb.clock)  # bo may settle it, and has heard it
    app = create_app(wb, secret=b"k" * 32)

    def unchanged():
        segment = first_segment(wb, wb_people, doubled.original)
        assert (segment.text, segment.version) == (TEXTS[0], 1)
        assert [d.id for d in wb.double_disputes(wb_people.admin)] == [dispute.id]
        assert not [e for e in wb.audit_log(wb_people.admin) if e.action in ("segment.dispute", "double.resolved")]

    return SimpleNamespace(app=app, dispute=dispute, unchanged=unchanged, url=f"/api/work/double/disputes/{dispute.id}")


@pytest.mark.parametrize(("who", "body", "status"), [
    ("rita", {"choice": "second"}, 404),  # she reviewed the original
    ("eve", {"choice": "second"}, 404),  # another language
    ("tina", {"choice": "second"}, 403),  # a transcriber
    ("tom", {"choice": "first"}, 403),  # the other side's transcriber
    ("bo", {"choice": "both"}, 422),  # junk choice
    ("bo", {"choice": "third", "text": "안녕" * 5_000}, 422),  # huge text
    ("bo", {"choice": "third", "text": "   "}, 422),
    ("bo", {"choice": "first", "text": "my own"}, 422),
    ("bo", {"choice": "third", "text": "3시에 만나요."}, 422),  # a digit: the guidelines refuse it
    ("bo", {"choice": "first", "extra": 1}, 422),
])
def test_a_refused_settlement_writes_nothing(wb, wb_people, settled_door, who, body, status):
    response = signed_in(settled_door.app, who).post(settled_door.url, json=body)
    assert response.status_code == status, response.text
    settled_door.unchanged()


def test_a_reviewer_released_from_a_sides_review_still_may_not_settle_it(wb, wb_people, double_rules, pair):
    transcribe(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)
    wb.start_review(wb_people.bo, pair.original)
    wb.release_task(wb_people.admin, pair.original, reason="bo went on leave")
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, SLIP)
    (dispute,) = wb.double_disputes(wb_people.rita)
    assert wb.double_disputes(wb_people.bo) == []  # the audit log remembers his review
    response = signed_in(create_app(wb, secret=b"k" * 32), "bo").post(
        f"/api/work/double/disputes/{dispute.id}", json={"choice": "second"})
    assert response.status_code == 404
    assert wb.double_disputes(wb_people.rita)[0].resolution is None


def test_settling_twice_is_refused_and_keeps_the_first_settlement(wb, wb_people, settled_door):
    bo = signed_in(settled_door.app, "bo")
    assert bo.post(settled_door.url, json={"choice": "second"}).json()["written"] is True
    again = bo.post(settled_door.url, json={"choice": "third", "text": "아니요."})
    assert again.status_code == 409
    assert first_segment(wb, wb_people, settled_door_original(wb, wb_people)).text == SLIP[0]
    assert len([e for e in wb.audit_log(wb_people.admin) if e.action == "segment.dispute"]) == 1


def settled_door_original(wb, wb_people):
    return min(t.id for t in wb.list_tasks(wb_people.admin))
