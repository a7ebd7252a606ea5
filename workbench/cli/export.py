"""``workbench export``: accepted segments as a dataset."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import AS_ADMIN, acting_admin, fail_cleanly, open_workbench


@fail_cleanly
def export_dataset(
    fmt: str = typer.Option(..., "--format", help="nemo, hf (Hugging Face audiofolder), kaldi or csv."),
    out: Path = typer.Option(..., "--out", help="Directory to write; an earlier export there is replaced."),
    language: str = typer.Option(None, help="Only clips of this language (ko, en, zh, ja)."),
    project: str = typer.Option(None, help="Only clips of this project."),
    clip: list[int] = typer.Option(None, "--clip", help="Only this clip id; repeat for several."),
    audio: str = typer.Option("clean", help="clean (processed) or original audio."),
    sample_rate: str = typer.Option("16000", "--sample-rate", help="Hz, or 'original' for the source's own rate."),
    text: str = typer.Option("spelling", help="spelling, pronunciation or both (two columns)."),
    seed: int = typer.Option(0, help="Seed of the train/dev/test split."),
    splits: str = typer.Option("0.8,0.1,0.1", help="train,dev,test shares of each language's audio."),
    as_admin: str = AS_ADMIN,
) -> None:
    """Export accepted segments as a dataset, with a quality report in OUT/report/."""
    from workbench.export import run_export

    wb = open_workbench()
    result = run_export(wb, acting_admin(wb, as_admin), fmt=fmt, out_dir=out, language=language, project=project,
                        clip_ids=clip or None, audio=audio, sample_rate=sample_rate, text=text, seed=seed,
                        splits=splits)
    typer.echo(result.summary())
    for warning in result.warnings():
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"quality report: {result.out_dir / result.report}")


# --- serve / demo ------------------------------------------------------------------
