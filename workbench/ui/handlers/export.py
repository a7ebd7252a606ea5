"""Export tab handlers: accepted segments as a dataset archive to download, with the options
``workbench export`` offers, through the same ``export.run_export``.

Each takes the Workbench and the acting user; ``run_export`` refuses anyone who is not an
admin, so calling these directly grants nothing.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.workflow.errors import InvalidInput
from workbench.workflow.limits import checked_id, checked_int

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

MAX_CLIP_IDS = 1_000


@dataclass(frozen=True)
class ExportDownload:
    summary: str
    archive: Path  # a zip inside ``work_dir``
    work_dir: Path  # temporary; remove it once the archive has been handed over
    warnings: tuple[str, ...] = ()  # e.g. a split that came out empty


def clip_id_list(text: str | None) -> list[int] | None:
    """``"12, 13"`` as clip ids; None for an empty box (no clip filter)."""
    if text is not None and not isinstance(text, str):
        raise InvalidInput("Clip ids are whole numbers, separated by commas or spaces.")
    words = [word for word in re.split(r"[\s,]+", text or "") if word]
    if len(words) > MAX_CLIP_IDS:
        raise InvalidInput(f"Export at most {MAX_CLIP_IDS:,} clips by id; leave the box empty for all.")
    if not all(word.isascii() and word.isdigit() for word in words):
        raise InvalidInput("Clip ids are whole numbers, separated by commas or spaces.")
    return [checked_id(int(word), "clip") for word in words] or None


def _text(value: object) -> str:
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidInput("Choose the sample rate and the splits from the form.")
    return value.strip()


def export_dataset(wb: "Workbench", actor: "Actor", *, fmt: str, language: str | None = None,
                   project: str | None = None, clip_ids: str | None = "", audio: str = "clean",
                   sample_rate: str = "16000", text: str = "spelling", splits: str = "0.8,0.1,0.1",
                   seed: float | int | None = 0) -> ExportDownload:
    """Export accepted segments into a temporary directory and zip them for download, with
    the options ``workbench export`` offers, through the same ``run_export``. ``clip_ids``
    is typed (``"12, 13"``; empty: every clip of the language and project).

    Nothing is left behind on failure; on success the caller removes ``work_dir``.
    """
    from workbench.export.run import run_export

    options = dict(fmt=fmt, language=language or None, project=project or None, clip_ids=clip_id_list(clip_ids),
                   audio=audio, sample_rate=_text(sample_rate), text=text, splits=_text(splits),
                   seed=checked_int(seed, "seed", low=0))
    work_dir = Path(tempfile.mkdtemp(prefix="workbench-export-"))
    try:
        result = run_export(wb, actor, out_dir=work_dir / "dataset", **options)
        # Checked by run_export by now; a project's slashes must not make a path.
        parts = ("dataset", options["fmt"], options["language"], options["project"])
        name = re.sub(r"[^\w.-]+", "_", "-".join(part for part in parts if part))
        archive = Path(shutil.make_archive(str(work_dir / name), "zip", root_dir=result.out_dir))
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    counts = ", ".join(f"{split} {count}" for split, count in result.split_segments.items())
    summary = (f"Exported {result.segments} segment(s) from {result.clips} clip(s), "
               f"{result.seconds / 60:.1f} minutes of audio ({counts}).")
    if result.skipped_no_speech:
        summary += f" {result.skipped_no_speech} no-speech segment(s) left out."
    return ExportDownload(summary=summary, archive=archive, work_dir=work_dir, warnings=tuple(result.warnings()))
