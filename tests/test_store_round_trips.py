"""How often one autosave goes to the database: counted, with an upper bound, so a change that
adds a query to the hottest path fails here instead of in production.

An autosave is what the task page sends every few seconds while a transcriber types: the web
shell resolves the session (``session_actor``) and the workflow saves the text
(``save_text``) and answers with the segment's view. The statements are counted with
SQLAlchemy's ``before_cursor_execute`` event on the real engine (SQLite and PostgreSQL).
"""

from __future__ import annotations

import contextlib
import dataclasses

import sqlalchemy as sa
from drafts_support import clip_with_audio, draft_now, fake_engines

from workbench.workflow.errors import StaleVersion

# session_actor: BEGIN, the session's user. save_text: BEGIN, one read of the segment with its
# task (locked), the clip's project, a reviewer's text and its machine draft with its words
# (repo.segment_to_save), the versioned UPDATE, the revision and audit INSERTs; the view is
# built from what was read and written, a drafted segment's as any other (its draft was 6
# more statements through the ORM). It was 13, then 11 through the ORM (issue 16).
AUTOSAVE_STATEMENTS = 7


@contextlib.contextmanager
def counted(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_one_autosave_sends_at_most_seven_statements(wb, wb_people, wb_clip):
    wb_clip()
    task = wb.claim_next(wb_people.tina)
    segment = wb.open_task(wb_people.tina, task.id).segments[0]
    token = wb.open_session(wb_people.tina)
    version = segment.version
    for text in ("안녕하세요.", "안녕하세요. 반갑습니다."):
        with counted(wb.store.engine) as statements:
            actor = wb.session_actor(token)
            saved = wb.save_text(actor, segment.id, text, base_version=version)
        assert saved.text == text and saved.version == version + 1
        version = saved.version
        assert len(statements) <= AUTOSAVE_STATEMENTS, "\n".join(statements)
        # The segment is read once: the versioned UPDATE is trusted, not read back.
        assert sum(s.startswith("SELECT segments.") for s in statements) == 1, "\n".join(statements)


def test_an_autosave_of_a_drafted_segment_reads_its_draft_with_the_segment(wb, wb_people, tmp_path):
    # In a project with drafts on most saves are of a drafted segment: its draft, words and
    # whether the task may show it come with the one segment read, not through the ORM after.
    fake = fake_engines(wb, probabilities={"of": 0.2})
    draft_now(wb, wb_people.admin, clip_with_audio(wb, wb_people.admin, tmp_path).id)
    task = wb.claim_next(wb_people.tina)
    segment = wb.open_task(wb_people.tina, task.id).segments[0]
    assert segment.draft is not None and segment.version == 1
    token = wb.open_session(wb_people.tina)
    version = segment.version
    for text in ("안녕하세요.", "안녕하세요. 반갑습니다."):
        with counted(wb.store.engine) as statements:
            saved = wb.save_text(wb.session_actor(token), segment.id, text, base_version=version)
        assert (saved.text, saved.version) == (text, version + 1)
        assert saved.draft == dataclasses.replace(segment.draft, untouched=False)
        assert saved.draft.engine == fake.engine_id and [w.probability for w in saved.draft.words] == [0.95, 0.2, 0.95]
        version = saved.version
        assert len(statements) <= AUTOSAVE_STATEMENTS, "\n".join(statements)
        assert sum("draft_words" in s for s in statements) == 1, "\n".join(statements)
        assert sum(s.startswith("SELECT segments.") for s in statements) == 1, "\n".join(statements)


def test_a_save_that_loses_the_race_reads_the_segment_as_stored(wb, wb_people, wb_clip):
    wb_clip()
    task = wb.claim_next(wb_people.tina)
    segment = wb.open_task(wb_people.tina, task.id).segments[0]
    first = wb.save_text(wb_people.tina, segment.id, "안녕하세요.", base_version=segment.version)
    try:
        wb.save_text(wb_people.tina, segment.id, "반갑습니다.", base_version=segment.version)
    except StaleVersion as stale:
        assert stale.current.text == first.text and stale.current.version == first.version
    else:
        raise AssertionError("a save on an old version went through")


# open_task: the task, its live segments, its clip and people (one joined read), the viewer's
# plays, the reviewed texts and the machine drafts; the summary's counts, durations and
# returned comments come from the segments already read. It was 11 (issue 16).
TASK_VIEW_STATEMENTS = 7
# my_queue: the held tasks, their clips and people (one joined read), their segment counts and
# durations (one grouped read), the grade's three reads and the count of open tasks; the
# reviewers' comments only when a task has returned segments. It was 10 (issue 16).
QUEUE_STATEMENTS = 8


def test_the_task_page_data_and_the_queue_take_a_fixed_handful_of_statements(wb, wb_people, wb_clip):
    wb_clip()
    task = wb.claim_next(wb_people.tina)
    actor = wb.session_actor(wb.open_session(wb_people.tina))
    with counted(wb.store.engine) as statements:
        view = wb.open_task(actor, task.id)
    assert len(view.segments) > 1 and view.task.segment_count == len(view.segments)
    assert len(statements) <= TASK_VIEW_STATEMENTS, "\n".join(statements)
    assert sum(s.startswith("SELECT segments.") for s in statements) == 1, "\n".join(statements)
    with counted(wb.store.engine) as statements:
        queue = wb.my_queue(actor)
    assert [summary.id for summary in queue.open] == [task.id]
    assert len(statements) <= QUEUE_STATEMENTS, "\n".join(statements)
