"""``workbench gold``: gold references and the scores of the gold copies (workflow/gold.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.domain.times import seoul_minute
from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench
from workbench.cli.table import print_rows

gold_app = typer.Typer(no_args_is_help=True, help="Gold work: references, and the scores of the copies (admin).")


@gold_app.command("mark")
@fail_cleanly
def gold_mark(
    clip: int = typer.Option(None, "--clip", help="Make every accepted segment of this clip gold."),
    segment: list[int] = typer.Option([], "--segment", help="Make this accepted segment gold (repeat)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Make accepted segments (or a whole clip's) gold references."""
    wb = open_workbench()
    marked = wb.mark_gold(acting_admin(wb, as_admin), clip_id=clip, segment_ids=segment)
    typer.echo(f"{marked} segment(s) made gold")


@gold_app.command("unmark")
@fail_cleanly
def gold_unmark(
    segment: list[int] = typer.Option(..., "--segment", help="A gold segment to un-mark (repeat)."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Take the gold mark off segments: no new copy is scored against them; scores given stay."""
    wb = open_workbench()
    unmarked = wb.unmark_gold(acting_admin(wb, as_admin), segment_ids=segment, reason=reason)
    typer.echo(f"{unmarked} segment(s) no longer gold")


@gold_app.command("import")
@fail_cleanly
def gold_import(
    output_dir: Path = typer.Argument(..., help="A processed clip's folder (clean.flac, original.flac)."),
    references: Path = typer.Option(..., "--references", help="CSV (start,end,text) or JSON of the reference."),
    language: str = typer.Option(..., help="ko, en, zh or ja."),
    project: str = typer.Option(..., help="The project whose work it checks."),
    name: str = typer.Option(None, help="The clip's file name (default: the folder's name)."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Import a processed clip with its reference transcript as gold (never offered as work)."""
    from workbench.workflow.gold import read_references

    wb = open_workbench()
    clip = wb.import_gold_clip(acting_admin(wb, as_admin), filename=name or output_dir.name, language=language,
                               project=project, references=read_references(references), output_dir=output_dir)
    typer.echo(f"imported clip {clip.id} with {clip.segment_count} gold segment(s)")


@gold_app.command("scores")
@fail_cleanly
def gold_scores(
    username: str = typer.Option(None, "--user", help="Only this worker's scores."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Print gold scores, newest first: worker, project, CER, WER, tags, notation, passed."""
    wb = open_workbench()
    print_rows(wb.gold_scores(acting_admin(wb, as_admin), username=username), score_row)


def score_row(s) -> str:
    """A ``gold scores`` line: when (Seoul time), who, where, which segment, the scores, passed."""
    wer = "-" if s.wer is None else f"{s.wer:.3f}"
    return (f"{seoul_minute(s.scored_at)} {s.username} {s.project} {s.language} segment {s.segment_id} "
            f"cer {s.cer:.3f} wer {wer} tags {'ok' if s.tags_match else 'wrong'} "
            f"notation {'ok' if s.notation_match else 'wrong'} {'passed' if s.passed else 'failed'}")
