"""Admin page handlers: clips and their processing, applications, workers, rates,
settlements and the audit log (dataset export: ``handlers.export``).

Each takes the Workbench and the acting user and returns plain values; the Workbench refuses
(and pay and export check) anyone who is not an admin, so calling these directly grants nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.domain.times import seoul_minute
from workbench.workflow.errors import DuplicateClip, InvalidInput, PermissionDenied, WorkbenchError
from workbench.workflow.limits import checked_int

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.workflow.domain import Actor, Application, ClipView, WorkerSummary
    from workbench.workflow.service import Workbench

# Ready clips stay on the processing list for a while so the admin sees them finish.
RECENT_READY_CLIPS = 8


@dataclass(frozen=True)
class UploadOutcome:
    """What became of an upload of several files: the clips queued and the files refused."""

    imported: tuple["ClipView", ...]
    refused: tuple[tuple[str, str], ...]  # (file name, reason)
    duplicates: tuple[Path, ...] = ()  # refused as copies of existing clips: kept for "upload anyway"


def upload_clips(
    wb: "Workbench",
    actor: "Actor",
    files: Sequence[Path],
    *,
    language: str,
    project: str,
    priority: int,
    allow_duplicate: bool = False,
) -> UploadOutcome:
    """Import each file as a clip and queue its processing.

    A file the store refuses (bad name, empty, too large, the same content as a clip, unless
    ``allow_duplicate``) is reported and changes nothing; the others are still imported.
    Not being an admin refuses the whole upload.
    """
    if not files:
        raise InvalidInput("Choose one or more audio or video files to upload.")
    imported: list[ClipView] = []
    refused: list[tuple[str, str]] = []
    duplicates: list[Path] = []
    for path in files:
        try:
            imported.append(
                wb.import_clip(
                    actor, filename=path.name, source=path, language=language,
                    project=project, priority=priority, allow_duplicate=bool(allow_duplicate),
                )
            )
        except PermissionDenied:
            raise
        except WorkbenchError as error:
            refused.append((path.name, str(error)))
            if isinstance(error, DuplicateClip):
                duplicates.append(path)
    return UploadOutcome(imported=tuple(imported), refused=tuple(refused), duplicates=tuple(duplicates))


def watched_clips(clips: Sequence["ClipView"], *, recent_ready: int = RECENT_READY_CLIPS) -> list["ClipView"]:
    """The clips the processing list shows: all unfinished or failed ones (oldest first),
    then the most recently added ready ones."""
    # A clip whose drafts are still on their way is not finished either.
    # Nor is one a transcriber sent back for its language: it waits for the admin.
    unfinished = [c for c in clips if c.status != "ready" or c.drafts_pending
                  or c.language_report_by is not None]
    waiting = {c.id for c in unfinished}
    ready = sorted((c for c in clips if c.id not in waiting), key=lambda c: c.created_at, reverse=True)
    return sorted(unfinished, key=lambda c: c.created_at) + ready[:recent_ready]


def processing_clips(wb: "Workbench", actor: "Actor") -> list["ClipView"]:
    return watched_clips(wb.list_clips(actor))


def failed_clips(clips: Sequence["ClipView"]) -> list[tuple[str, int]]:
    """(label, clip id) choices for the retry picker."""
    return [(f"#{c.id} {c.filename}", c.id) for c in clips if c.status == "failed"]


def retry_clip(wb: "Workbench", actor: "Actor", clip_id: int | None) -> "ClipView":
    if clip_id is None:
        raise InvalidInput("Choose a failed clip to retry.")
    return wb.retry_clip(actor, clip_id)


def pending_applications(wb: "Workbench", actor: "Actor") -> list["Application"]:
    return wb.list_applications(actor, status="pending")


def decide_application(
    wb: "Workbench", actor: "Actor", application_id: int | None, *, approve: bool, reason: str
) -> "Application":
    if application_id is None:
        raise InvalidInput("Choose an application first.")
    return wb.decide_application(actor, application_id, approve=approve, reason=reason)


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


def worker_choices(workers: Sequence["WorkerSummary"]) -> list[tuple[str, str]]:
    """(label, username) for the account picker: approved and closed accounts."""
    return [(f"{w.username} · {w.name} · {w.status}", w.username)
            for w in sorted(workers, key=lambda w: w.username) if w.status in ("approved", "deactivated")]


def close_account(wb: "Workbench", actor: "Actor", username: str | None, reason: str) -> str:
    """Close a worker's account; says whose tasks went back to the queue."""
    if not username:
        raise InvalidInput("Choose the account to close.")
    closed = wb.deactivate_user(actor, username, reason=reason)
    released = ", ".join(f"#{task}" for task in closed.released_tasks)
    held = f"tasks {released} are offered to others again" if released else "they held no tasks"
    return f"{closed.user.name}'s account is closed: signed out everywhere, and {held}."


def reopen_account(wb: "Workbench", actor: "Actor", username: str | None, reason: str) -> str:
    if not username:
        raise InvalidInput("Choose the account to reopen.")
    user = wb.reactivate_user(actor, username, reason=reason)
    return f"{user.name}'s account is open again: they can sign in and take work."


# --- rates ------------------------------------------------------------------------------


def whole_won(value: float | int | None, what: str) -> int:
    """A won amount typed into a number box: whole and present, else a clear refusal."""
    try:
        return checked_int(value, what, low=0)
    except InvalidInput:
        raise InvalidInput(f"Give the {what} as a whole number of won, 0 or more.") from None


def rate_table(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every base rate ever set, newest first, times in Seoul."""
    from workbench.pay.service import rate_history

    history = rate_history(wb, actor).sort_values(["effective_at", "language"], ascending=[False, True])
    return _seoul_times(history, ("effective_at", "created_at")).reset_index(drop=True)


@dataclass(frozen=True)
class RateChange:
    """A rate, reviewer rate or bonus just set, as the Rates tab reports it."""

    won_per_minute: int
    effective_at: datetime  # aware UTC
    history: pd.DataFrame  # the new history, newest first, times in Seoul

    def since(self) -> str:
        return f"from {seoul_minute(self.effective_at)} (Seoul time)"


def set_language_rate(wb: "Workbench", actor: "Actor", language: str, won_per_minute: float | None,
                      effective_at: str | None) -> RateChange:
    """Add a base rate from ``effective_at`` (``2026-12-01 00:00``, Seoul time unless it
    carries an offset) on."""
    from workbench.pay.service import parse_effective_at, set_rate

    won, at = whole_won(won_per_minute, "rate"), parse_effective_at(effective_at or "")
    set_rate(wb, actor, language, won, at)
    return RateChange(won, at, rate_table(wb, actor))


def reviewer_rate_table(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every reviewer rate ever set, newest first, times in Seoul."""
    from workbench.pay.service import reviewer_rate_history

    history = reviewer_rate_history(wb, actor).sort_values(["effective_at", "language"], ascending=[False, True])
    return _seoul_times(history, ("effective_at", "created_at")).reset_index(drop=True)


def set_language_reviewer_rate(wb: "Workbench", actor: "Actor", language: str, won_per_minute: float | None,
                               effective_at: str | None) -> RateChange:
    """Add a reviewer rate (won per minute of audio reviewed) from ``effective_at`` on."""
    from workbench.pay.service import parse_effective_at, set_reviewer_rate

    won, at = whole_won(won_per_minute, "reviewer rate"), parse_effective_at(effective_at or "")
    set_reviewer_rate(wb, actor, language, won, at)
    return RateChange(won, at, reviewer_rate_table(wb, actor))


def project_bonus_table(wb: "Workbench", actor: "Actor") -> pd.DataFrame:
    """Every project bonus ever set, newest first, times in Seoul."""
    from workbench.pay.service import project_rate_history

    history = project_rate_history(wb, actor).sort_values(["effective_at", "project"], ascending=[False, True])
    return _seoul_times(history, ("effective_at", "created_at")).reset_index(drop=True)


def set_project_bonus(wb: "Workbench", actor: "Actor", project: str, won_per_minute: float | None,
                      effective_at: str | None, basis: str) -> RateChange:
    """Add a bonus per minute of ``basis`` audio for ``project`` (0 ends it)."""
    from workbench.pay.service import parse_effective_at, set_project_rate

    won, at = whole_won(won_per_minute, "bonus"), parse_effective_at(effective_at or "")
    set_project_rate(wb, actor, project, won, at, basis=basis)
    return RateChange(won, at, project_bonus_table(wb, actor))


# --- time on task -----------------------------------------------------------------------

TIME_VIEWS = {  # table: grouping
    "languages": ("role", "language"),
    "projects": ("role", "language", "project"),
    "workers": ("username", "role", "language"),
}


def time_on_task_tables(wb: "Workbench", actor: "Actor") -> dict[str, pd.DataFrame]:
    """Active time against pay per language, per project and per worker (admin only)."""
    from workbench.pay.service import time_on_task

    return {name: time_on_task(wb, actor, by=by) for name, by in TIME_VIEWS.items()}


# --- settlements ------------------------------------------------------------------------


def payday_choices(today: date, *, back: int = 3) -> list[str]:
    """The next payday on or after ``today`` and the ``back`` paydays before it, newest first."""
    from workbench.pay.calendar import next_payday, previous_payday

    paydays = [next_payday(today)]
    for _ in range(back):
        paydays.append(previous_payday(paydays[-1]))
    return [payday.isoformat() for payday in paydays]


@dataclass(frozen=True)
class SettlementRun:
    """A settlement as the admin page shows it."""

    summary: str
    workers: pd.DataFrame  # one row per worker (pay.reports.WORKER_REPORT_COLUMNS less payday)
    items: pd.DataFrame  # the work items paid


def run_settlement(wb: "Workbench", actor: "Actor", payday: str | None, *, commit: bool,
                   confirmed: bool = False) -> SettlementRun:
    """A dry run (``commit=False``) or the committed settlement of ``payday``; a commit only
    once the admin has ``confirmed`` that the dry run is right."""
    from workbench.pay import reports
    from workbench.pay.service import parse_payday, settle

    if commit and confirmed is not True:
        raise InvalidInput("Tick the box to confirm that the dry run is right before committing.")
    settlement = settle(wb, actor, parse_payday(payday or ""), commit=commit)
    workers = reports.worker_period_report(settlement.lines).drop(columns="payday")
    items = settlement.items.assign(minutes=(settlement.items["source_ms"] / 60000).astype(float).round(3))
    return SettlementRun(summary=settlement.summary(), workers=workers,
                         items=items[list(SETTLED_ITEM_COLUMNS)].reset_index(drop=True))


SETTLED_ITEM_COLUMNS = ("username", "task_id", "clip_name", "language", "project", "minutes", "rate",
                        "bonus_rate", "amount")


def settlement_history(wb: "Workbench", actor: "Actor") -> tuple[pd.DataFrame, "Figure"]:
    """Totals per committed payday (one that paid nobody included), and the chart of minutes
    and pay per period."""
    from workbench.pay.plots import plot_periods
    from workbench.pay.service import totals_report

    totals = totals_report(wb, actor)
    return totals, plot_periods(totals)


AUDIT_COLUMNS = ("when (Seoul)", "who", "action", "on", "detail")


def audit_rows(wb: "Workbench", actor: "Actor", task_id: float | None = None) -> list[list]:
    """The latest 200 state changes, newest first, or one task's whole story (``task_id``
    empty or 0: all)."""
    empty = task_id is None or task_id == 0 or (isinstance(task_id, float) and math.isnan(task_id))
    task = None if empty else task_id  # the Workbench refuses anything that cannot be a task id
    entries = wb.audit_log(actor, task_id=task, limit=200 if task is None else 10_000)
    return [[seoul_minute(e.at), e.actor or "system", e.action, f"{e.entity} #{e.entity_id}", e.describe()] for e in entries]


def _seoul_times(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return frame.assign(**{
        column: [seoul_minute(value) if value is not None and not pd.isna(value) else "" for value in frame[column]]
        for column in columns
    })
