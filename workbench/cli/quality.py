"""``workbench quality``: the defect-rate rules, the rework deadline, suspensions and senior
reviewers (workflow/quality.py, workflow/reviewer_checks.py)."""

from __future__ import annotations

from datetime import date

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench
from workbench.cli.table import print_rows

quality_app = typer.Typer(no_args_is_help=True, help="Quality rules: checks, suspensions, senior reviewers (admin).")


@quality_app.command("run")
@fail_cleanly
def quality_run(
    day: str = typer.Option(None, "--day", help="Judge this Seoul day (YYYY-MM-DD; default: the last days not judged)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Release overdue rework, then judge the days not judged yet (what the worker's sweep runs)."""
    try:
        one = date.fromisoformat(day) if day else None
    except ValueError:
        raise typer.BadParameter(f"{day!r} is not a day like 2026-03-01") from None
    wb = open_workbench()
    admin = acting_admin(wb, as_admin)
    released = wb.expire_rework(admin)
    typer.echo(f"{len(released)} overdue rework task(s) released")
    print_rows(wb.run_quality_rules(admin, day=one), step_row)


def step_row(action) -> str:
    """A ``quality run`` line: the step the rules took, on whom, where, and why."""
    return f"{action.kind} {action.username} {action.project} ({action.role}): {action.reason}"


@quality_app.command("list")
@fail_cleanly
def quality_list(
    username: str = typer.Option(None, "--user", help="Only this worker's."),
    open_only: bool = typer.Option(False, "--open", help="Only those not lifted."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print warnings, suspensions and unfixed marks, newest first."""
    wb = open_workbench()
    print_rows(wb.quality_actions(acting_admin(wb, as_admin), username=username, open_only=open_only), action_row)


def action_row(a) -> str:
    """A ``quality list`` line: id, step, on whom, where, open or lifted, the segments, why."""
    state = "open" if a.open else f"lifted by {a.lifted_by}: {a.lift_reason}"
    segments = ",".join(map(str, a.segment_ids)) or "-"
    return f"{a.id} {a.kind} {a.username} {a.project} {a.role} [{state}] segments {segments}: {a.reason}"


@quality_app.command("lift")
@fail_cleanly
def quality_lift(
    suspension: int = typer.Argument(..., help="The suspension's id (see `workbench quality list`)."),
    reason: str = typer.Option(..., "--reason", help="Why it is lifted (kept in the audit log)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Lift a suspension, with a reason."""
    wb = open_workbench()
    lifted = wb.lift_suspension(acting_admin(wb, as_admin), suspension, reason=reason)
    typer.echo(f"lifted suspension {lifted.id} of {lifted.username} in {lifted.project}")


@quality_app.command("senior")
@fail_cleanly
def quality_senior(
    username: str = typer.Argument(..., help="The reviewer."),
    revoke: bool = typer.Option(False, "--revoke", help="Take the senior role back instead."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Grant (or take back) the senior reviewer role."""
    wb = open_workbench()
    admin = acting_admin(wb, as_admin)
    if revoke:
        wb.revoke_senior(admin, username)
        typer.echo(f"{username} is no longer a senior reviewer")
    else:
        wb.grant_senior(admin, username)
        typer.echo(f"{username} is a senior reviewer")


@quality_app.command("accuracy")
@fail_cleanly
def quality_accuracy(
    username: str = typer.Option(None, "--user", help="Only this reviewer's."),
    project: str = typer.Option(None, "--project", help="Only this project's."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print each reviewer's accuracy per project (checked verdicts a senior or gold confirmed)
    and whether it limits how much they may review there."""
    wb = open_workbench()
    print_rows(wb.reviewer_accuracy(acting_admin(wb, as_admin), username=username, project=project), accuracy_row)


def accuracy_row(s) -> str:
    """A ``quality accuracy`` line: a reviewer's confirmed verdicts in one project, and the limit."""
    accuracy = "-" if s.accuracy is None else f"{s.accuracy:.0%}"
    where = s.project if s.project is not None else "(nothing checked yet)"
    return (f"{s.username} {s.language or '-'} {where}: {s.confirmed}/{s.checked} confirmed, "
            f"accuracy {accuracy}{', limited' if s.limited else ''}{' (senior)' if s.senior else ''}")
