"""Gold work's queries (workflow/gold.py): references, gold copies and their scores, and the
gold outcomes a transcriber's grade counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, object_session

from workbench.store.gold_models import GoldCopy, GoldImport, GoldPlacement, GoldReference, GoldScore
from workbench.store.models import Clip, Segment, Task, User


def references_by_segment(session: Session, segment_ids: Iterable[int], *,
                          live_only: bool = False) -> dict[int, GoldReference]:
    """The references made from these segments (only those not un-marked, if ``live_only``)."""
    ids = list(segment_ids)
    if not ids:
        return {}
    query = select(GoldReference).where(GoldReference.segment_id.in_(ids))
    if live_only:
        query = query.where(GoldReference.removed_at.is_(None))
    rows = session.scalars(query)
    return {row.segment_id: row for row in rows}


def gold_source_clips(session: Session, *, language: str, besides: int) -> list[int]:
    """Clips of ``language`` with at least one reference not un-marked, except clip ``besides``."""
    return list(session.scalars(
        select(GoldReference.clip_id).where(GoldReference.language == language, GoldReference.clip_id != besides,
                                            GoldReference.removed_at.is_(None))
        .distinct().order_by(GoldReference.clip_id)
    ))


def gold_task_clause(task_id, clip_id):
    """A condition: task ``task_id`` of clip ``clip_id`` (columns or values) is gold work, a gold
    copy or an imported reference clip (``is_gold_task``'s rule, for a Core read)."""
    return exists().where(GoldCopy.task_id == task_id) | exists().where(GoldImport.clip_id == clip_id)


def is_gold_task(task: Task) -> bool:
    """Whether ``task`` (a row of an open session) is a gold copy or an imported reference clip.
    Remembered for the session's life: a task is born gold or not and never changes."""
    session = object_session(task)
    if session is None:
        return False
    known = session.info.setdefault("gold_tasks", {})
    if task.id not in known:
        known[task.id] = bool(session.scalar(select(gold_task_clause(task.id, task.clip_id))))
    return known[task.id]


def copies_to_skip(connection, user_id: int) -> list[int]:
    """Open gold copies ``user_id`` must not be offered: copies of a clip they transcribed, or
    of which they already had a copy (the same audio twice would give gold away)."""
    mine = select(Task.clip_id).where(Task.transcriber_id == user_id)
    had = select(GoldCopy.source_clip_id).join(Task, Task.id == GoldCopy.task_id).where(Task.transcriber_id == user_id)
    return list(connection.scalars(
        select(GoldCopy.task_id).join(Task, Task.id == GoldCopy.task_id)
        .where(Task.state == "open", GoldCopy.source_clip_id.in_(mine.union(had)))
    ))


def copies(session: Session) -> dict[int, int]:
    """``{copy task id: source clip id}``."""
    return dict(session.execute(select(GoldCopy.task_id, GoldCopy.source_clip_id)).all())


def unscored_placements(session: Session, task_id: int) -> list[tuple[GoldPlacement, GoldReference, Segment]]:
    """The task's scored-to-be segments with no score yet and a reference not un-marked, with
    the reference and the accepted segment it was taken from (its bounds are the copy's)."""
    rows = session.execute(
        select(GoldPlacement, GoldReference, Segment)
        .join(GoldReference, GoldReference.id == GoldPlacement.reference_id)
        .join(Segment, Segment.id == GoldReference.segment_id)
        .where(GoldPlacement.task_id == task_id, GoldReference.removed_at.is_(None),
               ~select(GoldScore.id).where(GoldScore.segment_id == GoldPlacement.segment_id).exists())
        .order_by(Segment.position)
    )
    return [tuple(row) for row in rows]


def outcomes(session: Session, user_ids: Sequence[int] | None = None) -> dict[int, dict[int, bool]]:
    """``{user_id: {segment_id: passed}}`` of every gold score (of ``user_ids`` only, if given)."""
    query = select(GoldScore.user_id, GoldScore.segment_id, GoldScore.passed)
    if user_ids is not None:
        query = query.where(GoldScore.user_id.in_(list(user_ids)))
    found: dict[int, dict[int, bool]] = {}
    for user_id, segment_id, passed in session.execute(query):
        found.setdefault(user_id, {})[segment_id] = passed
    return found


def with_gold_outcomes(decisions: list[tuple[int, str]], gold: dict[int, bool], limit: int) -> list[tuple[int, str]]:
    """A transcriber's grade decisions (newest first) with gold outcomes in: a scored gold
    segment counts as accepted when it passed and returned when it did not, in place of any
    reviewer's decision on it; gold scores not yet reviewed come first. At most ``limit``."""
    if not gold:
        return decisions

    def word(passed: bool) -> str:
        return "accepted" if passed else "returned"

    reviewed = {segment_id for segment_id, _ in decisions}
    unreviewed = [(segment_id, word(passed)) for segment_id, passed in sorted(gold.items(), reverse=True)
                  if segment_id not in reviewed]
    merged = unreviewed + [(segment_id, word(gold[segment_id]) if segment_id in gold else decision)
                           for segment_id, decision in decisions]
    return merged[:limit]


def scores(session: Session, *, user_id: int | None = None) -> list[tuple[GoldScore, GoldReference, str, str]]:
    """Every gold score, newest first, with its reference, the worker's username and the project."""
    query = (
        select(GoldScore, GoldReference, User.username, Clip.project)
        .join(GoldReference, GoldReference.id == GoldScore.reference_id)
        .join(User, User.id == GoldScore.user_id)
        .join(Task, Task.id == GoldScore.task_id)
        .join(Clip, Clip.id == Task.clip_id)
        .order_by(GoldScore.scored_at.desc(), GoldScore.id.desc())
    )
    if user_id is not None:
        query = query.where(GoldScore.user_id == user_id)
    return [tuple(row) for row in session.execute(query)]


def not_client_work():
    """A condition on ``Clip.id``: the clip is neither a gold copy nor an imported reference
    clip (what the client export leaves out)."""
    copies = select(Task.clip_id).join(GoldCopy, GoldCopy.task_id == Task.id)
    return ~Clip.id.in_(copies.union(select(GoldImport.clip_id)))
