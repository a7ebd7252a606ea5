"""Admin page handlers: clips and their processing, applications, workers.

Each takes the Workbench and the acting user and returns plain values; the Workbench refuses
anyone who is not an admin, so calling these directly grants nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.workflow.errors import InvalidInput, PermissionDenied, WorkbenchError

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, Application, ClipView, WorkerSummary
    from workbench.workflow.service import Workbench

# Ready clips stay on the processing list for a while so the admin sees them finish.
RECENT_READY_CLIPS = 8


@dataclass(frozen=True)
class UploadOutcome:
    """What became of an upload of several files: the clips queued and the files refused."""

    imported: tuple["ClipView", ...]
    refused: tuple[tuple[str, str], ...]  # (file name, reason)


def upload_clips(
    wb: "Workbench",
    actor: "Actor",
    files: Sequence[Path],
    *,
    language: str,
    project: str,
    priority: int,
) -> UploadOutcome:
    """Import each file as a clip and queue its processing.

    A file the store refuses (bad name, empty, too large) is reported and changes nothing;
    the others are still imported. Not being an admin refuses the whole upload.
    """
    if not files:
        raise InvalidInput("Choose one or more audio or video files to upload.")
    imported: list[ClipView] = []
    refused: list[tuple[str, str]] = []
    for path in files:
        try:
            imported.append(
                wb.import_clip(
                    actor, filename=path.name, source=path, language=language,
                    project=project, priority=int(priority),
                )
            )
        except PermissionDenied:
            raise
        except WorkbenchError as error:
            refused.append((path.name, str(error)))
    return UploadOutcome(imported=tuple(imported), refused=tuple(refused))


def watched_clips(clips: Sequence["ClipView"], *, recent_ready: int = RECENT_READY_CLIPS) -> list["ClipView"]:
    """The clips the processing list shows: all unfinished or failed ones (oldest first),
    then the most recently added ready ones."""
    unfinished = [c for c in clips if c.status != "ready"]
    ready = sorted((c for c in clips if c.status == "ready"), key=lambda c: c.created_at, reverse=True)
    return sorted(unfinished, key=lambda c: c.created_at) + ready[:recent_ready]


def processing_clips(wb: "Workbench", actor: "Actor") -> list["ClipView"]:
    return watched_clips(wb.list_clips(actor))


def failed_clips(clips: Sequence["ClipView"]) -> list[tuple[str, int]]:
    """(label, clip id) choices for the retry picker."""
    return [(f"#{c.id} {c.filename}", c.id) for c in clips if c.status == "failed"]


def retry_clip(wb: "Workbench", actor: "Actor", clip_id: int | None) -> "ClipView":
    if clip_id is None:
        raise InvalidInput("Choose a failed clip to retry.")
    return wb.retry_clip(actor, int(clip_id))


def pending_applications(wb: "Workbench", actor: "Actor") -> list["Application"]:
    return wb.list_applications(actor, status="pending")


def decide_application(
    wb: "Workbench", actor: "Actor", application_id: int | None, *, approve: bool, reason: str
) -> "Application":
    if application_id is None:
        raise InvalidInput("Choose an application first.")
    return wb.decide_application(actor, int(application_id), approve=approve, reason=reason)


WORKER_COLUMNS = (
    "username", "name", "roles", "language", "status", "grade", "return rate", "reviewed",
    "tasks (held / max)", "penalties (won)",
)


def worker_rows(workers: Sequence["WorkerSummary"]) -> list[list]:
    """One table row per worker, by language then username, shares as percentages."""
    return [
        [
            w.username, w.name, ", ".join(sorted(w.roles)), w.language or "—", w.status, w.grade,
            "—" if w.return_rate is None else f"{w.return_rate:.0%}", w.reviewed_segments,
            f"{w.tasks_held} / {w.max_tasks}", f"{w.penalties_won:,} ({w.penalties})",
        ]
        for w in sorted(workers, key=lambda w: (w.language or "", w.username))
    ]


def workers_table(wb: "Workbench", actor: "Actor") -> list[list]:
    return worker_rows(wb.list_workers(actor))
