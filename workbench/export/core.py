"""Writing an export from ``ExportSegment``s: plan, cut audio, write manifests, all at once.

``write_export`` is the database-free core; ``workbench.export.run_export`` feeds it from
the store. It never writes a partial export: an error leaves the destination untouched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from workbench.audio.io import write_audio
from workbench.export.audio_files import Recording, load_recording, source_rate
from workbench.export.errors import ExportError, NothingToExport
from workbench.export.formats import (
    FORMATS,
    WRITERS,
    ExportItem,
    recording_audio_file,
    segment_audio_file,
)
from workbench.export.output import EXPORT_MARKER, atomic_directory, check_destination
from workbench.export.report import ClipQuality, write_quality_report
from workbench.export.segment import AUDIO_VARIANTS, TEXT_MODES, ExportSegment, text_columns
from workbench.export.splits import SPLIT_NAMES, ClipForSplit, SplitRatios, assign_splits

SAMPLE_RATE_RANGE = (8000, 96000)
REPORT_DIR = "report"


@dataclass(frozen=True)
class ExportOptions:
    """How to export. ``sample_rate`` None keeps the processed audio's own rate (Kaldi: the
    highest of the sources' rates, so one data directory has one rate).

    >>> ExportOptions(fmt="kaldi", text="both").audio
    'clean'
    """

    fmt: str
    audio: str = "clean"
    sample_rate: int | None = 16000
    text: str = "spelling"
    seed: int = 0
    splits: SplitRatios = field(default_factory=SplitRatios)

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ExportError(f"unknown export format {self.fmt!r}; choose one of {', '.join(FORMATS)}")
        if self.audio not in AUDIO_VARIANTS:
            raise ExportError(f"unknown audio {self.audio!r}; choose clean or original")
        if self.text not in TEXT_MODES:
            raise ExportError(f"unknown text {self.text!r}; choose one of {', '.join(TEXT_MODES)}")
        low, high = SAMPLE_RATE_RANGE
        if self.sample_rate is not None and not low <= self.sample_rate <= high:
            raise ExportError(f"sample rate {self.sample_rate} Hz is outside {low}–{high} Hz")

    def to_dict(self) -> dict:
        return {**asdict(self), "splits": dict(zip(SPLIT_NAMES, self.splits.as_tuple(), strict=True))}


@dataclass(frozen=True)
class ExportResult:
    """What was written: counts per split, the manifests and the report (relative to ``out_dir``)."""

    out_dir: Path
    fmt: str
    segments: int
    clips: int
    seconds: float
    split_segments: dict[str, int]
    manifests: tuple[str, ...]
    report: str
    skipped_no_speech: int
    skipped_without_words: int
    empty_splits: tuple[str, ...] = ()  # splits given a share that received no segment

    @property
    def hours(self) -> float:
        return self.seconds / 3600

    def summary(self) -> str:
        splits = ", ".join(f"{name} {count}" for name, count in self.split_segments.items())
        skipped = [f"{count} {what}" for count, what in ((self.skipped_no_speech, "no-speech"),
                                                         (self.skipped_without_words, "without words")) if count]
        left_out = f"; left out {' and '.join(skipped)}" if skipped else ""
        return (f"exported {self.segments} segments from {self.clips} clips ({self.hours:.2f} h; "
                f"{splits}) as {self.fmt} to {self.out_dir}{left_out}")

    def warnings(self) -> list[str]:
        """What the exporter should know before using the data: each empty split, and why."""
        return [f"The {name} split is empty: splits go by whole clips, and {self.clips} clip(s) "
                f"were too few to give {name} any (export more clips, or give {name} a share of 0)"
                for name in self.empty_splits]


def parse_sample_rate(value: str | int | None) -> int | None:
    """``"16000"`` → 16000; ``"original"`` (or None) → None, meaning no resampling."""
    if value is None or value == "original":
        return None
    try:
        return int(value)
    except ValueError:
        raise ExportError(f"sample rate must be a number of Hz or 'original', got {value!r}") from None


def write_export(
    segments: Sequence[ExportSegment],
    out_dir: Path,
    options: ExportOptions,
    *,
    clips: Sequence[ClipQuality] = (),
    selection: Mapping[str, object] | None = None,
    quality_control: Mapping[str, list] | None = None,
) -> ExportResult:
    """Write the exportable ``segments`` to ``out_dir`` in ``options.fmt``, with the report.

    ``segments`` is the whole selection (no-speech ones feed the report only); ``clips``
    are the selected clips' processing results, failed ones included, for the report;
    ``selection`` is recorded in ``export.json`` as asked; ``quality_control`` goes into the
    report (``report.write_quality_report``).

    Raises ``NothingToExport`` (writing nothing) when no segment has accepted speech, and
    ``ExportError`` for a bad destination or unreadable audio.
    """
    destination = check_destination(out_dir)
    planned = _exportable(segments, options.text)
    if not planned:
        raise NothingToExport(
            "nothing to export: the selection has no accepted segment with speech "
            "(accept reviewed segments first, or widen --language/--project/--clip)"
        )
    splits = assign_splits(_clips_for_split(planned), options.splits, seed=options.seed)
    rate = _export_rate(planned, options)
    with atomic_directory(destination) as staging:
        items = _write_audio(planned, splits, staging, options, rate)
        manifests = WRITERS[options.fmt](items, staging, destination)
        report = write_quality_report(staging / REPORT_DIR, segments, splits, clips, quality_control)
        result = ExportResult(
            out_dir=destination,
            fmt=options.fmt,
            segments=len(items),
            clips=len({item.segment.clip_id for item in items}),
            seconds=round(sum(item.duration for item in items), 6),
            split_segments={name: count for name in SPLIT_NAMES
                            if (count := sum(item.split == name for item in items))},
            manifests=tuple(manifests),
            report=str(report.relative_to(staging)),
            skipped_no_speech=sum(seg.no_speech for seg in segments),
            skipped_without_words=sum(not seg.no_speech and not seg.exportable for seg in segments),
            empty_splits=tuple(name for name, share in zip(SPLIT_NAMES, options.splits.as_tuple())
                               if share > 0 and not any(item.split == name for item in items)),
        )
        _write_summary(staging / EXPORT_MARKER, result, options, selection or {}, rate)
    return result


def _exportable(segments: Sequence[ExportSegment], mode: str) -> list[tuple[ExportSegment, dict[str, str]]]:
    planned = []
    seen: set[str] = set()
    for seg in sorted(segments, key=lambda s: s.utterance_id.encode()):
        if not seg.exportable:
            continue
        if seg.utterance_id in seen:
            raise ExportError(f"two segments share the utterance id {seg.utterance_id}")
        seen.add(seg.utterance_id)
        planned.append((seg, text_columns(seg.text, mode)))
    return planned


def _clips_for_split(planned: list[tuple[ExportSegment, dict[str, str]]]) -> list[ClipForSplit]:
    seconds: dict[tuple[str, str], float] = defaultdict(float)
    for seg, _ in planned:
        seconds[(seg.clip_id, seg.language)] += seg.duration
    return [ClipForSplit(clip, language, total) for (clip, language), total in seconds.items()]


def _export_rate(planned: list[tuple[ExportSegment, dict[str, str]]], options: ExportOptions) -> int | None:
    """The one rate all audio is written at, or None for each source's own rate.

    Kaldi's feature extraction and lhotse expect one rate per data directory, so a Kaldi
    export asked for the sources' own rates resamples everything to the highest of them
    (no source loses bandwidth; lower-rate ones are upsampled, which adds none).
    """
    if options.sample_rate is not None or options.fmt != "kaldi":
        return options.sample_rate
    return max(source_rate(source) for source in {seg.source_audio(options.audio) for seg, _ in planned})


def _write_audio(
    planned: list[tuple[ExportSegment, dict[str, str]]],
    splits: dict[str, str],
    staging: Path,
    options: ExportOptions,
    sample_rate: int | None,
) -> list[ExportItem]:
    by_source: dict[Path, list[tuple[ExportSegment, dict[str, str]]]] = defaultdict(list)
    for seg, texts in planned:
        by_source[seg.source_audio(options.audio)].append((seg, texts))
    items = []
    for source in sorted(by_source):
        recording = load_recording(source, sample_rate=sample_rate)
        for seg, texts in by_source[source]:
            items.append(_cut(seg, texts, splits[seg.clip_id], recording, staging, options.fmt))
        if options.fmt == "kaldi":
            clip = by_source[source][0][0]
            _write_audio_file(staging / recording_audio_file(clip.recording_id), recording.audio,
                              recording.sample_rate)
    return items


def _cut(seg: ExportSegment, texts: dict[str, str], split: str, recording: Recording,
         staging: Path, fmt: str) -> ExportItem:
    first, stop = recording.span(seg.start, seg.end)
    rate = recording.sample_rate
    start_ms, end_ms = round(first * 1000 / rate), stop * 1000 // rate
    if end_ms <= start_ms:
        raise ExportError(
            f"segment {seg.utterance_id} ({seg.start:.3f}–{seg.end:.3f} s) lies outside its "
            f"clip's audio ({recording.seconds:.3f} s)"
        )
    if fmt == "kaldi":
        audio_file = recording_audio_file(seg.recording_id)
    else:
        audio_file = segment_audio_file(fmt, split, seg.utterance_id)
        _write_audio_file(staging / audio_file, recording.audio[first:stop], rate)
    return ExportItem(
        segment=seg, split=split, texts=texts, audio_file=audio_file, start_ms=start_ms,
        end_ms=end_ms, duration=(stop - first) / rate,
    )


def _write_audio_file(path: Path, audio, sample_rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_audio(path, audio, sample_rate)


def _write_summary(path: Path, result: ExportResult, options: ExportOptions,
                   selection: Mapping[str, object], rate: int | None) -> None:
    summary = {
        "options": options.to_dict(),
        "audio_sample_rate": rate or "original",
        "selection": dict(selection),
        "segments": result.segments,
        "clips": result.clips,
        "seconds": result.seconds,
        "split_segments": result.split_segments,
        "skipped_no_speech": result.skipped_no_speech,
        "skipped_without_words": result.skipped_without_words,
        "manifests": list(result.manifests),
        "report": result.report,
    }
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
