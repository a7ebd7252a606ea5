"""The autosave's statements: Core on one connection, as the claim's are (the hottest write).

A save reads everything it decides on and answers with in one statement
(``segment_to_save``: the segment, its task's people and state, the clip's project, the text
at the latest review verdict, and the segment's machine draft with its words and whether
the task may show it), then writes with one conditional UPDATE
(``bump_version_row``) and two INSERTs (the revision here, the audit entry through
``store.audit``).
"""

from __future__ import annotations

import functools

from sqlalchemy import Connection, Row, and_, bindparam, case, false, func, insert, select, update
from sqlalchemy.orm import aliased

from workbench.store.draft_queries import barred_from_drafts
from workbench.store.models import Clip, DraftWords, Revision, Segment, Task, Verdict
from workbench.store.repo._common import is_postgres


@functools.cache
def _segment_to_save(lock: bool):
    verdict, judged = aliased(Verdict), aliased(Revision)
    reviewed_text = (
        select(func.coalesce(judged.text, ""))
        .select_from(verdict)
        .outerjoin(judged, and_(judged.segment_id == verdict.segment_id, judged.version == verdict.segment_version))
        .where(verdict.segment_id == Segment.id)
        .order_by(verdict.id.desc()).limit(1)
        .scalar_subquery()
    )
    draft = aliased(Revision)  # at most one: a draft is only ever version 1
    query = (
        select(Segment.id.label("segment_id"), Segment.position, Segment.start_s, Segment.end_s, Segment.status,
               Segment.text, Segment.no_speech, Segment.no_speech_reason, Segment.version, Segment.review_comment,
               Segment.merged_into_id,
               # ``id`` is the task's, so the row answers the access checks a ``Task`` does.
               Task.id, Task.state, Task.transcriber_id, Task.reviewer_id, Task.language, Task.clip_id,
               Clip.project, reviewed_text.label("reviewed_text"),
               draft.version.label("draft_version"), draft.engine.label("draft_engine"), draft.text.label("draft_text"),
               DraftWords.words.label("draft_words"),
               # Asked only of a drafted segment (CASE evaluates it lazily): four indexed probes.
               case((draft.id.is_not(None), barred_from_drafts(Task.id, Task.clip_id)), else_=false())
               .label("drafts_barred"))
        .join(Task, Task.id == Segment.task_id).join(Clip, Clip.id == Task.clip_id)
        .outerjoin(draft, and_(draft.segment_id == Segment.id, draft.kind == "draft"))
        .outerjoin(DraftWords, DraftWords.revision_id == draft.id)
        .where(Segment.id == bindparam("segment_id"))
    )
    return query.with_for_update(of=Task) if lock else query


def segment_to_save(connection: Connection, segment_id: int) -> Row | None:
    """The segment about to be saved with what the save decides on, in one read: the task
    row locked (PostgreSQL) until the transaction ends, as ``segment_for_change`` locks it;
    None when there is no such segment. ``reviewed_text`` is None when never reviewed;
    ``draft_*`` are the machine draft's (``draft_words`` None when it has none) and
    ``drafts_barred`` whether its task may not show it (``draft_queries.barred_from_drafts``)."""
    return connection.execute(_segment_to_save(is_postgres(connection)), {"segment_id": segment_id}).one_or_none()


_LATEST_REVISION = (
    select(Revision.base_version, Revision.kind, Revision.author_id, Revision.text, Revision.no_speech_reason)
    .where(Revision.segment_id == bindparam("segment_id"))
    .order_by(Revision.version.desc()).limit(1)
)


def latest_revision_row(connection: Connection, segment_id: int) -> Row | None:
    """The segment's newest revision (who typed what on which base), or None."""
    return connection.execute(_LATEST_REVISION, {"segment_id": segment_id}).one_or_none()


def bump_version_row(connection: Connection, segment_id: int, base_version: int, **values) -> bool:
    """``bump_version`` on a plain connection: set ``values`` and version ``base_version + 1``
    only if the stored version is still ``base_version``; False when another save won."""
    result = connection.execute(
        update(Segment).where(Segment.id == segment_id, Segment.version == base_version)
        .values(version=base_version + 1, **values)
    )
    return result.rowcount == 1


_ADD_REVISION = insert(Revision)


def add_revision(connection: Connection, **columns) -> None:
    """Append one revision (``Revision``'s columns) on a plain connection."""
    connection.execute(_ADD_REVISION, columns)
