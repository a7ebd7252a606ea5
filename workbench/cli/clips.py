"""``workbench clips``: import clips and follow their processing and drafts."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench
from workbench.cli.table import print_rows


clips_app = typer.Typer(no_args_is_help=True, help="Import and follow clips (admin).")


@clips_app.command("import")
@fail_cleanly
def clips_import(
    paths: list[Path] = typer.Argument(..., help="Audio or video files."),
    language: str = typer.Option(..., help="ko, en, zh or ja."),
    project: str = typer.Option(..., help="Project or client name."),
    priority: int = typer.Option(0, help="Higher is offered first."),
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate",
                                         help="Import a file even when a clip with the same content exists."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Copy files into the data directory and queue their processing (run `workbench worker`).
    A file with the same content as a clip not withdrawn is refused (exit 1) unless
    --allow-duplicate; the other files are imported."""
    from workbench.workflow.errors import DuplicateClip

    wb = open_workbench()
    actor = acting_admin(wb, as_admin)
    refused = 0
    for path in paths:
        try:
            clip = wb.import_clip(actor, filename=path.name, source=path, language=language, project=project,
                                  priority=priority, allow_duplicate=allow_duplicate)
        except DuplicateClip as error:
            refused += 1
            typer.echo(f"not imported: {error} (--allow-duplicate imports it)", err=True)
            continue
        typer.echo(f"clip {clip.id}: {clip.filename} {clip.status}")
    if refused:
        raise typer.Exit(1)


@clips_app.command("list")
@fail_cleanly
def clips_list(show_all: bool = typer.Option(False, "--all", help="Dismissed clips too."),
               as_admin: str = AS_ADMIN) -> None:
    """Clips with their processing status."""
    wb = open_workbench()
    print_rows(wb.list_clips(acting_admin(wb, as_admin), include_dismissed=show_all), clip_row)


def clip_row(c) -> str:
    """A ``clips list`` line: id, status, language, project, file, segments, then the stage
    while processing (else the error, if any) and the drafting's progress."""
    progress = f"{c.stage} {c.percent:.0f}%" if c.status == "processing" else (c.error or "")
    drafts = f" · {c.draft_progress}" if c.draft_progress else ""
    return (f"{c.id:>5} {c.status:<10} {c.language} {c.project:<16} {c.filename} "
            f"{c.segment_count} segments {progress}{drafts}")


@clips_app.command("draft")
@fail_cleanly
def clips_draft(clip_id: int, as_admin: str = AS_ADMIN) -> None:
    """Queue a processed clip's machine drafts (again); typed segments are left alone."""
    wb = open_workbench()
    clip = wb.redraft_clip(acting_admin(wb, as_admin), clip_id)
    typer.echo(f"clip {clip.id}: {clip.draft_progress}")


@clips_app.command("retry")
@fail_cleanly
def clips_retry(clip_id: int, as_admin: str = AS_ADMIN) -> None:
    """Queue a failed clip again."""
    wb = open_workbench()
    clip = wb.retry_clip(acting_admin(wb, as_admin), clip_id)
    typer.echo(f"clip {clip.id}: {clip.status}")


@clips_app.command("withdraw")
@fail_cleanly
def clips_withdraw(clip_id: int, reason: str = typer.Option(..., help="Why (kept in the audit log)."),
                   as_admin: str = AS_ADMIN) -> None:
    """Withdraw a clip: its task leaves every queue and its media is no longer served."""
    wb = open_workbench()
    clip = wb.withdraw_clip(acting_admin(wb, as_admin), clip_id, reason=reason)
    typer.echo(f"clip {clip.id}: withdrawn")


@clips_app.command("correct")
@fail_cleanly
def clips_correct(clip_id: int, language: str = typer.Option(None, help="The right language."),
                  project: str = typer.Option(None, help="The right project."),
                  reason: str = typer.Option(..., help="Why (kept in the audit log)."),
                  as_admin: str = AS_ADMIN) -> None:
    """Correct a clip's language or project before any work is done on it."""
    wb = open_workbench()
    clip = wb.correct_clip(acting_admin(wb, as_admin), clip_id, language=language, project=project, reason=reason)
    typer.echo(f"clip {clip.id}: {clip.language} {clip.project} task {clip.task_state or '-'}")
