"""``run_export``: the one call the CLI and the admin page make to export from the store,
and the mapping of the store's rows to export records (``ExportSegment``, ``ClipQuality``).

Nothing about a person leaves here except an opaque worker key (``workers.worker_key``: a
keyed hash of the account id under the deployment's secret), so no name, username or
account id can reach an export file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from workbench.export.core import ExportOptions, ExportResult, parse_sample_rate, write_export
from workbench.export.report import ClipQuality
from workbench.export.segment import ExportSegment, utterance_id
from workbench.export.splits import SplitRatios
from workbench.export.workers import worker_key, worker_key_secret
from workbench.store import audit, draft_queries
from workbench.workflow import access
from workbench.workflow.limits import check_language
from workbench.workflow.limits import NAME, checked_text


def run_export(
    wb,
    actor,
    *,
    fmt: str,
    out_dir: Path,
    language: str | None = None,
    project: str | None = None,
    clip_ids: Sequence[int] | None = None,
    audio: str = "clean",
    sample_rate: int | str | None = 16000,
    text: str = "spelling",
    seed: int = 0,
    splits: SplitRatios | str = "0.8,0.1,0.1",
) -> ExportResult:
    """Export the accepted segments of the selected clips (admin only).

    ``wb`` is a ``Workbench``, ``actor`` the acting ``Actor``. ``sample_rate`` is a rate in
    Hz or ``"original"`` (each source file's own rate: 16 kHz for cleaned audio, the
    upload's rate for original audio). ``splits`` is a ``SplitRatios`` or ``"0.8,0.1,0.1"``.

    Raises ``PermissionDenied`` for a non-admin, ``NothingToExport`` when nothing in the
    selection is accepted, ``ExportError`` for bad options; in every case no file is written.
    """
    from workbench.store import export_queries

    if language is not None:
        check_language(language)
    if project is not None:
        project = checked_text(project, "project", limit=NAME).strip() or None
    options = ExportOptions(
        fmt=fmt, audio=audio, sample_rate=parse_sample_rate(sample_rate), text=text, seed=int(seed),
        splits=SplitRatios.parse(splits) if isinstance(splits, str) else splits,
    )
    with wb.store.session() as session:
        admin = access.require_admin(session, actor, refusal="Only an admin can export data.")
        clips = export_queries.selected_clips(session, language=language, project=project, clip_ids=clip_ids)
        rows = export_queries.accepted_segments(session, [clip.id for clip in clips])
        drafts = draft_queries.draft_facts(session, [segment.id for segment, _, _ in rows])
        segments = export_segments(rows, clips, wb.data_dir, worker_secret=worker_key_secret(wb.data_dir),
                                   drafts=drafts)
        quality = clip_quality(clips)
    selection = {"language": language, "project": project,
                 "clip_ids": sorted(clip_ids) if clip_ids is not None else None}
    result = write_export(segments, Path(out_dir), options, clips=quality, selection=selection,
                          quality_control=selected_quality(wb, actor, language=language, project=project))
    with wb.store.session() as session:
        # Data left the workbench: who took what goes to the audit log (once it is written;
        # an export has no row of its own, hence entity id 0).
        audit.record(session, at=wb.now(), actor_id=admin.id, action="export.written", entity="export",
                     entity_id=0, detail={"format": options.fmt, "segments": len(segments), **selection})
    return result


def selected_quality(wb, actor, *, language: str | None, project: str | None) -> dict[str, list]:
    """The quality dashboard's figures (``workbench.quality``) of the selected language and
    project, without usernames."""
    from workbench.quality.gather import quality_figures

    def selected(record: dict) -> bool:
        return (language is None or record.get("language") == language) and (
            project is None or record.get("project") == project)

    return {name: [r for r in records if selected(r)]
            for name, records in quality_figures(wb, actor).to_json().items()}


def clip_quality(clips: Sequence) -> list[ClipQuality]:
    """Each stored clip's status and what processing measured (from its report.json)."""
    result = []
    for clip in clips:
        report = json.loads(clip.report) if clip.report else {}
        result.append(ClipQuality(
            clip_id=str(clip.id), language=clip.language, project=clip.project, status=clip.status,
            loudness_lufs=(report.get("loudness") or {}).get("before_lufs"),
            snr_db=(report.get("noise") or {}).get("snr_db"),
        ))
    return result


def export_segments(rows: Sequence[tuple], clips: Sequence, data_dir: Path, *,
                    worker_secret: bytes, drafts: dict[int, dict] | None = None) -> list[ExportSegment]:
    """``export_queries.accepted_segments`` rows (segment, task, submitted text) of ``clips``
    as export records. Transcribers are keyed under ``worker_secret``; stored paths are
    relative to ``data_dir``. The original audio is the upload itself when it is kept (its
    own rate and quality), else the pipeline's ``original.flac``. ``drafts``: per segment id,
    what ``draft_queries.draft_facts`` knows of its machine draft and typing."""
    drafts = drafts or {}
    by_id = {clip.id: clip for clip in clips}
    result = []
    for segment, task, submitted in rows:
        clip = by_id[task.clip_id]
        processed = _stored(data_dir, clip.output_dir or f"clips/{clip.id}")
        upload = _stored(data_dir, clip.upload_path) if clip.upload_path else None
        result.append(ExportSegment(
            utterance_id=utterance_id(str(clip.id), segment.start_s, segment.end_s),
            clip_id=str(clip.id), language=clip.language, project=clip.project,
            start=segment.start_s, end=segment.end_s,
            text="" if segment.no_speech else segment.text, submitted_text=submitted,
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
