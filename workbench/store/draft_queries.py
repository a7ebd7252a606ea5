"""The machine drafts' queries (workflow/drafting.py): a segment's draft with its words, and
the accepted texts drafts are measured against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session, object_session

from workbench.store.double_queries import double_task_clause
from workbench.store.gold_queries import gold_task_clause

from workbench.store.models import (
    Clip,
    DraftHoldback,
    DraftRestart,
    DraftWords,
    Revision,
    Segment,
    Task,
    User,
    Verdict,
)
from workbench.store.pay_models import TaskTime


# Built once: every task view asks it (an autosave reads the draft with its segment,
# repo.segment_to_save).
_DRAFTS_OF = (select(Revision, DraftWords.words).join(DraftWords, DraftWords.revision_id == Revision.id)
              .where(Revision.segment_id.in_(bindparam("segment_ids", expanding=True)), Revision.kind == "draft")
              .order_by(Revision.version))


def drafts_of(session: Session, segment_ids: Sequence[int]) -> dict[int, tuple[Revision, str]]:
    """Each segment's machine draft (its revision and words JSON); undrafted segments are absent."""
    if not segment_ids:
        return {}
    rows = session.execute(_DRAFTS_OF, {"segment_ids": list(segment_ids)})
    return {revision.segment_id: (revision, words) for revision, words in rows}


def is_held_back(task: Task) -> bool:
    """Whether ``task`` (a row of an open session) is held back from drafts; remembered for
    the session's life (a task is held back when it is made, or never)."""
    session = object_session(task)
    if session is None:
        return False
    known = session.info.setdefault("held_back_tasks", {})
    if task.id not in known:
        known[task.id] = session.get(DraftHoldback, task.id) is not None
    return known[task.id]


def barred_from_drafts(task_id, clip_id):
    """A condition: task ``task_id`` of clip ``clip_id`` (columns) is neither drafted nor shown
    a draft, the rule of ``workflow.drafting.drafts_allowed`` for a Core read: gold work
    (``is_gold_task``), either side of a pair (``is_double_task``) or held back
    (``is_held_back``)."""
    return (gold_task_clause(task_id, clip_id) | double_task_clause(task_id)
            | exists().where(DraftHoldback.task_id == task_id))


def clip_projects(session: Session) -> list[str]:
    """Every project some clip belongs to, by name."""
    return list(session.scalars(select(Clip.project).distinct().order_by(Clip.project)))


def held_back_tasks(session: Session) -> list[int]:
    """Every held-back task's id, oldest first."""
    return list(session.scalars(select(DraftHoldback.task_id).order_by(DraftHoldback.task_id)))


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
    duration: float
    draft_text: str | None  # the machine draft's text; None when it was not drafted
    typed_chars: int | None  # summed over the transcriber's saves; None if a save did not say
    draft_untouched_at_review: bool  # the first review saw the draft as the machine wrote it
    held_back: bool  # its task was held back from drafts while drafts ran there (the control group)
    active_s: float | None  # its share (by duration) of the transcribers' active time on its task


def accepted_segments(session: Session, *, project: str | None = None,
                      language: str | None = None) -> list[AcceptedSegment]:
    """Every live accepted segment (optionally of one project and language)."""
    query = (select(Segment.id, Clip.project, Task.language, User.username, Segment.text,
                    Segment.end_s - Segment.start_s)
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
                        duration=duration, **facts.get(segment_id, UNDRAFTED))
        for segment_id, project_name, lang, username, text, duration in segments
    ]


UNDRAFTED = {"draft_text": None, "typed_chars": None, "draft_untouched_at_review": False, "held_back": False,
             "active_s": None}


def draft_facts(session: Session, segment_ids: Sequence[int]) -> dict[int, dict]:
    """Per segment, what the export's ``ExportSegment`` carries about drafts and typing
    (``UNDRAFTED``'s keys); segments with nothing to say are absent."""
    if not segment_ids:
        return {}
    facts: dict[int, dict] = {segment_id: dict(UNDRAFTED, **task_facts) for segment_id, task_facts
                              in _task_facts(session, segment_ids).items()}
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
        facts.setdefault(segment_id, dict(UNDRAFTED)).update(
            draft_text=text, typed_chars=typed.get(segment_id, 0 if text is not None else None),
            draft_untouched_at_review=untouched)
    return facts


def _task_facts(session: Session, segment_ids: Sequence[int]) -> dict[int, dict]:
    """Per segment, whether its task is in the drafts' control group (held back, and its
    clip's drafting ran: drafts were on there) and its share of the transcribers' active
    time on the task, in proportion to its duration among the task's live segments."""
    rows = session.execute(
        select(Segment.id, Segment.task_id, Segment.end_s - Segment.start_s, Clip.draft_state,
               DraftHoldback.task_id)
        .join(Task, Task.id == Segment.task_id).join(Clip, Clip.id == Task.clip_id)
        .outerjoin(DraftHoldback, DraftHoldback.task_id == Segment.task_id)
        .where(Segment.id.in_(segment_ids))).all()
    task_ids = {task_id for _, task_id, _, _, _ in rows}
    active = dict(session.execute(
        select(TaskTime.task_id, func.sum(TaskTime.active_seconds))
        .where(TaskTime.task_id.in_(sorted(task_ids)), TaskTime.role == "transcriber").group_by(TaskTime.task_id)).all())
    audio = dict(session.execute(
        select(Segment.task_id, func.sum(Segment.end_s - Segment.start_s))
        .where(Segment.task_id.in_(list(active)), Segment.merged_into_id.is_(None))
        .group_by(Segment.task_id)).all()) if active else {}
    facts = {}
    for segment_id, task_id, duration, draft_state, held in rows:
        share = active[task_id] * duration / audio[task_id] if task_id in active and audio.get(task_id) else None
        held_back = held is not None and draft_state == "done"
        if held_back or share is not None:
            facts[segment_id] = {"held_back": held_back, "active_s": share}
    return facts
