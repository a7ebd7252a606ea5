"""``workbench clips``: import clips and follow their processing and drafts."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench


clips_app = typer.Typer(no_args_is_help=True, help="Import and follow clips (admin).")


@clips_app.command("import")
@fail_cleanly
def clips_import(
    paths: list[Path] = typer.Argument(..., help="Audio or video files."),
    language: str = typer.Option(..., help="ko, en, zh or ja."),
    project: str = typer.Option(..., help="Project or client name."),
    priority: int = typer.Option(0, help="Higher is offered first."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Copy files into the data directory and queue their processing (run `workbench worker`)."""
    wb = open_workbench()
    actor = acting_admin(wb, as_admin)
    for path in paths:
        clip = wb.import_clip(actor, filename=path.name, source=path, language=language, project=project,
                              priority=priority)
        typer.echo(f"clip {clip.id}: {clip.filename} {clip.status}")


@clips_app.command("list")
@fail_cleanly
def clips_list(as_admin: str = AS_ADMIN) -> None:
    """Clips with their processing status."""
    wb = open_workbench()
    for c in wb.list_clips(acting_admin(wb, as_admin)):
        progress = f"{c.stage} {c.percent:.0f}%" if c.status == "processing" else (c.error or "")
        typer.echo(f"{c.id:>5} {c.status:<10} {c.language} {c.project:<16} {c.filename} "
                   f"{c.segment_count} segments {progress}{' · ' + c.draft_progress if c.draft_progress else ''}")


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
