"""The processing pipeline: decode → high-pass → segment → denoise → loudness → write.

``process_file`` is the one entry point (the CLI and the workflow's queue worker call
it). It writes its output directory atomically: everything is built in a hidden sibling
directory that is renamed into place at the end, and removed on any failure.

Example::

    report = process_file(Path("talk.mp4"), Path("out/talk"), language="en")
    report.segments[0].start, report.report["loudness"]["after_lufs"]
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from workbench.audio import allocator, delivery, denoise, early, enhance, io, paged, segment
from workbench.audio.delivery import SegmentEntry
from workbench.audio.errors import AudioError
from workbench.audio.settings import MIN_DURATION_S, SAMPLE_RATE, PipelineSettings
from workbench.audio.speech import Found, find_speech
from workbench.audio.staging import atomic_output_dir
from workbench.audio.staging import staging_dirs  # noqa: F401  (the workflow's way in: pipeline.staging_dirs)
from workbench.languages import LANGUAGES

# Clips longer than this are denoised on one thread (about 20 MB less at the peak).
ONE_GATE_THREAD_AFTER_S = 2 * 3600
# Pauses shorter than this are no profile for the gate (``denoise.MIN_PROFILE_S``); the
# stretches between the segments are taken instead.
MIN_NOISE_PROFILE_S = denoise.MIN_PROFILE_S["gate"]
# Clips longer than this are held in a file in the staging directory (``paged`` says why).
ON_DISK_AFTER_S = paged.ON_DISK_AFTER_S
# ``original.flac`` is handed to its writer thread this many seconds at a time. Every hand-off
# wakes the thread, which then takes the GIL from the decoder: at one second a time the
# 10-minute clip's decode stage took 0.67 s of wall time and 0.77 s of CPU, at ten seconds
# 0.58 s and 0.68 s (the same file, byte for byte).
ORIGINAL_BATCH_S = 10
NO_SEGMENTS_NOTE = "No speech was found, so there are zero segments. The clip is valid; it is silent or holds only noise."

# Overall progress fraction reached at the end of each stage (for one progress bar).
STAGE_END = {"decode": 0.4, "highpass": 0.45, "segment": 0.6, "denoise": 0.8, "loudness": 0.88, "split": 0.9, "write": 1.0}

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class ProcessReport:
    """What ``process_file`` wrote: the directory, its segments, and ``report.json``'s content."""

    out_dir: Path
    segments: tuple[SegmentEntry, ...]
    report: dict = field(repr=False)


def process_file(
    input_path: Path,
    out_dir: Path,
    *,
    language: str,
    settings: PipelineSettings | None = None,
    progress: Progress | None = None,
    cues: Sequence[segment.Cue] = (),
    early_decode: early.EarlyDecode | None = None,
) -> ProcessReport:
    """Decode, segment, clean and write one clip to ``out_dir`` (which must not hold files).

    ``progress(stage, fraction)`` is called as the stages advance; ``fraction`` is the
    overall share done, 0..1, rising monotonically. ``cues`` refine the segmenter's speech
    intervals before padding (``workbench.audio.segment.Cue``; e.g. a machine draft's
    sentence ends). Without ``settings``, ``PipelineSettings.for_language(language)``;
    given settings are used as they are. ``early_decode``: the clip's decoding, started
    before the pipeline was imported (``early.EarlyDecode`` of ``input_path``, the CLI's);
    its samples are taken if it was started with this run's limits, and the caller closes
    it. Raises ``AudioError`` for bad input or settings; then nothing is left behind.
    """
    settings = settings or PipelineSettings.for_language(language)
    settings.validate()
    if language not in LANGUAGES:
        raise AudioError(f"unknown language {language!r}: use one of {', '.join(LANGUAGES)}")
    input_path, out_dir = Path(input_path), Path(out_dir)
    if early_decode is not None and early_decode.path != input_path:
        raise ValueError(f"early_decode is of {early_decode.path}, not of {input_path}")
    if not input_path.is_file():
        raise AudioError(f"{input_path}: no such file")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise AudioError(f"{out_dir} already exists and is not empty: choose a new output directory")
    with atomic_output_dir(out_dir) as staging:
        segments, report = _run(input_path, staging, language, settings, progress or (lambda stage, fraction: None), cues,
                                early_decode)
    return ProcessReport(out_dir=out_dir, segments=segments, report=report)


# From this much decoded audio on, memory matters more than speed (see allocator.LongClipMemory).
_LONG_CLIP_SAMPLES = 3600 * SAMPLE_RATE


class _Clock:
    """Per-stage wall times and progress reports."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.fraction = 0.0

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.progress(name, self.fraction)
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 3)
        self.fraction = STAGE_END[name]
        self.progress(name, self.fraction)

    def within(self, name: str, share: float) -> None:
        """Report progress ``share`` (0..1) of the way through stage ``name``."""
        start = max((end for stage, end in STAGE_END.items() if end < STAGE_END[name]), default=0.0)
        self.progress(name, start + (STAGE_END[name] - start) * min(max(share, 0.0), 1.0))


def _run(input_path: Path, staging: Path, language: str, settings: PipelineSettings, progress: Progress,
         cues: Sequence[segment.Cue] = (), early_decode: early.EarlyDecode | None = None) -> tuple[tuple[SegmentEntry, ...], dict]:
    clock = _Clock(progress)
    # A clip that passes ON_DISK_AFTER_S is held in a file in the staging directory, not in memory.
    memory = allocator.LongClipMemory()
    try:
        with paged.DiskSamples(staging) as disk:
            return _stages(input_path, staging, language, settings, clock, cues, disk, memory, early_decode)
    finally:
        memory.done()


def _stages(input_path: Path, staging: Path, language: str, settings: PipelineSettings, clock: _Clock,
            cues: Sequence[segment.Cue], disk: paged.DiskSamples,
            memory: allocator.LongClipMemory, early_decode: early.EarlyDecode | None) -> tuple[tuple[SegmentEntry, ...], dict]:
    with clock.stage("decode"):
        audio, info = _decode(input_path, staging / "original.flac", clock, max_seconds=settings.max_duration_s, disk=disk,
                              memory=memory, early_decode=early_decode)
    duration = audio.size / SAMPLE_RATE
    with clock.stage("highpass"):
        denoise.highpass(audio, SAMPLE_RATE, cutoff_hz=settings.highpass_hz, out=audio)
    with clock.stage("segment"):
        found = find_speech(audio, settings, cues)
    with clock.stage("denoise"):
        denoise_report, noise_stats = _denoise(audio, staging / "original.flac", found, settings)
    level, cut, segments = delivery.level_split_write(audio, staging, found, language, settings, clock)
    report = {
        "input": {**info.to_dict(), "path": str(input_path), "duration": round(duration, 3)},
        "output": {"sample_rate": SAMPLE_RATE, "channels": 1, "duration": round(duration, 3)},
        "language": language,
        "loudness": level.to_dict(),
        "noise": {
            "floor_dbfs": _rounded(noise_stats.noise_floor_dbfs) if noise_stats.noise > 0 else None,
            "snr_db": _rounded(noise_stats.snr_db) if noise_stats.noise > 0 and noise_stats.speech > 0 else None,
        },
        "segments": {
            "count": len(segments),
            "speech_seconds": round(float(np.sum(found.speech[:, 1] - found.speech[:, 0])), 3),
            "dropped_bursts": len(found.bursts),
            "long_pause_splits": len(cut) - len(found.padded),
            "detector_gain_db": found.detector_gain_db,
            "low_band_db": found.low_band_db,
            "narrowband": found.narrowband,
            "second_opinion": found.opinion.to_dict(duration),
        },
        "denoise": denoise_report,
        "settings": asdict(settings),
    }
    if not segments:
        report["note"] = NO_SEGMENTS_NOTE
    report["timings"] = {**clock.timings, "total": round(sum(clock.timings.values()), 3)}
    (staging / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return segments, report


def _rounded(value: float) -> float:
    return round(float(value), 2)


def _decode(input_path: Path, original_path: Path, clock: _Clock, *, max_seconds: float,
            disk: paged.DiskSamples | None = None, memory: allocator.LongClipMemory,
            early_decode: early.EarlyDecode | None = None) -> tuple[np.ndarray, io.SourceInfo]:
    """Decode to 16 kHz mono, writing ``original.flac`` on the way; ``AudioError`` as soon
    as more than ``max_seconds`` has been decoded. Past ``_LONG_CLIP_SAMPLES`` ``memory``
    hands freed buffers back at once; past ``ON_DISK_AFTER_S`` the samples go
    to ``disk``. ``early_decode``'s samples are taken instead if it decoded with these limits."""
    taken = (early_decode.take() if early_decode is not None and early_decode.max_seconds == max_seconds
             and early_decode.up_to_s == ON_DISK_AFTER_S else None)
    info, chunks = taken or io.decode_chunks(input_path, max_seconds=max_seconds, split_up_to_s=ON_DISK_AFTER_S)
    expected = int(info.duration * SAMPLE_RATE)
    # FLAC encoding runs on a second thread (libsndfile releases the GIL) beside the decoder;
    # at most four batches wait for it, so a slow disk or a busy machine cannot pile them up.
    in_flight: deque = deque()
    with io.pcm16_file(original_path, SAMPLE_RATE) as original, \
            ThreadPoolExecutor(max_workers=1) as writer:

        def write(batch: list[np.ndarray]) -> None:
            if len(in_flight) >= 4:
                in_flight.popleft().result()
            in_flight.append(writer.submit(original.write, np.concatenate(batch)))

        def written(chunks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
            decoded, batch, batched = 0, [], 0
            for chunk in chunks:
                batch.append(io.pcm16(chunk))
                batched += chunk.size
                if batched >= ORIGINAL_BATCH_S * SAMPLE_RATE:
                    write(batch)
                    batch, batched = [], 0
                decoded += chunk.size
                if decoded > _LONG_CLIP_SAMPLES:
                    memory.return_freed_buffers()
                if expected:
                    clock.within("decode", decoded / expected)
                yield chunk
            if batch:
                write(batch)

        audio = io.gather(written(chunks), capacity=io.capacity(max_seconds, SAMPLE_RATE), disk=disk,
                          disk_after=int(ON_DISK_AFTER_S * SAMPLE_RATE))
        while in_flight:
            in_flight.popleft().result()
    if audio.size < MIN_DURATION_S * SAMPLE_RATE:
        raise AudioError(f"{input_path.name}: only {audio.size / SAMPLE_RATE:.2f} s of audio; at least {MIN_DURATION_S} s is needed")
    return audio, info


def _denoise(audio: np.ndarray, original_path: Path, found: Found, settings: PipelineSettings) -> tuple[dict, denoise.PowerStats]:
    """Denoise ``audio`` in place if that measurably helps; returns the report and the input stats.

    The noise is what webrtcvad called non-speech, away from any segment (``found.noise``).
    Where babble or music filled the pauses, so that they hold under
    ``denoise_busy_noise_share`` of the clip and under ``denoise_busy_background_share`` of
    what lies between the segments (or under half a second), webrtcvad's pauses are only
    the background's quietest moments and the Wiener filter takes the gate's place
    (``denoise_busy_method``). Unless those pauses hold ``denoise_busy_pauses_enough_s``, the
    stretches between the delivered segments (all the background the segmenter cut away)
    then stand in for them, both as the noise profile and as the noise the judge measures.
    """
    noise, source = found.noise, "pauses"
    background = denoise.between(found.padded, audio.size / SAMPLE_RATE)
    pauses = segment.total_seconds(noise)
    busy = (pauses < settings.denoise_busy_noise_share * audio.size / SAMPLE_RATE
            and pauses < settings.denoise_busy_background_share * segment.total_seconds(background))
    if (busy and pauses < settings.denoise_busy_pauses_enough_s) or pauses < MIN_NOISE_PROFILE_S:
        noise, source = background, "between segments"
    before = denoise.measure_power(audio, SAMPLE_RATE, speech=found.speech, noise=noise)
    profile = denoise.collect_noise(audio, SAMPLE_RATE, noise, max_seconds=settings.noise_profile_s)
    report = {"applied": False, "noise_profile_seconds": round(profile.size / SAMPLE_RATE, 2), "noise_profile_from": source,
              "highpass_hz": settings.highpass_hz}
    if not settings.denoise:
        return {**report, "reason": "turned off in the settings", "enhancer": {"used": False, "reason": "denoising is off"}}, before
    method = settings.denoise_busy_method if busy else "gate"
    least = denoise.MIN_PROFILE_S[method]
    if profile.size < least * SAMPLE_RATE or not len(found.speech):
        return {**report, "reason": f"less than {least:g} s of noise-only audio or no speech to judge by",
                "enhancer": {"used": False, "reason": "nothing to judge it by"},
                "highpass_kept": _judge_highpass(audio, original_path, found, noise, before, settings)}, before
    not_offered = enhance.offer(audio, found, settings)
    # The enhancer is accepted or refused on the same noise as the gate (for a busy clip all
    # the background: on the quiet pauses alone, the music it removes from the segments
    # counts as speech lost), but compared with the gate's or filter's output on webrtcvad's
    # pauses where there are any: on the louder background between the segments the
    # filter's SNR outbid an enhancer that gave +6.9 dB of SI-SDR against its +2.1 (held-out
    # music at 5 dB).
    versus = found.noise if pauses >= MIN_NOISE_PROFILE_S else noise
    denoise.reduce_noise(
        audio, SAMPLE_RATE, noise=profile, speech=found.padded, prop_decrease=settings.denoise_strength,
        n_std_thresh=settings.denoise_threshold_std, method=method, out=audio,
        # A second gating thread's buffers are what a clip near the length limit cannot afford.
        workers=1 if audio.size > ONE_GATE_THREAD_AFTER_S * SAMPLE_RATE else 2,
    )
    after = denoise.measure_power(audio, SAMPLE_RATE, speech=found.speech, noise=noise)
    applied, reason = denoise.judge_denoising(
        before, after, min_snr_gain_db=settings.denoise_min_snr_gain_db, max_speech_loss_db=settings.denoise_max_speech_loss_db,
    )
    enhanced, enhancer_report = None, {"used": False, "reason": not_offered}
    if not_offered is None:
        gated = None if not applied else (versus, after if versus is noise else
                                          denoise.measure_power(audio, SAMPLE_RATE, speech=found.speech, noise=versus))
        enhanced, enhancer_report = enhance.apply(audio, original_path, found, noise, before, gated, settings)
    if enhanced is not None:
        applied, after = True, enhanced
        reason = enhancer_report["reason"]
    return {
        **report, "applied": applied, "reason": reason, "method": ("enhancer" if enhanced is not None else method) if applied else None,
        "enhancer": enhancer_report,
        "highpass_kept": applied or _judge_highpass(audio, original_path, found, noise, before, settings),
        "snr_before_db": _rounded(before.snr_db), "snr_after_db": _rounded(after.snr_db),
    }, before


def _judge_highpass(audio: np.ndarray, original_path: Path, found: Found, noise: np.ndarray,
                    highpassed: denoise.PowerStats, settings: PipelineSettings) -> bool:
    """Where no gate was kept, put ``audio`` back to the decoded original (read in place rather
    than keeping a second copy of the clip) and high-pass it again only if the high-pass alone
    raised the estimated SNR (``highpassed``: its stats); whether it did. Under babble whose
    low band is no louder than the speech's it takes speech with the hum, and a clip nothing
    helped goes out as it came."""
    with sf.SoundFile(original_path) as original:
        original.read(frames=audio.size, dtype="float32", out=audio)
    unfiltered = denoise.measure_power(audio, SAMPLE_RATE, speech=found.speech, noise=noise)
    if not denoise.highpass_helps(unfiltered, highpassed):
        return False
    denoise.highpass(audio, SAMPLE_RATE, cutoff_hz=settings.highpass_hz, out=audio)
    return True
