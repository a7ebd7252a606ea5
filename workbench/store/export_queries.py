"""The export's queries: accepted segments and clip quality as export domain values.

``workbench.export.run_export`` calls these with a session from ``Store``; nothing about a
person leaves here except an opaque worker key (``export.workers.worker_key``: a keyed hash
of the account id under the deployment's secret), so no name, username or account id can
reach an export file.

A segment is exported when it is live (not merged away) and ``accepted``. Its submitted
text is the transcriber's latest revision (or the untouched machine draft) at the first
review verdict, i.e. what was handed in before any reviewer correction or rework.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.export.report import ClipQuality
from workbench.export.segment import ExportSegment, utterance_id
from workbench.export.workers import worker_key
from workbench.store import draft_queries
from workbench.store.models import Clip, Revision, Segment, Task, User, Verdict


def is_admin(session: Session, user_id: int) -> bool:
    user = session.get(User, user_id)
    return user is not None and user.is_admin


def selected_clips(session: Session, *, language: str | None = None, project: str | None = None,
                   clip_ids: Sequence[int] | None = None) -> list[Clip]:
    """The clips of the selection, every status included, in id order."""
    query = select(Clip).order_by(Clip.id)
    if language is not None:
        query = query.where(Clip.language == language)
    if project is not None:
        query = query.where(Clip.project == project)
    if clip_ids is not None:
        query = query.where(Clip.id.in_(list(clip_ids)))
    return list(session.scalars(query))


def clip_quality(clips: Sequence[Clip]) -> list[ClipQuality]:
    """Each clip's status and what processing measured (from its stored report.json)."""
    result = []
    for clip in clips:
        report = json.loads(clip.report) if clip.report else {}
        result.append(ClipQuality(
            clip_id=str(clip.id), language=clip.language, project=clip.project, status=clip.status,
            loudness_lufs=(report.get("loudness") or {}).get("before_lufs"),
            snr_db=(report.get("noise") or {}).get("snr_db"),
        ))
    return result


def accepted_segments(session: Session, clips: Sequence[Clip], data_dir: Path, *,
                      worker_secret: bytes) -> list[ExportSegment]:
    """The accepted live segments of ``clips`` (speech and no-speech), by clip and position.

    Transcribers are keyed under ``worker_secret`` (``export.workers.worker_key_secret``).
    Stored paths are relative to ``data_dir``. The original audio is the upload itself
    when it is kept (its own rate and quality), else the pipeline's ``original.flac``.
    """
    by_id = {clip.id: clip for clip in clips}
    rows = session.execute(
        select(Segment, Task)
        .join(Task, Segment.task_id == Task.id)
        .where(Task.clip_id.in_(list(by_id)), Segment.merged_into_id.is_(None), Segment.status == "accepted")
        .order_by(Task.clip_id, Segment.position)
    ).all()
    submitted = _submitted_texts(session, [segment.id for segment, _ in rows])
    drafts = draft_queries.draft_facts(session, [segment.id for segment, _ in rows])
    result = []
    for segment, task in rows:
        clip = by_id[task.clip_id]
        processed = _stored(data_dir, clip.output_dir or f"clips/{clip.id}")
        upload = _stored(data_dir, clip.upload_path) if clip.upload_path else None
        result.append(ExportSegment(
            utterance_id=utterance_id(str(clip.id), segment.start_s, segment.end_s),
            clip_id=str(clip.id), language=clip.language, project=clip.project,
            start=segment.start_s, end=segment.end_s,
            text="" if segment.no_speech else segment.text,
            submitted_text=submitted.get(segment.id, segment.text),
            clean_audio=processed / "clean.flac",
            original_audio=upload if upload is not None and upload.is_file() else processed / "original.flac",
            worker_key=worker_key(task.transcriber_id, worker_secret), return_count=segment.return_count,
            no_speech=segment.no_speech, no_speech_reason=segment.no_speech_reason if segment.no_speech else None,
            **drafts.get(segment.id, draft_queries.UNDRAFTED),
        ))
    return result


def _stored(data_dir: Path, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else data_dir / path


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
