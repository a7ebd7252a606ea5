"""The data-quality report of an export: figures as JSON, PNG plots and one HTML page.

``build_quality_report`` is pure (segments, splits and clip facts in, a JSON-ready dict
out); ``write_quality_report`` renders it with matplotlib's Agg backend (no display, no
pyplot state). Workers appear only by their opaque ``worker_key``.

Speed bounds come from each language's guideline (``load_rules(lang).chars_per_second``):
a segment is an outlier when its spoken characters per second fall outside
``warn_below``..``warn_above`` and it is at least ``min_duration`` long, the same rule the
transcriber's checker warns about. A language without a rule file gets no bounds.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jiwer

from workbench.drafts.evidence import DraftOutcome, draft_figures
from workbench.export.report_figures import FIGURES
from workbench.export.report_page import quality_page
from workbench.export.segment import ExportSegment
from workbench.export.splits import SPLIT_NAMES
from workbench.workflow.guidelines import CharsPerSecondBounds, load_rules, spelling_and_pronunciation

DURATION_BIN_SECONDS = 1.0
REPORT_JSON = "quality.json"
REPORT_HTML = "quality.html"


@dataclass(frozen=True)
class ClipQuality:
    """What processing measured on one clip (``None`` where it measured nothing)."""

    clip_id: str
    language: str
    project: str
    status: str  # queued | processing | ready | failed
    loudness_lufs: float | None
    snr_db: float | None


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 6)


def _balance(exported: Sequence[ExportSegment], splits: Mapping[str, str]) -> dict:
    def table(key) -> dict:
        seconds: dict[str, float] = defaultdict(float)
        counts: Counter[str] = Counter()
        for seg in exported:
            seconds[key(seg)] += seg.duration
            counts[key(seg)] += 1
        return {name: {"segments": counts[name], "hours": _hours(seconds[name])} for name in sorted(counts)}

    by_split = table(lambda seg: splits[seg.clip_id])
    return {
        "language": table(lambda seg: seg.language),
        "project": table(lambda seg: seg.project),
        "split": {name: by_split[name] for name in SPLIT_NAMES if name in by_split},
    }


def _durations(exported: Sequence[ExportSegment]) -> dict:
    durations = [seg.duration for seg in exported]
    bins = int(max(durations) // DURATION_BIN_SECONDS) + 1
    counts = [0] * bins
    for duration in durations:
        counts[int(duration // DURATION_BIN_SECONDS)] += 1
    return {
        "bin_seconds": DURATION_BIN_SECONDS,
        "bin_edges": [round(i * DURATION_BIN_SECONDS, 6) for i in range(bins + 1)],
        "counts": counts,
        "min": round(min(durations), 6),
        "median": round(statistics.median(durations), 6),
        "max": round(max(durations), 6),
    }


def spoken_characters(text: str) -> int:
    """Letters and digits of the pronunciation reading: what the speaker actually says."""
    return sum(char.isalnum() for char in spelling_and_pronunciation(text)[1])


def _bounds(language: str) -> CharsPerSecondBounds | None:
    try:
        return load_rules(language).chars_per_second
    except (ValueError, FileNotFoundError):
        return None


def _speed(exported: Sequence[ExportSegment]) -> dict:
    by_language: dict[str, list[ExportSegment]] = defaultdict(list)
    for seg in exported:
        by_language[seg.language].append(seg)
    result = {}
    for language in sorted(by_language):
        bounds = _bounds(language)
        rates = [(seg, spoken_characters(seg.text) / seg.duration) for seg in by_language[language]]
        outliers = [
            {"utterance_id": seg.utterance_id, "chars_per_second": round(rate, 3),
             "duration": round(seg.duration, 3), "text": seg.text}
            for seg, rate in rates
            if bounds is not None and seg.duration >= bounds.min_duration
            and not bounds.warn_below <= rate <= bounds.warn_above
        ]
        result[language] = {
            "bounds": None if bounds is None else {"low": bounds.warn_below, "high": bounds.warn_above,
                                                   "min_duration": bounds.min_duration},
            "chars_per_second": [round(rate, 3) for _, rate in rates],
            "median": round(statistics.median(rate for _, rate in rates), 3),
            "outliers": outliers,
        }
    return result


def character_error_rate(pairs: Iterable[tuple[str, str]]) -> float | None:
    """Corpus CER of ``(submitted, accepted)`` pairs, the accepted text as reference."""
    kept = [(" ".join(sub.split()), " ".join(acc.split())) for sub, acc in pairs]
    kept = [(sub, acc) for sub, acc in kept if acc]
    if not kept:
        return None
    hypotheses, references = zip(*kept, strict=True)
    return round(jiwer.cer(reference=list(references), hypothesis=list(hypotheses)), 6)


def _labels(exported: Sequence[ExportSegment]) -> dict:
    by_worker: dict[str, list[ExportSegment]] = defaultdict(list)
    by_language: dict[str, list[ExportSegment]] = defaultdict(list)
    for seg in exported:
        by_worker[seg.worker_key].append(seg)
        by_language[seg.language].append(seg)

    def cer(segs: list[ExportSegment]) -> float | None:
        return character_error_rate((seg.submitted_text, seg.text) for seg in segs)

    return {
        "workers": {
            key: {
                "segments": len(segs),
                "returned": sum(seg.return_count > 0 for seg in segs),
                "returned_share": round(sum(seg.return_count > 0 for seg in segs) / len(segs), 6),
                "cer": cer(segs),
            }
            for key, segs in sorted(by_worker.items())
        },
        "languages": {language: {"segments": len(segs), "cer": cer(segs)}
                      for language, segs in sorted(by_language.items())},
    }


def _summary(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3),
            "max": round(max(values), 3)}


def _audio(clips: Sequence[ClipQuality], segments: Sequence[ExportSegment]) -> dict:
    measured = sorted((clip for clip in clips if clip.status == "ready"), key=lambda c: c.clip_id)
    loudness = [clip.loudness_lufs for clip in measured if clip.loudness_lufs is not None]
    snr = [clip.snr_db for clip in measured if clip.snr_db is not None]
    return {
        "clips": len(clips),
        "clips_by_status": dict(sorted(Counter(clip.status for clip in clips).items())),
        "clips_failed": sum(clip.status == "failed" for clip in clips),
        "segments": len(segments),
        "segments_no_speech": sum(seg.no_speech for seg in segments),
        "no_speech_reasons": dict(Counter(seg.no_speech_reason or "no reason given"
                                          for seg in segments if seg.no_speech).most_common()),
        "segments_without_words": sum(not seg.no_speech and not seg.exportable for seg in segments),
        "loudness_lufs": _summary(loudness),
        "snr_db": _summary(snr),
        "per_clip": [
            {"clip_id": clip.clip_id, "language": clip.language, "loudness_lufs": clip.loudness_lufs,
             "snr_db": clip.snr_db}
            for clip in measured
        ],
    }


def build_quality_report(
    segments: Sequence[ExportSegment],
    splits: Mapping[str, str],
    clips: Sequence[ClipQuality] = (),
) -> dict:
    """Every figure of the report as plain JSON-ready data.

    ``segments`` is the whole selection (no-speech ones count in the audio section only);
    ``splits`` maps each exported clip to its split; ``clips`` are the selected clips,
    failed ones included.
    """
    exported = sorted((seg for seg in segments if seg.exportable), key=lambda s: s.utterance_id)
    if not exported:
        raise ValueError("a quality report needs at least one exported segment")
    return {
        "balance": _balance(exported, splits),
        "durations": _durations(exported),
        "speed": _speed(exported),
        "labels": _labels(exported),
        "audio": _audio(clips, segments),
        "drafts": _drafts(exported),
    }


def _drafts(exported: Sequence[ExportSegment]) -> dict:
    """Draft CER and effort saved per language, project and worker key (``drafts.evidence``)."""
    return draft_figures(DraftOutcome(seg.language, seg.project, seg.worker_key, seg.text, seg.draft_text,
                                      seg.typed_chars, seg.draft_untouched_at_review, seg.held_back, seg.active_s,
                                      seg.duration) for seg in exported)


def write_quality_report(
    out_dir: Path,
    segments: Sequence[ExportSegment],
    splits: Mapping[str, str],
    clips: Sequence[ClipQuality] = (),
    quality_control: Mapping[str, list] | None = None,
) -> Path:
    """Write ``quality.json``, ``quality.html`` and ``figures/*.png`` into ``out_dir``.

    ``quality_control`` (``workbench.quality``'s figures of the selection's language and
    project: gold scores over time, agreement, time on task) goes in as it is, under that key.
    Returns the HTML page's path. The files are the same bytes for the same inputs.
    """
    report = build_quality_report(segments, splits, clips)
    if quality_control is not None:
        report["quality_control"] = dict(quality_control)
    figures = out_dir / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    for name, plot in FIGURES.items():
        plot(report, figures / f"{name}.png")
    (out_dir / REPORT_JSON).write_text(
        json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    page = out_dir / REPORT_HTML
    page.write_text(quality_page(report), encoding="utf-8")
    return page
