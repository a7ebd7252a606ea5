"""What every command shares: clean one-line errors, the Workbench it opens and the admin it acts as."""

from __future__ import annotations

import functools

import typer

AS_ADMIN = typer.Option(None, "--as", help="Admin account to act as (default: the first admin).")


def fail_cleanly(command):
    """Report bad input (a WorkbenchError or an AudioError), a bad setting, and a data
    directory or database that cannot be used (read-only, missing, not ours) as a one-line
    message and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        import sqlite3

        from sqlalchemy.exc import OperationalError

        from workbench.audio.errors import AudioError
        from workbench.config import SettingsError
        from workbench.drafts.errors import DraftEngineError
        from workbench.workflow.errors import WorkbenchError

        try:
            return command(*args, **kwargs)
        except (WorkbenchError, AudioError, SettingsError, DraftEngineError) as error:
            message = str(error)
        except OperationalError as error:
            message = f"cannot use the database: {error.orig}"
        except sqlite3.OperationalError as error:  # the huey queue's own SQLite file, opened first
            message = f"cannot use the queue's database: {error}"
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            message = f"{error.strerror or error}{where}"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1)

    return run


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
