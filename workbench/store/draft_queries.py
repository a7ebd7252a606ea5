"""The machine drafts' queries (workflow/drafting.py): a segment's draft with its words, and
the accepted texts drafts are measured against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.store.models import Clip, DraftWords, Revision, Segment, Task, User, Verdict


def drafts_of(session: Session, segment_ids: Sequence[int]) -> dict[int, tuple[Revision, str]]:
    """Each segment's machine draft (its revision and words JSON); undrafted segments are absent."""
    if not segment_ids:
        return {}
    rows = session.execute(
        select(Revision, DraftWords.words)
        .join(DraftWords, DraftWords.revision_id == Revision.id)
        .where(Revision.segment_id.in_(segment_ids), Revision.kind == "draft")
        .order_by(Revision.version)
    )
    return {revision.segment_id: (revision, words) for revision, words in rows}


def drafts_measured(session: Session, *, project: str, language: str, engine: str,
                    limit: int) -> list[tuple[str, str]]:
    """``(draft text, accepted text)`` of the newest ``limit`` accepted segments of ``project``
    and ``language`` that ``engine`` drafted, newest first."""
    rows = session.execute(
        select(Revision.text, Segment.text)
        .join(Segment, Segment.id == Revision.segment_id)
        .join(Task, Task.id == Segment.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .where(Revision.kind == "draft", Revision.engine == engine, Segment.status == "accepted",
               Segment.merged_into_id.is_(None), Clip.project == project, Task.language == language)
        .order_by(Segment.id.desc())
        .limit(limit)
    )
    return [(draft, final) for draft, final in rows]


@dataclass(frozen=True)
class AcceptedSegment:
    """An accepted segment as the drafts' evidence needs it."""

    segment_id: int
    project: str
    language: str
    transcriber: str | None
    text: str
    draft: str | None  # the machine draft's text; None when it was not drafted
    engine: str | None
    typed_chars: int | None  # summed over the transcriber's saves; None if a save did not say
    untouched_at_review: bool  # the first review saw the draft as the machine wrote it


def accepted_segments(session: Session, *, project: str | None = None,
                      language: str | None = None) -> list[AcceptedSegment]:
    """Every live accepted segment (optionally of one project and language)."""
    query = (select(Segment.id, Clip.project, Task.language, User.username, Segment.text)
             .join(Task, Task.id == Segment.task_id).join(Clip, Clip.id == Task.clip_id)
             .outerjoin(User, User.id == Task.transcriber_id)
             .where(Segment.status == "accepted", Segment.merged_into_id.is_(None)))
    if project is not None:
        query = query.where(Clip.project == project)
    if language is not None:
        query = query.where(Task.language == language)
    segments = session.execute(query.order_by(Segment.id)).all()
    ids = [row[0] for row in segments]
    drafts = {segment_id: (version, text, engine) for segment_id, version, text, engine in session.execute(
        select(Revision.segment_id, Revision.version, Revision.text, Revision.engine)
        .where(Revision.segment_id.in_(ids), Revision.kind == "draft"))} if ids else {}
    typed: dict[int, int | None] = {}
    if ids:
        for segment_id, chars in session.execute(
                select(Revision.segment_id, Revision.typed_chars)
                .where(Revision.segment_id.in_(ids), Revision.role == "transcriber",
                       Revision.kind.in_(("save", "no_speech")))):
            if segment_id in typed and typed[segment_id] is None:
                continue
            typed[segment_id] = None if chars is None else typed.get(segment_id, 0) + chars
    first_review: dict[int, int] = {}
    if ids:
        first = (select(Verdict.segment_id, func.min(Verdict.id).label("first"))
                 .where(Verdict.segment_id.in_(ids)).group_by(Verdict.segment_id).subquery())
        first_review = dict(session.execute(
            select(Verdict.segment_id, Verdict.segment_version).join(first, first.c.first == Verdict.id)).all())
    return [
        AcceptedSegment(
            segment_id=segment_id, project=project_name, language=lang, transcriber=username, text=text,
            draft=drafts[segment_id][1] if segment_id in drafts else None,
            engine=drafts[segment_id][2] if segment_id in drafts else None,
            typed_chars=typed.get(segment_id, 0),
            untouched_at_review=segment_id in drafts and first_review.get(segment_id) == drafts[segment_id][0],
        )
        for segment_id, project_name, lang, username, text in segments
    ]
