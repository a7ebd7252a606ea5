"""Bad input gets a clear error and changes nothing: every table and every file in the data
directory is exactly as before."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.listening import hear
from workbench.store.models import Base
from workbench.workflow.errors import (
    GuidelineViolation,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    StaleVersion,
)


def snapshot(wb):
    """Every row of every table, and every file under the data directory with its bytes."""
    with wb.store.engine.connect() as conn:
        rows = {table.name: sorted(map(tuple, conn.execute(sa.select(table))), key=repr)
                for table in Base.metadata.sorted_tables}
    files = {p.relative_to(wb.data_dir): p.read_bytes() for p in sorted(wb.data_dir.rglob("*"))
             if p.is_file() and not p.name.startswith("workbench.db")}
    return rows, files


@pytest.fixture
def stage(wb, wb_people, wb_clip, wb_reopen):
    """A workbench with a 1 KiB upload limit; tina's claimed task with one saved segment
    (``first``); tom's submitted task, in review with rita, its first segment played."""
    small = wb_reopen(max_upload_bytes=1024)
    wb_clip(priority=2)
    wb_clip(priority=1)
    claimed = small.claim_next(wb_people.tina).id
    first = small.open_task(wb_people.tina, claimed).segments[0]
    small.save_text(wb_people.tina, first.id, "안녕하세요.", base_version=0)
    submitted = small.claim_next(wb_people.tom).id
    for segment, text in zip(small.open_task(wb_people.tom, submitted).segments,
                             ["안녕하세요.", "반갑습니다.", "네 좋아요."]):
        small.save_text(wb_people.tom, segment.id, text, base_version=0)
    small.submit_task(wb_people.tom, submitted)
    reviewed = small.start_review(wb_people.rita, submitted).segments[0]
    hear(small, wb_people.rita, [reviewed], small.clock)
    return SimpleNamespace(wb=small, people=wb_people, claimed=claimed, submitted=submitted, first=first,
                           reviewed=reviewed)


def import_clip(**change):
    def act(st):
        values = dict(filename="clip.wav", source=b"RIFF....", language="ko", project="acme") | change
        st.wb.import_clip(st.people.admin, **values)
    return act


CASES = {
    "unknown language": (import_clip(language="xx"), InvalidInput, "Unknown language"),
    "too large upload": (import_clip(source=b"x" * 2048), InvalidInput, "limit"),
    "path traversal": (import_clip(filename="../../../etc/passwd"), InvalidInput, "path"),
    "stale save": (lambda st: st.wb.save_text(st.people.tina, st.first.id, "옛 글.", base_version=0),
                   StaleVersion, "changed elsewhere"),
    "submit twice": (lambda st: st.wb.submit_task(st.people.tom, st.submitted), InvalidTransition, "in_review"),
    "finish someone else's review": (lambda st: st.wb.finish_review(st.people.bo, st.submitted),
                                     InvalidTransition, "not in review with you"),
    "review an unsubmitted task": (lambda st: st.wb.start_review(st.people.rita, st.claimed), InvalidTransition,
                                   "in_progress"),
    "accept a segment not heard": (
        lambda st: st.wb.accept_segment(st.people.rita, st.reviewed.id + 1), InvalidTransition, "before accepting it"),
    "a reviewer's correction breaking the guidelines": (
        lambda st: st.wb.accept_segment(st.people.rita, st.reviewed.id, text="hello"), GuidelineViolation, "script"),
    "submit with guideline errors": (lambda st: st.wb.submit_task(st.people.tina, st.claimed), GuidelineViolation,
                                     "empty-text"),
    "save into someone else's task": (
        lambda st: st.wb.save_text(st.people.tom, st.first.id, "남의 글.", base_version=1),
        PermissionDenied, "another transcriber"),
    "split outside the segment": (lambda st: st.wb.split_segment(st.people.tina, st.first.id, 9.0),
                                  InvalidInput, "inside segment"),
    "application in an unknown language": (
        lambda st: st.wb.submit_application(username="new1", password="quiet-lantern-57", name="New", language="xx",
                                            document_name="d.pdf", document=b"%PDF", bank_holder="New"),
        InvalidInput, "Unknown language"),
    # The limits of workflow/limits.py, as every surface meets them.
    "a segment text over 2,000 characters": (
        lambda st: st.wb.save_text(st.people.tina, st.first.id, "가" * 2001, base_version=1), InvalidInput,
        "at most 2,000"),
    "NUL in a segment text": (lambda st: st.wb.save_text(st.people.tina, st.first.id, "a\x00b", base_version=1),
                              InvalidInput, "control character"),
    "a lone surrogate in a no-speech reason": (
        lambda st: st.wb.mark_no_speech(st.people.tina, st.first.id, "\ud800", base_version=1), InvalidInput,
        "surrogate"),
    "a base version beyond the integer range": (
        lambda st: st.wb.save_text(st.people.tina, st.first.id, "네.", base_version=2**31), InvalidInput,
        "base version"),
    "a NaN split point": (lambda st: st.wb.split_segment(st.people.tina, st.first.id, float("nan")), InvalidInput,
                          "finite"),
    "an infinite playback position": (
        lambda st: st.wb.record_play(st.people.rita, st.reviewed.id, intervals=[(0.0, float("inf"))]), InvalidInput,
        "within the segment"),
    "a task id beyond the integer range": (lambda st: st.wb.open_task(st.people.tina, 2**63), InvalidInput,
                                           "task id"),
    "a segment id beyond the integer range": (
        lambda st: st.wb.segment_history(st.people.tina, 2**31), InvalidInput, "segment id"),
    "a return comment over 2,000 characters": (
        lambda st: st.wb.return_segment(st.people.rita, st.reviewed.id, "x" * 2001), InvalidInput, "at most 2,000"),
    "a reviewer's correction over 2,000 characters": (
        lambda st: st.wb.accept_segment(st.people.rita, st.reviewed.id, text="가" * 2001), InvalidInput,
        "at most 2,000"),
    "a release reason over 500 characters": (
        lambda st: st.wb.release_task(st.people.admin, st.claimed, reason="x" * 501), InvalidInput, "at most 500"),
    "a project name over 200 characters": (import_clip(project="p" * 201), InvalidInput, "at most 200"),
    "a priority beyond the integer range": (import_clip(priority=2**31), InvalidInput, "priority"),
    "a username with a trailing line break": (
        lambda st: st.wb.create_user(st.people.admin, username="newone\n", password="quiet-lantern-57", name="New",
                                     roles={"admin"}), InvalidInput, "username"),
    "NUL in a person's name": (
        lambda st: st.wb.create_user(st.people.admin, username="newone", password="quiet-lantern-57", name="New\x00",
                                     roles={"admin"}), InvalidInput, "control character"),
    "a password over 1,024 characters": (
        lambda st: st.wb.create_user(st.people.admin, username="newone", password="p" * 1025, name="New",
                                     roles={"admin"}), InvalidInput, "at most 1,024"),
    "NUL in the reason for closing an account": (
        lambda st: st.wb.deactivate_user(st.people.admin, "tina", reason="left\x00"), InvalidInput,
        "control character"),
    "a task list filtered by a project with NUL": (
        lambda st: st.wb.list_tasks(st.people.admin, project="a\x00"), InvalidInput, "control character"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_clearly_and_changes_nothing(stage, case):
    action, error, message = CASES[case]
    before = snapshot(stage.wb)
    with pytest.raises(error, match=message):
        action(stage)
    assert snapshot(stage.wb) == before
