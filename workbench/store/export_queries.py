"""The export's queries: the clips of a selection and their accepted segments, as rows.

``workbench.export.run`` calls these with a session from ``Store`` and maps the rows to
export records itself (the store knows nothing of export; persons become opaque worker
keys there). A segment is exported when it is live (not merged away) and ``accepted``. Its
submitted text is the transcriber's latest revision (or the untouched machine draft) at the first
review verdict, i.e.
what was handed in before any reviewer correction or rework.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.domain.states import SegmentStatus
from workbench.store import gold_queries
from workbench.store.double_models import DoublePair
from workbench.store.models import Clip, Revision, Segment, Task, Verdict


def selected_clips(session: Session, *, language: str | None = None, project: str | None = None,
                   clip_ids: Sequence[int] | None = None) -> list[Clip]:
    """The clips of the selection, every status included, in id order; gold copies and
    imported reference clips are not the client's and never selected, nor the second side of
    a double transcription (the same audio again; a settled dispute is written on the original)."""
    double_copies = select(Task.clip_id).join(DoublePair, DoublePair.task_id == Task.id)
    query = select(Clip).where(gold_queries.not_client_work(), ~Clip.id.in_(double_copies)).order_by(Clip.id)
    if language is not None:
        query = query.where(Clip.language == language)
    if project is not None:
        query = query.where(Clip.project == project)
    if clip_ids is not None:
        query = query.where(Clip.id.in_(list(clip_ids)))
    return list(session.scalars(query))


def accepted_segments(session: Session, clip_ids: Sequence[int]) -> list[tuple[Segment, Task, str]]:
    """The accepted live segments of the clips ``clip_ids``, by clip and position: each with
    its task and its submitted text (the segment's own text when it never met a verdict)."""
    rows = session.execute(
        select(Segment, Task)
        .join(Task, Segment.task_id == Task.id)
        .where(Task.clip_id.in_(list(clip_ids)), Segment.merged_into_id.is_(None),
               Segment.status == SegmentStatus.ACCEPTED)
        .order_by(Task.clip_id, Segment.position)
    ).all()
    submitted = _submitted_texts(session, [segment.id for segment, _ in rows])
    return [(segment, task, submitted.get(segment.id, segment.text)) for segment, task in rows]


def _submitted_texts(session: Session, segment_ids: list[int]) -> dict[int, str]:
    """Per segment, the transcriber's text as of its first verdict."""
    if not segment_ids:
        return {}
    first_verdict: dict[int, int] = {}
    for segment_id, version in session.execute(
        select(Verdict.segment_id, Verdict.segment_version)
        .where(Verdict.segment_id.in_(segment_ids)).order_by(Verdict.id)
    ):
        first_verdict.setdefault(segment_id, version)
    revisions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for segment_id, version, text in session.execute(
        select(Revision.segment_id, Revision.version, Revision.text)
        .where(Revision.segment_id.in_(segment_ids), Revision.role.in_(("transcriber", "machine")))
        .order_by(Revision.segment_id, Revision.version)
    ):
        revisions[segment_id].append((version, text))
    texts = {}
    for segment_id, history in revisions.items():
        cutoff = first_verdict.get(segment_id)
        before = [text for version, text in history if cutoff is None or version <= cutoff]
        if before:
            texts[segment_id] = before[-1]
    return texts
