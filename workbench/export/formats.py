"""Manifest writers: NeMo JSONL, Hugging Face audiofolder, Kaldi data directories, CSV.

Each writer takes the planned ``ExportItem``s (audio already written) and writes text
files only. Rows are ordered by utterance id and every file is UTF-8 with ``\\n`` line
ends, so the same export always gives byte-identical manifests.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.export.segment import ExportSegment
from workbench.export.splits import SPLIT_NAMES

FORMATS: tuple[str, ...] = ("nemo", "hf", "kaldi", "csv")
# The folder names `datasets` maps to its train/validation/test splits.
HF_SPLIT_DIRS = {"train": "train", "dev": "validation", "test": "test"}


@dataclass(frozen=True)
class ExportItem:
    """One exported utterance: its segment, split, text column(s) and written audio.

    ``audio_file`` is relative to the export directory: the segment's own FLAC, or for
    Kaldi the whole recording's WAV. ``start``/``end`` are the exported bounds on the clip
    in whole milliseconds, clamped to the recording; ``duration`` is the cut audio's length.
    """

    segment: ExportSegment
    split: str
    texts: dict[str, str]
    audio_file: str
    start_ms: int
    end_ms: int
    duration: float

    @property
    def utterance_id(self) -> str:
        return self.segment.utterance_id


def segment_audio_file(fmt: str, split: str, utterance: str) -> str:
    """Where a format keeps one segment's audio, relative to the export directory."""
    if fmt == "hf":
        return f"{HF_SPLIT_DIRS[split]}/audio/{utterance}.flac"
    return f"audio/{utterance}.flac"


def recording_audio_file(recording: str) -> str:
    return f"wav/{recording}.wav"


def _by_split(items: Sequence[ExportItem]) -> dict[str, list[ExportItem]]:
    grouped: dict[str, list[ExportItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.utterance_id.encode()):
        grouped[item.split].append(item)
    return {name: grouped[name] for name in SPLIT_NAMES if grouped[name]}


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _seconds(ms: int) -> float:
    return ms / 1000


def write_nemo(items: Sequence[ExportItem], root: Path, final_root: Path) -> list[str]:
    """``<split>_manifest.jsonl``: one JSON object per line, audio paths relative to it.

    NeMo resolves a relative ``audio_filepath`` against the manifest's directory. The clip
    bounds are ``clip_start``/``clip_end`` (never ``offset``, which NeMo would seek by).
    The language is written twice: ``lang`` is the key NeMo's datasets read, ``language``
    the one this workbench's other formats use.
    """
    written = []
    for split, rows in _by_split(items).items():
        lines = []
        for item in rows:
            seg = item.segment
            record = {
                "audio_filepath": item.audio_file,
                "duration": round(item.duration, 6),
                **item.texts,
                "lang": seg.language,
                "language": seg.language,
                "utterance_id": item.utterance_id,
                "clip_id": seg.clip_id,
                "clip_start": _seconds(item.start_ms),
                "clip_end": _seconds(item.end_ms),
                "project": seg.project,
            }
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        name = f"{split}_manifest.jsonl"
        _write_text(root / name, "".join(lines))
        written.append(name)
    return written


def _csv_text(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _hf_text_columns(texts: dict[str, str]) -> dict[str, str]:
    return {name.replace("text", "transcription", 1): value for name, value in texts.items()}


def write_hf(items: Sequence[ExportItem], root: Path, final_root: Path) -> list[str]:
    """``train/``, ``validation/``, ``test/``, each with ``metadata.csv`` beside ``audio/``.

    That is the layout ``datasets.load_dataset("audiofolder", data_dir=...)`` reads as
    three splits; ``file_name`` is relative to the split's folder.
    """
    written = []
    for split, rows in _by_split(items).items():
        folder = HF_SPLIT_DIRS[split]
        text_names = list(_hf_text_columns(rows[0].texts))
        header = ["file_name", *text_names, "language", "clip_id", "duration", "start", "end",
                  "project", "utterance_id"]
        table = [
            [item.audio_file.removeprefix(f"{folder}/"), *_hf_text_columns(item.texts).values(),
             item.segment.language, item.segment.clip_id, round(item.duration, 6),
             _seconds(item.start_ms), _seconds(item.end_ms), item.segment.project, item.utterance_id]
            for item in rows
        ]
        name = f"{folder}/metadata.csv"
        _write_text(root / name, _csv_text(header, table))
        written.append(name)
    return written


def _kaldi_lines(pairs: list[tuple[str, str]]) -> str:
    """``key value`` lines in the byte order of ``LC_ALL=C sort``."""
    return "".join(f"{key} {value}\n" for key, value in sorted(pairs, key=lambda p: p[0].encode()))


def write_kaldi(items: Sequence[ExportItem], root: Path, final_root: Path) -> list[str]:
    """A Kaldi data directory per split: wav.scp, segments, text, utt2spk, spk2utt.

    The speaker is the recording (one clip), so every utterance id starts with its
    speaker id and sorting by utterance also sorts by speaker, as Kaldi requires.
    ``wav.scp`` holds absolute paths (Kaldi resolves relative ones against the working
    directory of the recipe, not the data directory). All WAVs of one export share one
    sample rate, as Kaldi's feature extraction and lhotse expect (``write_export`` resamples
    for that when asked for the sources' own rates). With two text columns the
    pronunciation goes to ``text_pronunciation`` beside ``text``.
    """
    written = []
    for split, rows in _by_split(items).items():
        recordings = {item.segment.recording_id: item.audio_file for item in rows}
        files: dict[str, list[tuple[str, str]]] = {
            "wav.scp": [(rec, str(final_root / path)) for rec, path in recordings.items()],
            "segments": [
                (item.utterance_id,
                 f"{item.segment.recording_id} {_seconds(item.start_ms):.3f} {_seconds(item.end_ms):.3f}")
                for item in rows
            ],
            "utt2spk": [(item.utterance_id, item.segment.recording_id) for item in rows],
        }
        for column in rows[0].texts:
            files[column] = [(item.utterance_id, item.texts[column]) for item in rows]
        speakers: dict[str, list[str]] = defaultdict(list)
        for item in rows:
            speakers[item.segment.recording_id].append(item.utterance_id)
        files["spk2utt"] = [
            (speaker, " ".join(sorted(utts, key=str.encode))) for speaker, utts in speakers.items()
        ]
        for name, pairs in files.items():
            _write_text(root / split / name, _kaldi_lines(pairs))
            written.append(f"{split}/{name}")
    return written


def write_csv(items: Sequence[ExportItem], root: Path, final_root: Path) -> list[str]:
    """``segments.csv``: every exported utterance with all that is known about it."""
    ordered = sorted(items, key=lambda i: i.utterance_id.encode())
    text_names = list(ordered[0].texts)
    header = ["utterance_id", "split", "audio_file", "duration", *text_names, "language", "project",
              "clip_id", "clip_start", "clip_end", "accepted_text", "submitted_text", "worker_key",
              "return_count", "draft_text", "draft_cer"]
    table = [
        [item.utterance_id, item.split, item.audio_file, round(item.duration, 6), *item.texts.values(),
         item.segment.language, item.segment.project, item.segment.clip_id, _seconds(item.start_ms),
         _seconds(item.end_ms), item.segment.text, item.segment.submitted_text,
         item.segment.worker_key, item.segment.return_count, item.segment.draft_text or "",
         "" if item.segment.draft_cer is None else item.segment.draft_cer]
        for item in ordered
    ]
    _write_text(root / "segments.csv", _csv_text(header, table))
    return ["segments.csv"]


Writer = Callable[[Sequence[ExportItem], Path, Path], list[str]]
WRITERS: dict[str, Writer] = {"nemo": write_nemo, "hf": write_hf, "kaldi": write_kaldi, "csv": write_csv}
