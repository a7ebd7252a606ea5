"""Which acoustic cues tell a sentence gap from a pause inside a sentence, and babble from speech?

    python3 bench/cues.py            # the tuning clips of bench/grid.py (held-out clips are never read)
    python3 bench/cues.py --no-pitch # without the pitch cue (pyin is most of the run's time)
    python3 bench/cues.py --hesitations  # part 3 only: how the grid's hesitations end (20 s)
    python3 bench/cues.py --reset-rule   # part 4 only: the pitch reset as a cut rule (5 min)
    python3 bench/cues.py --combined [--no-pitch]  # part 5 only: the cues together (12 min; 1.5 min without pitch)

A study, not a test: nothing here asserts, and nothing in the pipeline reads it. Every cue
below was proposed for issue 12 and measured before anyone built a rule on it; the answer
decides whether a rule is worth building. Parts 1-4 read the tuning clips alone; part 5
fits its model on them and reads the held-out clips only to report what the fitted model
does there.

**Part 1: boundary cues.** The candidate pauses are the runs of 0.08-0.6 s that webrtcvad
(mode 3, the pipeline's hysteresis) calls non-speech between the first and the last
sentence of a clip, in the pink and music clips (babble has its own part). A pause lying
inside a sentence (commas, hesitations) is a negative, one lying in a gap between two
sentences a positive; pauses touching a sentence's edge are left out. For each cue the
table gives the area under the ROC curve (AUC) per language: 0.5 is no better than a coin,
1.0 separates perfectly. The cues:

- ``pause``: the pause's duration (what the segmenter decides on now);
- ``pause / rate``: the duration divided by the syllable rate of the 2 s before it (level
  peaks of 4 dB prominence per second of speech), so that a slow speaker's long commas
  count as short and a fast speaker's short gaps as long;
- ``slower before``: the syllable rate alone, lower before a sentence's end (final
  lengthening);
- ``energy drop``: how far the last 0.3 s before the pause lies under the 4 s before it;
- ``pitch fall``: the pitch slope (semitones per second, pyin) over the 0.4 s before the
  pause, negated (a statement ends falling, a comma often rising);
- ``pitch reset``: how far the median pitch of the 1 s after the pause lies from that of
  the 1 s before it, in semitones either way (a new sentence starts high after a low ending,
  or another speaker starts).

**Part 2: babble and music frames.** Per frame (10 ms, smoothed over 0.2 s), the gaps of
0.4 s or more between sentences against the frames inside sentences, in the babble and
music clips: ``level``, ``periodicity`` (normalised autocorrelation peak at 60-400 Hz,
one voice versus several) and ``level range`` (10th to 90th percentile over 0.4 s: one
talker's syllables against a crowd's). AUC 0.5 means the feature cannot tell the
background from the speech at all.

**Part 4: the pitch reset as a cut rule** (``--reset-rule``). What part 1's AUC cannot
say: whether the cue, on top of what the segmenter already does, cuts more sentences apart
than it cuts merged ones. Every segment the pipeline delivers for a tuning clip (babble
too) is cut at each webrtcvad pause inside it that is long enough and across which the
pitch resets far enough, and the pieces are scored as ``bench/grid.py`` scores segments.

**Part 5: the cues together** (``--combined``). Each cue alone separates little; do they
together? A logistic regression on part 1's cues and one more, ``timbre change`` (how far
the mean MFCCs 1-19 of the speech in the 1 s after the pause lie from those in the 1 s
before: another speaker starts at about half of the grid's sentence gaps), standardised,
the pitch cues left out with ``--no-pitch``, is fitted to the tuning clips' pauses, and
its AUC is read on the held-out clips' pauses (pink and music, 8-20 dB), over all
candidate pauses and in the bands where pause length alone is least sure. Then, as part 4, the model is a cut rule:
each delivered segment of the tuning and held-out clips (down to 7 and 8 dB, every noise
kind) is cut at each webrtcvad pause inside it long enough and likely enough to lie
between sentences.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf
from scipy.ndimage import percentile_filter, uniform_filter1d
from scipy.signal import find_peaks
from scipy.stats import mannwhitneyu

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import corpus  # noqa: E402
import grid  # noqa: E402

from workbench.audio import denoise, segment, vad  # noqa: E402
from workbench.audio.synth import ESPEAK_RATE, speak  # noqa: E402
from workbench.audio.settings import PipelineSettings  # noqa: E402

OUT = HERE / "out" / "grid"
RATE = grid.RATE
FRAME_S = 0.01
MIN_PAUSE_S, MAX_PAUSE_S = 0.08, 0.6


def auc(positives, negatives) -> float:
    """P(a positive scores above a negative), ties half: Mann-Whitney's U over the pairs."""
    positives, negatives = np.asarray(positives, float), np.asarray(negatives, float)
    positives, negatives = positives[np.isfinite(positives)], negatives[np.isfinite(negatives)]
    if not positives.size or not negatives.size:
        return float("nan")
    return float(mannwhitneyu(positives, negatives).statistic / (positives.size * negatives.size))


def load(spec: grid.ClipSpec) -> tuple[np.ndarray, list[tuple[float, float]]]:
    truth = grid.build(spec, OUT)
    audio = sf.read(str(OUT / spec.name / "clip.wav"), dtype="float32")[0]
    denoise.highpass(audio, RATE, out=audio)
    return audio, [(s["start"], s["end"]) for s in truth["sentences"]]


def speech_mask(audio: np.ndarray) -> np.ndarray:
    """webrtcvad's decisions with the pipeline's hysteresis, one bool per 10 ms."""
    settings = PipelineSettings()
    decisions = vad.vad_frames(audio, RATE, aggressiveness=settings.vad_aggressiveness, frame_ms=10)
    window = max(1, round(settings.hysteresis_window_s / FRAME_S))
    return segment.smooth_hysteresis(decisions, window=window, on=settings.hysteresis_on, off=settings.hysteresis_off)


def syllable_rate(envelope: np.ndarray, mask: np.ndarray, at: int, span: int = 200) -> float:
    """Level peaks (4 dB prominence, 70 ms apart) per second of speech in the ``span``
    frames before frame ``at``."""
    first = max(0, at - span)
    peaks, _ = find_peaks(envelope[first:at], prominence=4.0, distance=7)
    voiced = float(np.sum(mask[first:at])) * FRAME_S
    return len(peaks) / max(voiced, 0.3)


def voiced_semitones(audio: np.ndarray, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """pyin's voiced frames between ``start`` and ``end`` s: their times (s from ``start``)
    and pitch in semitones above 100 Hz; empty when under 0.2 s or fewer than 5 are voiced."""
    piece = audio[max(0, int(start * RATE)) : max(0, int(end * RATE))]
    if piece.size < int(0.2 * RATE):
        return np.empty(0), np.empty(0)
    f0, voiced, _ = librosa.pyin(piece, fmin=70, fmax=400, sr=RATE, frame_length=1024, hop_length=160)
    if voiced.sum() < 5:
        return np.empty(0), np.empty(0)
    return np.flatnonzero(voiced) * FRAME_S, 12 * np.log2(f0[voiced] / 100.0)


def pitch_slope(audio: np.ndarray, at: float, span: float = 0.4) -> float:
    """Semitones per second over the voiced frames of the ``span`` s before ``at`` (pyin)."""
    times, semitones = voiced_semitones(audio, at - span, at)
    return float(np.polyfit(times, semitones, 1)[0]) if times.size else float("nan")


def pitch_reset(audio: np.ndarray, start: float, end: float, span: float = 1.0) -> float:
    """How far, in semitones, the median pitch of the ``span`` s after a pause lies from that
    of the ``span`` s before it (pyin's voiced frames), either way."""
    before, after = voiced_semitones(audio, start - span, start)[1], voiced_semitones(audio, end, end + span)[1]
    return float(abs(np.median(after) - np.median(before))) if before.size and after.size else float("nan")


def boundary_rows(spec: grid.ClipSpec, with_pitch: bool, with_timbre: bool = False) -> list[dict]:
    """One row per candidate pause: inside a sentence or between two, and its cues."""
    audio, truth = load(spec)
    frames = clip_frames(audio, with_timbre)
    mask = frames.mask
    gaps = list(zip(truth, truth[1:]))
    rows = []
    first_frame, last_frame = int(truth[0][0] / FRAME_S), int(truth[-1][1] / FRAME_S)
    for a, b in segment.runs(~mask[first_frame:last_frame]):
        start, end = (first_frame + a) * FRAME_S, (first_frame + b) * FRAME_S
        if not MIN_PAUSE_S <= end - start <= MAX_PAUSE_S:
            continue
        inside = any(s < start - 0.02 and end + 0.02 < e for s, e in truth)
        between = any(e0 - 0.1 <= start and end <= s1 + 0.1 for (_, e0), (s1, _) in gaps)
        if inside == between:
            continue
        rows.append({"language": spec.language, "between": between,
                     **pause_cues(frames, first_frame + a, first_frame + b, with_pitch)})
    return rows


@dataclass(frozen=True)
class Frames:
    """A clip and what the cues read of it per 10 ms frame."""

    audio: np.ndarray
    mask: np.ndarray  # webrtcvad's speech decisions (``speech_mask``)
    levels: np.ndarray  # dB
    envelope: np.ndarray  # the levels smoothed over 30 ms
    timbre: np.ndarray | None  # ``cepstra(audio)``, where part 5 asks for it


def clip_frames(audio: np.ndarray, with_timbre: bool) -> Frames:
    levels = segment.frame_levels_db(audio, RATE, frame_seconds=FRAME_S)
    return Frames(audio, speech_mask(audio), levels, uniform_filter1d(levels, 3), cepstra(audio) if with_timbre else None)


def cepstra(audio: np.ndarray) -> np.ndarray:
    """MFCCs 1-19 per 10 ms frame (the level, coefficient 0, left out), frames as columns."""
    return librosa.feature.mfcc(y=audio, sr=RATE, n_mfcc=20, n_fft=512, hop_length=int(FRAME_S * RATE))[1:]


def timbre_change(timbre: np.ndarray, mask: np.ndarray, first: int, last: int, span: int = 100) -> float:
    """How far the mean MFCCs of webrtcvad's speech frames in the ``span`` frames after a
    pause lie from those before it (Euclidean): another speaker, or another sound."""
    def mean(a: int, b: int) -> np.ndarray | None:
        b = min(b, timbre.shape[1], mask.size)
        voiced = timbre[:, a:b][:, mask[a:b]] if b > a else timbre[:, :0]
        return voiced.mean(axis=1) if voiced.shape[1] > 5 else None

    before, after = mean(max(0, first - span), first), mean(last, last + span)
    return float(np.linalg.norm(after - before)) if before is not None and after is not None else float("nan")


def pause_cues(frames: Frames, first: int, last: int, with_pitch: bool) -> dict:
    """Part 1's cues of the pause over frames ``first`` to ``last`` (exclusive), and part 5's
    timbre change where ``frames`` has the MFCCs."""
    audio, levels = frames.audio, frames.levels
    start, end = first * FRAME_S, last * FRAME_S
    rate = syllable_rate(frames.envelope, frames.mask, first)
    before = levels[max(0, first - 400) : first]
    return {
        "pause": end - start,
        "pause / rate": (end - start) / rate if rate > 0 else float("nan"), "slower before": -rate,
        "energy drop": float(np.percentile(before, 90) - np.percentile(levels[max(0, first - 30) : first], 90)) if before.size else float("nan"),
        "pitch fall": -pitch_slope(audio, start) if with_pitch else float("nan"),
        "pitch reset": pitch_reset(audio, start, end) if with_pitch else float("nan"),
        **({"timbre change": timbre_change(frames.timbre, frames.mask, first, last)} if frames.timbre is not None else {}),
    }


def reset_rule(pauses=(0.1, 0.15, 0.2, 0.25), resets=(3.0, 4.0, 6.0, 8.0)) -> None:
    """Part 4: cut each segment the pipeline delivers for a tuning clip at every webrtcvad
    pause of at least ``pause`` s inside it (its padding left out) across which the pitch
    resets by at least ``reset`` semitones, and score the cut segments."""
    clips = [delivered(spec, min(pauses), lambda frames, first, last: pitch_reset(frames.audio, first * FRAME_S, last * FRAME_S))
             for spec in grid.specs("tune")]

    def scores(pause: float, reset: float) -> str:
        return cut_scores(clips, lambda s, e, r: e - s >= pause and r >= reset)

    print("Part 4: the pitch reset as a cut rule, tuning clips, whole / one each")
    print(f"{'pause, reset':16s} " + " ".join(f"{k:>13s}" for k in (*grid.LANGUAGES, "all")))
    print(f"{'(no cut)':16s} {scores(float('inf'), float('inf'))}")
    for pause in pauses:
        for reset in resets:
            print(f"{f'{pause:g} s, {reset:g} st':16s} {scores(pause, reset)}")


def delivered(spec: grid.ClipSpec, min_pause: float, measure, with_timbre: bool = False) -> tuple:
    """The pipeline's segments for a clip, and each webrtcvad pause of at least ``min_pause``
    s inside them (padding left out) as ``(start, end, measure(frames, first, last))``, the
    pause being frames ``first`` to ``last`` of ``clip_frames(audio, with_timbre)``."""
    import tempfile

    import quality

    audio, truth = load(spec)
    with tempfile.TemporaryDirectory() as scratch:
        segments = quality.run_ours(OUT / spec.name / "clip.wav", spec.language, Path(scratch))["segments"]
    frames, pad = clip_frames(audio, with_timbre), PipelineSettings().padding_s
    candidates = []
    for s0, s1 in segments:
        first, last = int((s0 + pad) / FRAME_S), int((s1 - pad) / FRAME_S)
        for a, b in segment.runs(~frames.mask[first:last]):
            start, end = (first + a) * FRAME_S, (first + b) * FRAME_S
            if end - start >= min_pause:
                candidates.append((start, end, measure(frames, first + a, first + b)))
    return spec.language, truth, segments, candidates


def cut_scores(clips: list[tuple], cut) -> str:
    """Whole / one each per language and over all, after cutting every delivered segment at
    the middle of each candidate pause for which ``cut(start, end, measured)`` holds."""
    import metrics

    pooled = {}
    for language in (*grid.LANGUAGES, "all"):
        per_clip = []
        for lang, truth, segments, candidates in clips:
            if language not in ("all", lang):
                continue
            cuts = [(s + e) / 2 for s, e, measured in candidates if cut(s, e, measured)]
            pieces = []
            for s0, s1 in segments:
                points = [s0, *[c for c in cuts if s0 < c < s1], s1]
                pieces += list(zip(points, points[1:]))
            per_clip.append(metrics.segment_scores(truth, pieces))
        found = metrics.pooled(per_clip)
        pooled[language] = f"{found['sentences_whole']:.3f} / {found['one_sentence_each']:.3f}"
    return " ".join(f"{pooled[k]:>13s}" for k in (*grid.LANGUAGES, "all"))


CUES_WITHOUT_PITCH = ["pause", "pause / rate", "slower before", "energy drop", "timbre change"]
PITCH_CUES = ["pitch fall", "pitch reset"]


def combined(with_pitch: bool, bands=((0.08, 0.6), (0.15, 0.4), (0.2, 0.35)),
             min_pauses=(0.1, 0.2), thresholds=(0.5, 0.7, 0.8, 0.9, 0.95)) -> None:
    """Part 5: part 1's cues and the timbre change together. A logistic regression on
    them, fitted to the tuning clips' pauses, is read on the held-out clips' pauses (pink
    and music down to 8 dB) and then used as a cut rule inside delivered segments, as part
    4 uses the pitch reset."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    names = CUES_WITHOUT_PITCH + (PITCH_CUES if with_pitch else [])

    def matrix(rows: list[dict]) -> np.ndarray:
        return np.nan_to_num(np.array([[row[n] for n in names] for row in rows], float), nan=0.0)

    def pause_rows(split: str) -> list[dict]:
        return [row for spec in grid.specs(split) if spec.noise != "babble" and spec.snr_db >= 7
                for row in boundary_rows(spec, with_pitch, with_timbre=True)]

    tune, held_out = pause_rows("tune"), pause_rows("held_out")
    model = make_pipeline(StandardScaler(), LogisticRegression())
    model.fit(matrix(tune), [row["between"] for row in tune])
    print(f"Part 5: the cues together ({', '.join(names)}), a logistic regression fitted on the tuning pauses")
    print("weights (standardised): " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(names, model[-1].coef_[0])))
    print(f"{'pauses':10s} {'band (s)':>10s} {'inside':>7s} {'between':>8s} {'pause alone':>12s} {'timbre alone':>13s} {'together':>9s}")
    for split, rows in (("tuning", tune), ("held-out", held_out)):
        for low, high in bands:
            chosen = [row for row in rows if low <= row["pause"] <= high]
            between = np.array([row["between"] for row in chosen])
            together = model.decision_function(matrix(chosen))
            alone = np.array([row["pause"] for row in chosen])
            timbre = np.array([row["timbre change"] for row in chosen])
            print(f"{split:10s} {f'{low:g}-{high:g}':>10s} {int((~between).sum()):7d} {int(between.sum()):8d} "
                  f"{auc(alone[between], alone[~between]):12.3f} {auc(timbre[between], timbre[~between]):13.3f} "
                  f"{auc(together[between], together[~between]):9.3f}")

    def probability(frames: Frames, first: int, last: int) -> float:
        return float(model.predict_proba(matrix([pause_cues(frames, first, last, with_pitch)]))[0, 1])

    print("\nThe model as a cut rule: every delivered segment cut at each webrtcvad pause of at least")
    print("the given length whose probability of lying between sentences is at least the threshold;")
    print("whole / one each (the held-out clips down to 8 dB, all noise kinds)")
    for split in ("tune", "held_out"):
        clips = [delivered(spec, min(min_pauses), probability, with_timbre=True) for spec in grid.specs(split) if spec.snr_db >= 7]
        print(f"{split:16s} " + " ".join(f"{k:>13s}" for k in (*grid.LANGUAGES, "all")))
        print(f"{'(no cut)':16s} {cut_scores(clips, lambda s, e, p: False)}")
        for pause in min_pauses:
            for threshold in thresholds:
                print(f"{f'{pause:g} s, p {threshold:g}':16s} "
                      f"{cut_scores(clips, lambda s, e, p, pause=pause, threshold=threshold: e - s >= pause and p >= threshold)}")


def periodicity(audio: np.ndarray, window_s: float = 0.04, fmin: float = 60.0, fmax: float = 400.0, block: int = 4096) -> np.ndarray:
    """Per 10 ms: the peak of the windowed frame's normalised autocorrelation over pitch
    lags, divided by the window's own autocorrelation (so a pure tone gives about 1)."""
    hop, window = int(FRAME_S * RATE), int(window_s * RATE)
    n = 1 + max(0, (audio.size - window) // hop)
    n_fft = 1 << int(np.ceil(np.log2(2 * window)))
    taper = np.hanning(window).astype(np.float32)
    taper_acf = np.fft.irfft(np.abs(np.fft.rfft(taper, n_fft)) ** 2, n_fft)[:window]
    low, high = int(RATE / fmax), int(RATE / fmin)
    out = np.zeros(n, np.float32)
    offsets = np.arange(window)[None, :]
    for first in range(0, n, block):
        last = min(n, first + block)
        frames = audio[(np.arange(first, last) * hop)[:, None] + offsets]
        frames = (frames - frames.mean(axis=1, keepdims=True)) * taper
        acf = np.fft.irfft(np.abs(np.fft.rfft(frames, n_fft, axis=1)) ** 2, n_fft, axis=1)[:, : high + 1]
        out[first:last] = (acf[:, low : high + 1] / (acf[:, :1] + 1e-12) / (taper_acf[low : high + 1] / taper_acf[0])).max(axis=1)
    return out


def background_aucs(spec: grid.ClipSpec) -> dict:
    audio, truth = load(spec)
    levels = segment.frame_levels_db(audio, RATE, frame_seconds=FRAME_S)
    n = levels.size
    features = {
        "level": uniform_filter1d(levels, 20),
        "periodicity": uniform_filter1d(np.pad(periodicity(audio), (0, n))[:n], 20),
        "level range": percentile_filter(levels, 90, size=40) - percentile_filter(levels, 10, size=40),
    }
    inside, gap = np.zeros(n, bool), np.zeros(n, bool)
    for s, e in truth:
        inside[int(s / FRAME_S) + 20 : int(e / FRAME_S) - 20] = True
    for (_, e0), (s1, _) in zip(truth, truth[1:]):
        if s1 - e0 >= 0.4:  # a reverberation tail's worth in from the end, 0.2 s from the next start
            gap[int(e0 / FRAME_S) + 20 : int(s1 / FRAME_S) - 20] = True
    return {name: auc(values[inside], values[gap]) for name, values in features.items()}


def ending_slope(text: str, voice: str) -> float:
    """The pitch slope over the last 0.4 s of ``text`` spoken alone in ``voice`` (clean)."""
    audio = librosa.resample(speak(text, voice=voice), orig_sr=ESPEAK_RATE, target_sr=RATE)
    return pitch_slope(audio, audio.size / RATE)


def hesitation_endings() -> None:
    print("Part 3: pitch slope (semitones/s) over the last 0.4 s, median over tuning sentences x voices")
    print(f"{'language':10s} {'sentences':>9s} {'whole sentence':>15s} {'first half':>11s} {'falling > 5 st/s: whole':>24s} {'first half':>11s}")
    for language in grid.LANGUAGES:
        texts = [t for t in corpus.SENTENCES["tune"][language] if len(t.split(" ")) > 3]
        if not texts:
            print(f"{language:10s} {0:9d} {'(no spaces: no hesitations)':>27s}")
            continue
        whole, half = [], []
        for voice in corpus.voices(language, "tune"):
            for text in texts:
                words = text.split(" ")
                whole.append(ending_slope(text, voice))
                half.append(ending_slope(" ".join(words[: len(words) // 2]), voice))
        falling = [float(np.mean(np.asarray(slopes)[np.isfinite(slopes)] < -5)) for slopes in (whole, half)]
        print(f"{language:10s} {len(whole):9d} {np.nanmedian(whole):+15.1f} {np.nanmedian(half):+11.1f} {falling[0]:24.2f} {falling[1]:11.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pitch", action="store_true", help="skip the pitch cue (pyin)")
    parser.add_argument("--hesitations", action="store_true", help="only part 3: how the grid's hesitations end")
    parser.add_argument("--reset-rule", action="store_true", help="only part 4: the pitch reset as a cut rule")
    parser.add_argument("--combined", action="store_true", help="only part 5: the cues together, tuning and held-out clips")
    args = parser.parse_args()
    if args.combined:
        combined(not args.no_pitch)
        return
    if args.hesitations:
        hesitation_endings()
        return
    if args.reset_rule:
        reset_rule()
        return
    specs = grid.specs("tune")
    rows = [row for spec in specs if spec.noise != "babble" for row in boundary_rows(spec, not args.no_pitch)]
    cues = ["pause", "pause / rate", "slower before", "energy drop", "pitch fall", "pitch reset"]
    print("Part 1: sentence gap (positive) against a pause inside a sentence, AUC, tuning clips, pink and music")
    print(f"{'language':10s} {'inside':>7s} {'between':>8s} " + " ".join(f"{c:>14s}" for c in cues))
    for language in (*grid.LANGUAGES, "all"):
        chosen = [r for r in rows if language in ("all", r["language"])]
        pos, neg = [r for r in chosen if r["between"]], [r for r in chosen if not r["between"]]
        print(f"{language:10s} {len(neg):7d} {len(pos):8d} "
              + " ".join(f"{auc([r[c] for r in pos], [r[c] for r in neg]):14.3f}" for c in cues))
    print("\nPart 2: speech frames (positive) against the background in gaps, AUC, tuning clips")
    names = ["level", "periodicity", "level range"]
    print(f"{'clip':30s} " + " ".join(f"{n:>12s}" for n in names))
    for spec in specs:
        if spec.noise in ("babble", "music"):
            found = background_aucs(spec)
            print(f"{spec.name:30s} " + " ".join(f"{found[n]:12.3f}" for n in names))
    print()
    hesitation_endings()


if __name__ == "__main__":
    main()
