"""The pipeline's last three stages: loudness, split and write.

The gain to the target loudness comes first. The true peak then decides whether the limiter
runs, and the search for it is the one costly step the writing need not wait for: the
loudest blocks are checked first, and the rest of the search runs beside the split and the
writes. Every file lands in the staging directory that ``pipeline.process_file`` renames
into place.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from workbench.audio import io, loudness, segment
from workbench.audio.settings import SAMPLE_RATE, PipelineSettings
from workbench.audio.speech import Found

# The true peak of the loudest samples' blocks (a quarter second each, this many) decides
# before anything is written whether the limiter runs; the rest of the search runs beside the
# writing (the 10-minute clip's loudness, split and write stages: 0.48 -> 0.40 s of wall
# time). Of the bench's 142 clips 22 needed the limiter, and these blocks found all 22: none
# was written twice.
LOUDEST_PEAK_BLOCKS = 20


class Clock(Protocol):
    """The pipeline's stage timer (``pipeline._Clock``)."""

    def stage(self, name: str) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class SegmentEntry:
    """One line of ``manifest.jsonl``: a segment's cleaned audio and where it lies in the source.

    ``start``/``end`` are seconds on the source clip's timeline (padding included);
    ``audio_filepath`` is relative to the output directory.
    """

    id: str
    audio_filepath: str
    start: float
    end: float
    language: str
    text: str = ""

    @property
    def duration(self) -> float:
        return round(self.end - self.start, 3)

    def to_manifest(self) -> dict:
        return {
            "audio_filepath": self.audio_filepath, "duration": self.duration, "text": self.text,
            "id": self.id, "start": self.start, "end": self.end,
            # NeMo reads the language from ``lang``; ``language`` stays for earlier readers.
            "lang": self.language, "language": self.language,
        }


def level_split_write(audio: np.ndarray, staging: Path, found: Found, language: str, settings: PipelineSettings,
                      clock: Clock) -> tuple[loudness.LoudnessResult, np.ndarray, tuple[SegmentEntry, ...]]:
    """The loudness, split and write stages: ``audio`` set to its loudness in place, cut into the
    delivered segments and written; returns the loudness measurements, the cut and the segments."""
    with clock.stage("loudness"):
        _, before_lufs, gain_db = loudness.apply_gain(audio, SAMPLE_RATE, target_lufs=settings.target_lufs,
                                                      max_gain_db=settings.max_gain_db, out=audio)
        ceiling, level = settings.true_peak_ceiling_dbtp, None
        # The loudest blocks' true peak, a lower bound of the clip's, shows most clips that need
        # the limiter; they are limited before anything is written. For the others the whole
        # search runs on a thread of its own while the audio is split and written (its
        # oversampling holds the GIL, the FLAC encoders release it), and a clip it finds over
        # the ceiling after all is limited, split and written again.
        loudest = loudness.true_peak_dbtp(audio, SAMPLE_RATE, loudest_blocks=LOUDEST_PEAK_BLOCKS)
        if loudest > ceiling:
            level, _ = loudness.limit_to_ceiling(audio, SAMPLE_RATE, before_lufs=before_lufs, gain_db=gain_db,
                                                 peak_dbtp=loudest, ceiling_dbtp=ceiling)
    with ThreadPoolExecutor(max_workers=1) as searcher:
        peak = searcher.submit(loudness.true_peak_dbtp, audio, SAMPLE_RATE) if level is None else None
        with clock.stage("split"):
            cut = _split(audio, found, settings)
        with clock.stage("write"):
            segments = _write(audio, staging, cut, language)
            if peak is not None:
                level, limited = loudness.limit_to_ceiling(audio, SAMPLE_RATE, before_lufs=before_lufs, gain_db=gain_db,
                                                           peak_dbtp=peak.result(), ceiling_dbtp=ceiling)
                if limited:
                    cut = _split(audio, found, settings)
                    shutil.rmtree(staging / "segments")
                    segments = _write(audio, staging, cut, language)
    return level, cut, segments


def _split(audio: np.ndarray, found: Found, settings: PipelineSettings) -> np.ndarray:
    """The padded segments cut again at long pauses heard in the cleaned audio, where the
    denoiser deepened those babble or music filled (README "A long pause splits too")."""
    if settings.long_pause_split_s <= 0:
        return found.padded
    return segment.split_at_long_pauses(found.padded, audio, SAMPLE_RATE, long_pause=settings.long_pause_split_s,
                                        side=settings.long_pause_side_s)


def _write(audio: np.ndarray, staging: Path, intervals: np.ndarray, language: str) -> tuple[SegmentEntry, ...]:
    """``clean.flac`` and the segments' files, two at a time (libsndfile releases the GIL), and the manifest."""
    (staging / "segments").mkdir()
    entries = [
        SegmentEntry(id=f"{index:05d}", audio_filepath=f"segments/{index:05d}.flac", start=round(float(start), 3),
                     end=round(float(end), 3), language=language)
        for index, (start, end) in enumerate(intervals, start=1)
    ]
    jobs = [(staging / "clean.flac", audio)] + [
        (staging / entry.audio_filepath, audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)])
        for entry, (start, end) in zip(entries, intervals)
    ]
    with ThreadPoolExecutor(max_workers=2) as writers:  # the longest, clean.flac, first
        list(writers.map(lambda job: io.write_audio(*job, SAMPLE_RATE), jobs))
    with open(staging / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        manifest.writelines(json.dumps(entry.to_manifest(), ensure_ascii=False) + "\n" for entry in entries)
    return tuple(entries)
