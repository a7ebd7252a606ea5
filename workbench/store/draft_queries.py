"""The machine drafts' queries (workflow/drafting.py): a segment's draft with its words, and
the accepted texts drafts are measured against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workbench.store.models import Clip, DraftRestart, DraftWords, Revision, Segment, Task, User, Verdict


# Built once: every task view and autosave of a drafted segment asks it.
_DRAFTS_OF = (select(Revision, DraftWords.words).join(DraftWords, DraftWords.revision_id == Revision.id)
              .where(Revision.segment_id.in_(bindparam("segment_ids", expanding=True)), Revision.kind == "draft")
              .order_by(Revision.version))


def drafts_of(session: Session, segment_ids: Sequence[int]) -> dict[int, tuple[Revision, str]]:
    """Each segment's machine draft (its revision and words JSON); undrafted segments are absent."""
    if not segment_ids:
        return {}
    rows = session.execute(_DRAFTS_OF, {"segment_ids": list(segment_ids)})
    return {revision.segment_id: (revision, words) for revision, words in rows}


def drafts_measured(session: Session, *, project: str, language: str, engine: str,
                    limit: int, since: datetime | None = None) -> list[tuple[str, str]]:
    """``(draft text, accepted text)`` of the newest ``limit`` accepted segments of ``project``
    and ``language`` that ``engine`` drafted (from ``since`` on, when given), newest first."""
    query = (
        select(Revision.text, Segment.text)
        .join(Segment, Segment.id == Revision.segment_id)
        .join(Task, Task.id == Segment.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .where(Revision.kind == "draft", Revision.engine == engine, Segment.status == "accepted",
               Segment.merged_into_id.is_(None), Clip.project == project, Task.language == language)
    )
    if since is not None:
        query = query.where(Revision.created_at >= since)
    rows = session.execute(query.order_by(Segment.id.desc()).limit(limit))
    return [(draft, final) for draft, final in rows]


def latest_restart(session: Session, project: str, language: str) -> DraftRestart | None:
    """The admin's latest turning on again of ``project`` and ``language``'s drafts."""
    return session.scalars(
        select(DraftRestart).where(DraftRestart.project == project, DraftRestart.language == language)
        .order_by(DraftRestart.at.desc(), DraftRestart.id.desc()).limit(1)).first()


def clips_switched_off(session: Session, project: str, language: str) -> list[int]:
    """Processed clips of ``project`` and ``language`` whose drafting was switched off."""
    return list(session.scalars(
        select(Clip.id).where(Clip.project == project, Clip.language == language, Clip.status == "ready",
                              Clip.draft_state == "off").order_by(Clip.id)))


@dataclass(frozen=True)
class AcceptedSegment:
    """An accepted segment as the drafts' evidence needs it."""

    segment_id: int
    project: str
    language: str
    transcriber: str | None
    text: str
    draft_text: str | None  # the machine draft's text; None when it was not drafted
    typed_chars: int | None  # summed over the transcriber's saves; None if a save did not say
    draft_untouched_at_review: bool  # the first review saw the draft as the machine wrote it


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
    facts = draft_facts(session, [row[0] for row in segments])
    return [
        AcceptedSegment(segment_id=segment_id, project=project_name, language=lang, transcriber=username, text=text,
                        **facts.get(segment_id, UNDRAFTED))
        for segment_id, project_name, lang, username, text in segments
    ]


UNDRAFTED = {"draft_text": None, "typed_chars": None, "draft_untouched_at_review": False}


def draft_facts(session: Session, segment_ids: Sequence[int]) -> dict[int, dict]:
    """Per segment, what the export's ``ExportSegment`` carries about drafts and typing
    (``UNDRAFTED``'s keys); segments with nothing to say are absent."""
    if not segment_ids:
        return {}
    facts: dict[int, dict] = {}
    drafts = {segment_id: (version, text) for segment_id, version, text in session.execute(
        select(Revision.segment_id, Revision.version, Revision.text)
        .where(Revision.segment_id.in_(segment_ids), Revision.kind == "draft"))}
    first: dict[int, int] = {}
    for segment_id, version in session.execute(
            select(Verdict.segment_id, Verdict.segment_version)
            .where(Verdict.segment_id.in_(segment_ids)).order_by(Verdict.id)):
        first.setdefault(segment_id, version)
    typed: dict[int, int | None] = {}
    first_typed: dict[int, int] = {}  # the transcriber's first revision after the draft
    for segment_id, version, kind, chars in session.execute(
            select(Revision.segment_id, Revision.version, Revision.kind, Revision.typed_chars)
            .where(Revision.segment_id.in_(segment_ids), Revision.role == "transcriber")
            .order_by(Revision.version)):
        first_typed.setdefault(segment_id, version)
        if kind not in ("save", "no_speech") or (segment_id in typed and typed[segment_id] is None):
            continue
        typed[segment_id] = None if chars is None else typed.get(segment_id, 0) + chars
    for segment_id in set(drafts) | set(typed):
        version, text = drafts.get(segment_id, (None, None))
        # Untouched at review: reviewed, and the transcriber changed nothing before that
        # (a reviewer's correction is part of the first verdict's version).
        reviewed_at = first.get(segment_id)
        untouched = (version is not None and reviewed_at is not None
                     and first_typed.get(segment_id, reviewed_at + 1) > reviewed_at)
        facts[segment_id] = {"draft_text": text,
                             "typed_chars": typed.get(segment_id, 0 if text is not None else None),
                             "draft_untouched_at_review": untouched}
    return facts
