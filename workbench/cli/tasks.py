"""``workbench tasks`` and ``workbench audit``: tasks, and who changed what."""

from __future__ import annotations

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench
from workbench.cli.table import print_rows


tasks_app = typer.Typer(no_args_is_help=True, help="Tasks (admin).")


@tasks_app.command("list")
@fail_cleanly
def tasks_list(
    state: str = typer.Option(None, help="open, in_progress, submitted, in_review, returned, complete or held."),
    language: str = typer.Option(None),
    project: str = typer.Option(None),
    as_admin: str = AS_ADMIN,
) -> None:
    """Tasks with their state, people and segment counts."""
    wb = open_workbench()
    print_rows(wb.list_tasks(acting_admin(wb, as_admin), state=state, language=language, project=project), task_row)


def task_row(t) -> str:
    """A ``tasks list`` line: id, state, language, priority, project, clip, people, segments by status."""
    counts = " ".join(f"{k}={v}" for k, v in sorted(t.counts.items()))
    return (f"{t.id:>5} {t.state:<11} {t.language} p{t.priority} {t.project:<16} {t.clip_name} "
            f"transcriber={t.transcriber or '-'} reviewer={t.reviewer or '-'} {counts}")


@tasks_app.command("release")
@fail_cleanly
def tasks_release(task_id: int, reason: str = typer.Option(..., help="Why (kept in the audit log)."),
                  as_admin: str = AS_ADMIN) -> None:
    """Take a task back from a worker who left: it is offered again (text and history kept)."""
    wb = open_workbench()
    task = wb.release_task(acting_admin(wb, as_admin), task_id, reason=reason)
    typer.echo(f"task {task.id}: {task.state}")


@tasks_app.command("reassign")
@fail_cleanly
def tasks_reassign(task_id: int, to: str = typer.Option(..., help="The transcriber's username."),
                   reason: str = typer.Option(..., help="Why (kept in the audit log)."),
                   as_admin: str = AS_ADMIN) -> None:
    """Give an open or held task to another transcriber of its language (text and history kept)."""
    wb = open_workbench()
    task = wb.reassign_task(acting_admin(wb, as_admin), task_id, username=to, reason=reason)
    typer.echo(f"task {task.id}: {task.state} transcriber={task.transcriber}")


@fail_cleanly
def audit(
    task: int = typer.Option(None, help="Only this task's story, from its import on."),
    limit: int = typer.Option(50, help="How many changes, newest first."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Who changed what and when (Seoul time), newest first (admin)."""
    wb = open_workbench()
    print_rows(wb.audit_log(acting_admin(wb, as_admin), task_id=task, limit=limit), audit_row)


def audit_row(entry) -> str:
    """An ``audit`` line: when (Seoul time), who, what, on what, and the detail."""
    from workbench.domain.times import seoul_minute

    return (f"{seoul_minute(entry.at)}  {entry.actor or 'system':<14} {entry.action:<28} "
            f"{entry.entity} #{entry.entity_id}  {entry.describe()}".rstrip())


# --- pay ---------------------------------------------------------------------------

pay_app = typer.Typer(no_args_is_help=True, help="Pay: settlements, statements, rates and reports (admin).")
pay_rates_app = typer.Typer(no_args_is_help=True, help="Won per audio minute: per language, and project bonuses.")
