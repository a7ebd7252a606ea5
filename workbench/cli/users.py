"""``workbench users``: accounts and applications."""

from __future__ import annotations

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench
from workbench.cli.table import print_rows


users_app = typer.Typer(no_args_is_help=True, help="Accounts and applications (admin).")


@users_app.command("add")
@fail_cleanly
def users_add(
    username: str,
    name: str = typer.Option(..., help="Full name."),
    role: list[str] = typer.Option(..., help="admin, reviewer or transcriber; repeat for several."),
    language: str = typer.Option(None, help="The worker's one language: ko, en, zh or ja."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    as_admin: str = AS_ADMIN,
) -> None:
    """Create an approved account (the first account needs no admin: it bootstraps one)."""
    wb = open_workbench()
    actor = acting_admin(wb, as_admin) if wb.first_admin() else None
    user = wb.create_user(actor, username=username, password=password, name=name, roles=set(role),
                          language=language)
    typer.echo(f"created {user.username} ({', '.join(sorted(user.roles))}{', ' + user.language if user.language else ''})")


@users_app.command("approve")
@fail_cleanly
def users_approve(
    username: str,
    reject: bool = typer.Option(False, "--reject", help="Reject instead of approving."),
    reason: str = typer.Option("", help="Why (required for a rejection)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Approve (or --reject) the pending application of USERNAME."""
    wb = open_workbench()
    actor = acting_admin(wb, as_admin)
    application = wb.pending_application_of(actor, username)
    decided = wb.decide_application(actor, application.id, approve=not reject, reason=reason)
    typer.echo(f"{decided.username}: {decided.status}")


@users_app.command("deactivate")
@fail_cleanly
def users_deactivate(
    username: str,
    reason: str = typer.Option(..., help="Why (kept in the audit log)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Close USERNAME's account: signed out everywhere, held tasks offered again, history kept."""
    wb = open_workbench()
    closed = wb.deactivate_user(acting_admin(wb, as_admin), username, reason=reason)
    tasks = ", ".join(str(task) for task in closed.released_tasks) or "none"
    typer.echo(f"{closed.user.username}: {closed.user.status}; sessions ended: {closed.sessions_ended}; "
               f"tasks offered again: {tasks}")


@users_app.command("reactivate")
@fail_cleanly
def users_reactivate(
    username: str,
    reason: str = typer.Option(..., help="Why (kept in the audit log)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Reopen USERNAME's closed account."""
    wb = open_workbench()
    user = wb.reactivate_user(acting_admin(wb, as_admin), username, reason=reason)
    typer.echo(f"{user.username}: {user.status}")


@users_app.command("list")
@fail_cleanly
def users_list(as_admin: str = AS_ADMIN) -> None:
    """Workers with their grade and task limit, then pending applications."""
    wb = open_workbench()
    actor = acting_admin(wb, as_admin)
    print_rows(wb.list_workers(actor), worker_row)
    print_rows(wb.list_applications(actor), application_row)


def worker_row(w) -> str:
    """A ``users list`` line: who, roles, language, status, grade and limit, held, return rate, penalties."""
    rate = "-" if w.return_rate is None else f"{w.return_rate:.0%}"
    return (f"{w.username:<16} {','.join(sorted(w.roles)):<22} {w.language or '-':<3} {w.status:<9} "
            f"grade {w.grade:<4} max {w.max_tasks} held {w.tasks_held} returned {rate} "
            f"penalties {w.penalties} ({w.penalties_won} won)")


def application_row(a) -> str:
    return f"pending application #{a.id}: {a.username} ({a.name}, {a.language}, document {a.document_name})"
