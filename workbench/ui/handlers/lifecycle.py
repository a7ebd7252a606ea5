"""Admin handlers of the clip lifecycle and the task screen: withdraw, correct and dismiss a
clip; the task table, release and reassign, and each transcriber's throughput.

Each takes the Workbench and the acting user and returns plain values; the Workbench refuses
anyone who is not an admin, so calling these directly grants nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from workbench.domain.times import seoul_minute
from workbench.workflow.errors import InvalidInput
from workbench.workflow.limits import checked_id

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor, ClipView, TaskSummary, WorkerThroughput
    from workbench.workflow.service import Workbench

CLIP_ACTIONS = ("withdraw", "correct", "dismiss")


def lifecycle_note(clip: "ClipView") -> str:
    """What the clip list says about a clip's lifecycle: withdrawn, sent back, dismissed, or ""."""
    if clip.withdrawn_at is not None:
        return f"withdrawn {seoul_minute(clip.withdrawn_at)}"
    if clip.language_report_by is not None:
        return (f"sent back by {clip.language_report_by} {seoul_minute(clip.language_report_at)}: "
                f"not {clip.language} — correct its language")
    if clip.dismissed_at is not None:
        return "dismissed"
    return ""


def clip_action(wb: "Workbench", actor: "Actor", clip_id: float | None, action: str, *, reason: str,
                language: str | None = None, project: str | None = None) -> "ClipView":
    """Withdraw, correct (language and/or project; unchanged values are left alone) or
    dismiss clip ``clip_id``."""
    if clip_id is None:
        raise InvalidInput("Give the clip's number.")
    clip_id = checked_id(clip_id, "clip")
    if action == "withdraw":
        return wb.withdraw_clip(actor, clip_id, reason=reason)
    if action == "correct":
        return wb.correct_clip(actor, clip_id, language=language or None, project=(project or "").strip() or None,
                               reason=reason)
    if action == "dismiss":
        return wb.dismiss_clip(actor, clip_id)
    raise InvalidInput(f"Unknown clip action {action!r}; choose one of {', '.join(CLIP_ACTIONS)}.")


def clip_action_message(clip: "ClipView", action: str) -> str:
    if action == "withdraw":
        return f"Clip #{clip.id} ({clip.filename}) is withdrawn: its task left every queue."
    if action == "dismiss":
        return f"Clip #{clip.id} ({clip.filename}) is dismissed from the list (kept in the store)."
    return (f"Clip #{clip.id} ({clip.filename}) is now {clip.language}, project {clip.project}; "
            f"its task is {(clip.task_state or 'not made yet').replace('_', ' ')}.")


TASK_COLUMNS = ("task", "clip", "project", "language", "state", "holder", "clip minutes", "segments done",
                "claimed (Seoul)")


def task_rows(tasks: Sequence["TaskSummary"]) -> list[list]:
    """One row per task: clip, language, state, who holds it and the clip's duration."""
    rows = []
    for t in tasks:
        holder = t.reviewer if t.state == "in_review" else t.transcriber
        progress = t.progress  # the count the queue label and the task page's header show
        rows.append([t.id, t.clip_name, t.project, t.language, t.state.replace("_", " "), holder or "—",
                     f"{t.clip_duration / 60:.1f}" if t.clip_duration else "—",
                     f"{progress['done']}/{progress['total']}", seoul_minute(t.claimed_at) if t.claimed_at else "—"])
    return rows


def list_tasks(wb: "Workbench", actor: "Actor", state: str | None, language: str | None) -> list["TaskSummary"]:
    return wb.list_tasks(actor, state=state or None, language=language or None)


def release_or_reassign(wb: "Workbench", actor: "Actor", task_id: float | None, *, to: str | None,
                        reason: str) -> str:
    """Release task ``task_id`` (no ``to``) or give it to transcriber ``to``; says what happened."""
    if task_id is None:
        raise InvalidInput("Give the task's number.")
    task_id = checked_id(task_id, "task")
    if to and to.strip():
        task = wb.reassign_task(actor, task_id, username=to.strip(), reason=reason)
        return f"Task {task.id} ({task.clip_name}) now belongs to {task.transcriber}."
    task = wb.release_task(actor, task_id, reason=reason)
    return f"Task {task.id} ({task.clip_name}) is released: {task.state.replace('_', ' ')}."


THROUGHPUT_COLUMNS = ("transcriber", "tasks submitted", "audio min submitted", "audio min accepted",
                      "submitted min/day", "accepted min/day", "hours on task", "audio min per hour on task")


def throughput_rows(figures: Sequence["WorkerThroughput"]) -> list[list]:
    return [[f.username, f.tasks_submitted, round(f.submitted_minutes, 1), round(f.accepted_minutes, 1),
             round(f.submitted_per_day, 1), round(f.accepted_per_day, 1), round(f.active_hours, 2),
             "—" if f.submitted_per_hour is None else round(f.submitted_per_hour, 1)]
            for f in figures]
