"""``run_export``: the one call the CLI and the admin page make to export from the store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.export.core import ExportOptions, ExportResult, parse_sample_rate, write_export
from workbench.export.splits import SplitRatios
from workbench.export.workers import worker_key_secret
from workbench.workflow.base import check_language
from workbench.workflow.errors import PermissionDenied
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
        if not export_queries.is_admin(session, actor.id):
            raise PermissionDenied("Only an admin can export data.")
        clips = export_queries.selected_clips(session, language=language, project=project, clip_ids=clip_ids)
        segments = export_queries.accepted_segments(session, clips, wb.data_dir,
                                                    worker_secret=worker_key_secret(wb.data_dir))
        quality = export_queries.clip_quality(clips)
    selection = {"language": language, "project": project,
                 "clip_ids": sorted(clip_ids) if clip_ids is not None else None}
    return write_export(segments, Path(out_dir), options, clips=quality, selection=selection)
