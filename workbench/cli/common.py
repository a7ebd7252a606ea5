"""What every command shares: clean one-line errors, the Workbench it opens and the admin it acts as."""

from __future__ import annotations

import functools
import sys

import typer

AS_ADMIN = typer.Option(None, "--as", help="Admin account to act as (default: the first admin).")


def fail_cleanly(command):
    """Report bad input (a WorkbenchError or an AudioError), a bad setting, and a data
    directory or database that cannot be used (read-only, missing, not ours) as a one-line
    message and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Exception as error:
            message = one_line(error)
            if message is None:
                raise
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1)

    return run


def one_line(error: Exception) -> str | None:
    """The one-line message ``fail_cleanly`` prints for ``error``, or None for an error it
    lets through (a bug, shown with its traceback).

    SQLAlchemy's and the drafts package's errors are looked up only if their modules are
    loaded, since no error of theirs can exist otherwise: importing them to ask cost
    ``workbench process``, which uses neither, 0.2 s of its start (sqlalchemy.exc 0.14 s,
    the drafts package 0.07 s).
    """
    import sqlite3

    from workbench.audio.errors import AudioError
    from workbench.config import SettingsError
    from workbench.workflow.errors import WorkbenchError

    drafts = sys.modules.get("workbench.drafts.errors")
    if isinstance(error, (WorkbenchError, AudioError, SettingsError)) or (
            drafts is not None and isinstance(error, drafts.DraftEngineError)):
        return str(error)
    database = sys.modules.get("sqlalchemy.exc")
    if database is not None and isinstance(error, database.OperationalError):
        return f"cannot use the database: {error.orig}"
    if isinstance(error, sqlite3.OperationalError):  # the huey queue's own SQLite file, opened first
        return f"cannot use the queue's database: {error}"
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    return None


def open_workbench():
    """The Workbench over WORKBENCH_DATA_DIR, with files created private to this user."""
    from workbench.config import keep_files_private
    from workbench.worker import open_queued

    keep_files_private()
    return open_queued()


def acting_admin(wb, username: str | None):
    """The admin the command acts as: the CLI runs on the server, so it may act as any admin."""
    actor = wb.actor(username) if username else wb.first_admin()
    if actor is None or not actor.is_admin:
        raise typer.BadParameter("no admin account: create one with `workbench users add NAME --role admin`")
    return actor
