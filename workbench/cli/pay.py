"""``workbench pay``: settlements, statements, rates and reports."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench


pay_app = typer.Typer(no_args_is_help=True, help="Pay: settlements, statements, rates and reports (admin).")
pay_rates_app = typer.Typer(no_args_is_help=True, help="Won per audio minute: per language, and project bonuses.")
pay_app.add_typer(pay_rates_app, name="rates")
SEOUL_TIME = "date-time, e.g. 2026-12-01T14:00 (Asia/Seoul unless it carries an offset)"


@pay_app.command("settle")
@fail_cleanly
def pay_settle(
    payday: str = typer.Option(..., help="The payday, e.g. 2026-11-30."),
    commit: bool = typer.Option(False, "--commit", help="Record it for good (default: a dry run)."),
    minimum_payout: int = typer.Option(5000, help="Smallest net amount paid, in won; less carries over."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Settle a payday and print each worker's line; --commit records it."""
    from workbench.pay.service import parse_payday, settle

    wb = open_workbench()
    settlement = settle(wb, acting_admin(wb, as_admin), parse_payday(payday), commit=commit,
                        minimum_payout=minimum_payout)
    typer.echo(settlement.describe())


@pay_app.command("statement")
@fail_cleanly
def pay_statement(
    username: str,
    out: Path = typer.Option(None, "--out", help="Also write it to a .xlsx or .csv file."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print USERNAME's statement: settlements, then every item with its rate and penalties."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import review_statement, statement, statement_lines, write_statement

    wb = open_workbench()
    actor = acting_admin(wb, as_admin)
    lines, items = statement_lines(wb, actor, username), statement(wb, actor, username)
    if out is not None:
        typer.echo(f"wrote {write_statement(lines, items, out)}")
    typer.echo(f"Settlements of {username}:\n{format_table(lines)}\n")
    typer.echo(f"Items:\n{format_table(items)}")
    reviews = review_statement(wb, actor, username)
    if len(reviews):
        typer.echo(f"\nReview rounds:\n{format_table(reviews)}")


@pay_app.command("report")
@fail_cleanly
def pay_report(
    out: Path = typer.Argument(..., help="A .xlsx file (every report) or a .csv file (one report)."),
    table: str = typer.Option("workers", help="For .csv: workers, languages or totals."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Export the pay reports of every committed settlement."""
    from workbench.pay.service import export_report

    wb = open_workbench()
    typer.echo(f"wrote {export_report(wb, acting_admin(wb, as_admin), out, table=table)}")


@pay_app.command("time")
@fail_cleanly
def pay_time(
    by: str = typer.Option("username,role,language",
                           help="Group by some of username, role, language, project (comma-separated)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print active time on paid work per group: minutes per audio minute and hourly pay
    against the minimum wage."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import time_on_task

    wb = open_workbench()
    groups = tuple(part.strip() for part in by.split(",") if part.strip())
    typer.echo(format_table(time_on_task(wb, acting_admin(wb, as_admin), by=groups)))


@pay_rates_app.command("set")
@fail_cleanly
def pay_rates_set(
    language: str,
    won_per_minute: int,
    effective_at: str = typer.Option(..., "--from", help=f"When it takes effect: {SEOUL_TIME}."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Set LANGUAGE's rate to WON_PER_MINUTE from a date-time on (earlier work keeps its rate)."""
    from workbench.pay.service import set_rate

    _set_language_rate(set_rate, language, won_per_minute, effective_at, as_admin)


@pay_rates_app.command("review")
@fail_cleanly
def pay_rates_review(
    language: str,
    won_per_minute: int,
    effective_at: str = typer.Option(..., "--from", help=f"When it takes effect: {SEOUL_TIME}."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Pay reviewers of LANGUAGE WON_PER_MINUTE per minute of audio reviewed, from a date-time on."""
    from workbench.pay.service import set_reviewer_rate

    _set_language_rate(set_reviewer_rate, language, won_per_minute, effective_at, as_admin)


def _set_language_rate(setter, language: str, won_per_minute: int, effective_at: str, as_admin: str) -> None:
    """Run a pay.service rate setter as the admin and print the history it returns."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import parse_effective_at

    wb = open_workbench()
    typer.echo(format_table(setter(wb, acting_admin(wb, as_admin), language, won_per_minute,
                                   parse_effective_at(effective_at))))


@pay_rates_app.command("bonus")
@fail_cleanly
def pay_rates_bonus(
    project: str,
    won_per_minute: int,
    basis: str = typer.Option("source", help="Minutes the bonus pays: source (the clip) or speech."),
    effective_at: str = typer.Option(..., "--from", help=f"When it takes effect: {SEOUL_TIME}."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Give PROJECT a bonus of WON_PER_MINUTE on top of the language rate (0 ends it)."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import parse_effective_at, set_project_rate

    wb = open_workbench()
    typer.echo(format_table(set_project_rate(wb, acting_admin(wb, as_admin), project, won_per_minute,
                                             parse_effective_at(effective_at), basis=basis)))


@pay_rates_app.command("list")
@fail_cleanly
def pay_rates_list(as_admin: str = AS_ADMIN) -> None:
    """Print every rate and project bonus ever set."""
    from workbench.pay.reports import format_table
    from workbench.pay.service import project_rate_history, rate_history, reviewer_rate_history

    wb = open_workbench()
    actor = acting_admin(wb, as_admin)
    typer.echo(f"Rates:\n{format_table(rate_history(wb, actor))}\n")
    typer.echo(f"Project bonuses:\n{format_table(project_rate_history(wb, actor))}\n")
    typer.echo(f"Reviewer rates:\n{format_table(reviewer_rate_history(wb, actor))}")


# --- export ------------------------------------------------------------------------
