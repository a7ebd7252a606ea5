"""Task states and segment statuses: one table of moves (``domain.states``), walked through
the real workflow. Every move in the table is allowed, every other one refused with nothing
changed; the stored values stay the plain strings they always were."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.listening import hear
from workbench.domain.states import (
    EDITABLE,
    SEGMENT_MOVES,
    TASK_ACTIONS,
    TASK_MOVES,
    SegmentStatus,
    TaskState,
    segment_may,
    task_may,
)
from workbench.store.models import Task
from workbench.workflow.errors import WorkbenchError

TEXTS = ["안녕하세요.", "반갑습니다.", "네 좋아요."]


def type_and_submit(wb, people, task_id):
    for segment, text in zip(wb.open_task(people.tina, task_id).segments, TEXTS):
        if segment.text != text:
            wb.save_text(people.tina, segment.id, text, base_version=segment.version)
    wb.submit_task(people.tina, task_id)


def decide(wb, people, task_id, *, return_first: bool):
    view = wb.open_task(people.rita, task_id)
    hear(wb, people.rita, view.segments, wb.clock)
    if return_first:
        wb.return_segment(people.rita, view.segments[0].id, "다시 들어 보세요")
    wb.accept_all_played(people.rita, task_id)
    wb.finish_review(people.rita, task_id)


def task_in(wb, people, wb_clip, state: TaskState) -> int:
    """A three-segment ko task brought to ``state`` the way people do it. A submitted task
    is a resubmission, so its returning reviewer holds a reservation an admin can release."""
    task_id = wb_clip()
    if state == TaskState.OPEN:
        return task_id
    wb.claim_next_id(people.tina)
    if state == TaskState.IN_PROGRESS:
        return task_id
    if state == TaskState.HELD:  # sent back for its language; an admin may still put it back
        wb.send_back_wrong_language(people.tina, task_id)
        return task_id
    type_and_submit(wb, people, task_id)
    wb.start_review(people.rita, task_id)
    if state == TaskState.IN_REVIEW:
        return task_id
    decide(wb, people, task_id, return_first=state != TaskState.COMPLETE)
    if state in (TaskState.RETURNED, TaskState.COMPLETE):
        return task_id
    type_and_submit(wb, people, task_id)
    return task_id


def act(wb, people, task_id, action: str) -> None:
    """``action`` done by whoever may do it, through the Workbench."""
    if action == "claim":
        wb.claim_next_id(people.tina)
    elif action == "submit":
        type_and_submit(wb, people, task_id)
    elif action == "start_review":
        wb.start_review(people.rita, task_id)
    elif action in ("accept", "return"):
        decide(wb, people, task_id, return_first=action == "return")
    elif action == "release":
        wb.release_task(people.admin, task_id, reason="the worker left")
    elif action == "withdraw":
        wb.withdraw_clip(people.admin, clip_of(wb, task_id), reason="the client cancelled it")
    elif action == "send_back":
        wb.send_back_wrong_language(people.tina, task_id)
    elif action == "reopen":
        wb.correct_clip(people.admin, clip_of(wb, task_id), language="ko", reason="it is Korean after all")
    else:
        raise AssertionError(action)


def clip_of(wb, task_id) -> int:
    with wb.store.reading() as session:
        return session.execute(sa.select(Task.clip_id).where(Task.id == task_id)).scalar_one()


def stored_state(wb, task_id) -> str:
    with wb.store.reading() as session:
        return session.execute(sa.select(Task.state).where(Task.id == task_id)).scalar_one()


@pytest.mark.parametrize("action", TASK_ACTIONS)
@pytest.mark.parametrize("state", list(TaskState))
def test_the_task_table_is_what_the_workflow_allows(wb, wb_people, wb_clip, state, action):
    task_id = task_in(wb, wb_people, wb_clip, state)
    assert stored_state(wb, task_id) == state
    if task_may(state, action):
        act(wb, wb_people, task_id, action)
        assert stored_state(wb, task_id) == TASK_MOVES[(state, action)]
    else:
        with pytest.raises(WorkbenchError):
            act(wb, wb_people, task_id, action)
        assert stored_state(wb, task_id) == state


def test_every_state_is_reachable_and_every_action_is_in_the_table():
    reached = {TaskState.OPEN} | set(TASK_MOVES.values())
    assert reached == set(TaskState)
    assert set(TASK_ACTIONS) == {"claim", "submit", "start_review", "accept", "return", "release", "withdraw",
                                 "send_back", "reopen"}


def test_what_a_transcriber_may_edit_comes_from_the_table():
    assert EDITABLE == (TaskState.IN_PROGRESS, TaskState.RETURNED)
    assert EDITABLE == ("in_progress", "returned")  # the strings the database holds


@pytest.mark.parametrize("status", list(SegmentStatus))
def test_an_accepted_or_merged_segment_never_changes_again_and_any_other_may_be_edited(status):
    final = status in (SegmentStatus.ACCEPTED, SegmentStatus.MERGED)
    for action in ("save", "clear", "mark_no_speech", "merge_away"):
        assert segment_may(status, action) is not final
    assert all(moved_from != SegmentStatus.MERGED for moved_from, _ in SEGMENT_MOVES)


def test_an_accepted_segment_refuses_an_edit_through_the_workflow(wb, wb_people, wb_clip):
    task_id = task_in(wb, wb_people, wb_clip, TaskState.RETURNED)
    accepted = [s for s in wb.open_task(wb_people.tina, task_id).segments if s.status == SegmentStatus.ACCEPTED]
    assert len(accepted) == 2
    with pytest.raises(WorkbenchError, match="already accepted"):
        wb.save_text(wb_people.tina, accepted[0].id, "바뀐 글", base_version=accepted[0].version)


EDITS = ("save", "clear", "mark_no_speech", "merge_away")


def segment_in(wb, people, wb_clip, status: SegmentStatus):
    """A task whose second segment is in ``status``, its first one still editable."""
    task_id = wb_clip()
    wb.claim_next_id(people.tina)
    if status in (SegmentStatus.RETURNED, SegmentStatus.ACCEPTED):
        type_and_submit(wb, people, task_id)
        view = wb.start_review(people.rita, task_id)
        hear(wb, people.rita, view.segments, wb.clock)
        wb.return_segment(people.rita, view.segments[0].id, "다시 들어 보세요")
        if status == SegmentStatus.RETURNED:
            wb.return_segment(people.rita, view.segments[1].id, "다시 들어 보세요")
        wb.accept_all_played(people.rita, task_id)
        wb.finish_review(people.rita, task_id)
    segments = wb.open_task(people.tina, task_id).segments
    second = segments[1]
    if status == SegmentStatus.SAVED:
        second = wb.save_text(people.tina, second.id, "안녕하세요.", base_version=second.version)
    elif status == SegmentStatus.NO_SPEECH:
        second = wb.mark_no_speech(people.tina, second.id, "music only", base_version=second.version)
    assert second.status == status
    return segments[0], second


def edit(wb, people, first, second, action: str) -> None:
    if action == "save":
        wb.save_text(people.tina, second.id, "새로 쓴 글.", base_version=second.version)
    elif action == "clear":
        wb.save_text(people.tina, second.id, "", base_version=second.version)
    elif action == "mark_no_speech":
        wb.mark_no_speech(people.tina, second.id, "noise", base_version=second.version)
    else:
        wb.merge_with_next(people.tina, first.id)


def segment_status(wb, segment_id) -> str:
    from workbench.store.models import Segment

    with wb.store.reading() as session:
        return session.execute(sa.select(Segment.status).where(Segment.id == segment_id)).scalar_one()


@pytest.mark.parametrize("action", EDITS)
@pytest.mark.parametrize("status", [s for s in SegmentStatus if s != SegmentStatus.MERGED])
def test_the_segment_table_is_what_the_transcriber_may_do(wb, wb_people, wb_clip, status, action):
    first, second = segment_in(wb, wb_people, wb_clip, status)
    if segment_may(status, action):
        edit(wb, wb_people, first, second, action)
        assert segment_status(wb, second.id) == SEGMENT_MOVES[(status, action)]
    else:
        with pytest.raises(WorkbenchError):
            edit(wb, wb_people, first, second, action)
        assert segment_status(wb, second.id) == status
