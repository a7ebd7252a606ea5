"""Scores for the benchmark: frame F1, sentence integrity, SI-SDR, codec-delay alignment,
and how far a pooled score could move with another draw of the clips."""

from __future__ import annotations

import numpy as np

FRAME_S = 0.01
WHOLE_TOLERANCE_S = 0.05
HOLDS_MIN_OVERLAP_S = 0.1


def frame_mask(intervals, seconds: float) -> np.ndarray:
    mask = np.zeros(int(seconds / FRAME_S), bool)
    for start, end in intervals:
        mask[int(start / FRAME_S) : int(np.ceil(end / FRAME_S))] = True
    return mask


def frame_f1(truth, predicted, seconds: float) -> float:
    t, p = frame_mask(truth, seconds), frame_mask(predicted, seconds)
    tp = np.sum(t & p)
    return float(2 * tp / (t.sum() + p.sum())) if t.sum() + p.sum() else 1.0


def overlap(a, b) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def segment_scores(truth, segments) -> dict:
    """Sentences whole (inside one segment, ±50 ms), one sentence each, segments with no speech.

    A segment "holds" a sentence when they overlap by at least 0.1 s.
    """
    whole = sum(any(a <= s + WHOLE_TOLERANCE_S and e - WHOLE_TOLERANCE_S <= b for a, b in segments) for s, e in truth)
    holds = [sum(overlap(seg, sentence) >= HOLDS_MIN_OVERLAP_S for sentence in truth) for seg in segments]
    with_speech = [h for h in holds if h > 0]
    return {
        "sentences_whole": whole / len(truth) if truth else 1.0,
        "one_sentence_each": sum(h == 1 for h in with_speech) / len(with_speech) if with_speech else 0.0,
        "no_speech_share": sum(h == 0 for h in holds) / len(holds) if holds else 0.0,
        "segments": len(segments),
        "merged": sum(h > 1 for h in holds),
        # counts, so scores of many clips can be pooled
        "n_sentences": len(truth), "n_whole": int(whole), "n_with_speech": len(with_speech),
        "n_one": sum(h == 1 for h in with_speech), "n_no_speech": sum(h == 0 for h in holds),
    }


def pooled(scores: list[dict]) -> dict:
    """Sentence and segment scores of several clips, pooled (not an average of ratios)."""
    total = {key: sum(s[key] for s in scores) for key in ("n_sentences", "n_whole", "n_with_speech", "n_one", "n_no_speech", "segments")}
    return {
        "sentences_whole": total["n_whole"] / total["n_sentences"] if total["n_sentences"] else 1.0,
        "one_sentence_each": total["n_one"] / total["n_with_speech"] if total["n_with_speech"] else 0.0,
        "no_speech_share": total["n_no_speech"] / total["segments"] if total["segments"] else 0.0,
        **total,
    }


# Each pooled ratio and the two counts it divides, with its value when there is nothing to
# divide by (as ``pooled`` gives it).
RATIOS = {"sentences_whole": ("n_whole", "n_sentences", 1.0), "one_sentence_each": ("n_one", "n_with_speech", 0.0),
          "no_speech_share": ("n_no_speech", "segments", 0.0)}
# Resamples of the clips for an interval; with the seed fixed, a table of intervals comes out
# the same from the same results, as the benchmark's other figures do.
RESAMPLES = 4000
INTERVAL_SEED = 0


def _resampled(counts: list[np.ndarray], key: str, resamples: int, seed: int) -> list[np.ndarray]:
    """The ratio ``key`` of each set of clip counts, pooled over ``resamples`` draws of the
    clips with replacement; the sets are paired (row i of each is the same clip), so every
    draw takes the same clips from each."""
    empty = RATIOS[key][2]
    n = len(counts[0])
    picks = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    out = []
    for clip_counts in counts:
        sums = clip_counts[picks].sum(axis=1)
        out.append(np.where(sums[:, 1] > 0, sums[:, 0] / np.maximum(sums[:, 1], 1), empty))
    return out


def _counts(scores: list[dict], key: str, clusters: list | None = None) -> np.ndarray:
    """Each clip's (numerator, denominator) of ``key``; with ``clusters`` (a label per clip),
    summed per label, in the order the labels first appear."""
    numerator, denominator, _ = RATIOS[key]
    counts = np.array([[s[numerator], s[denominator]] for s in scores], float)
    if clusters is None:
        return counts
    if len(clusters) != len(scores):
        raise ValueError("give one cluster label per clip")
    labels = list(dict.fromkeys(clusters))
    return np.array([counts[[c == label for c in clusters]].sum(axis=0) for label in labels])


def interval(scores: list[dict], key: str, *, clusters: list | None = None, level: float = 0.95,
             resamples: int = RESAMPLES, seed: int = INTERVAL_SEED) -> tuple[float, float]:
    """A percentile bootstrap interval for ``pooled(scores)[key]``, resampling whole clips.

    A clip's sentences share its voices, noise and SNR, so they are not independent draws:
    resampling clips, not sentences, keeps that. Clips that share more than that (the
    recorded clips of one source share its speaker and its text) are resampled together,
    one ``clusters`` label per clip. ``key`` is one of ``RATIOS``; ``scores`` are
    ``segment_scores`` of one clip each. Returns (low, high) at ``level``.
    """
    if not scores:
        raise ValueError("an interval needs at least one clip")
    values = _resampled([_counts(scores, key, clusters)], key, resamples, seed)[0]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def difference(scores: list[dict], others: list[dict], key: str, *, clusters: list | None = None, level: float = 0.95,
               resamples: int = RESAMPLES, seed: int = INTERVAL_SEED) -> tuple[float, float, float]:
    """How much higher ``pooled(scores)[key]`` is than ``pooled(others)[key]``, two systems'
    scores of the same clips in the same order, and a paired bootstrap interval for it.

    Both systems are scored on every resampled set of clips, so what a hard clip costs both
    cancels out: the interval is narrower than two separate intervals suggest. Returns
    (difference, low, high); an interval above 0 says the first system is better on clips
    drawn like these, one around 0 that these clips cannot tell them apart. ``clusters``
    as for ``interval``.
    """
    if len(scores) != len(others) or not scores:
        raise ValueError("a paired difference needs the same clips, at least one, scored by both systems")
    ours, theirs = _resampled([_counts(scores, key, clusters), _counts(others, key, clusters)], key, resamples, seed)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(ours - theirs, [tail, 100 - tail])
    return pooled(scores)[key] - pooled(others)[key], float(low), float(high)


def between_draws(scores: list[dict], others: list[dict], key: str, *, level: float = 0.95,
                  resamples: int = RESAMPLES, seed: int = INTERVAL_SEED) -> tuple[float, float, float]:
    """How much higher ``pooled(scores)[key]`` is than ``pooled(others)[key]`` where the two
    are different clips (one system on two draws of clips, as ``bench/fresh.py`` compares
    them), and a bootstrap interval for it that resamples each set on its own. Returns
    (difference, low, high); an interval that leaves out 0 says the two draws differ by more
    than drawing the clips again explains."""
    if not scores or not others:
        raise ValueError("a difference between draws needs at least one clip in each")
    first = _resampled([_counts(scores, key)], key, resamples, seed)[0]
    second = _resampled([_counts(others, key)], key, resamples, seed + 1)[0]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(first - second, [tail, 100 - tail])
    return pooled(scores)[key] - pooled(others)[key], float(low), float(high)


def change_cell(defaults: list[dict], changed: list[dict], *, clusters: list | None = None) -> str:
    """What a variant changes against the defaults on the same clips, each pooled figure with
    its paired 95 % interval (``difference``): a change whose interval reaches across 0 is
    within what another draw of clips could give."""
    return " ".join(f"{label} {difference_cell(changed, defaults, key, clusters=clusters)}"
                    for key, label in (("sentences_whole", "whole"), ("one_sentence_each", "one"), ("no_speech_share", "nospeech")))


def difference_cell(scores: list[dict], others: list[dict], key: str, *, clusters: list | None = None) -> str:
    """``difference`` as the bench prints it: "+0.012 (-0.003 to +0.027)"."""
    change, low, high = difference(scores, others, key, clusters=clusters)
    return f"{change:+.3f} ({low:+.3f} to {high:+.3f})"


def marked_change_cell(change: float, low: float, high: float) -> str:
    """A difference and its interval as the tables of intervals print it, bold where the
    interval leaves out 0: "**-0.027** (-0.052 to -0.003)"."""
    text = f"{change:+.3f}"
    return f"{f'**{text}**' if low > 0 or high < 0 else text} ({low:+.3f} to {high:+.3f})"


def interval_cell(scores: list[dict], key: str, *, clusters: list | None = None) -> str:
    """``pooled(scores)[key]`` with its 95 % interval (``interval``): "0.976 (0.965–0.987)"."""
    low, high = interval(scores, key, clusters=clusters)
    return f"{pooled(scores)[key]:.3f} ({low:.3f}–{high:.3f})"


def score_cell(pooled: dict) -> str:
    """A pooled score (``pooled``) as the bench's tables print it: whole / one each / no speech."""
    return f"{pooled['sentences_whole']:.3f} / {pooled['one_sentence_each']:.3f} / {pooled['no_speech_share']:.3f}"


def by_language(per_clip: list[dict], languages: list[str]) -> dict:
    """Scores of several clips (one per clip, ``languages`` naming each clip's) pooled over
    all of them (``all``) and per language (a language with no clip is left out), with the
    worst clip's "whole" and "one each" (``worst_whole``, ``worst_one``)."""
    out = {"all": pooled(per_clip), "worst_whole": min(s["sentences_whole"] for s in per_clip),
           "worst_one": min(s["one_sentence_each"] for s in per_clip)}
    for language in dict.fromkeys(languages):
        out[language] = pooled([s for s, named in zip(per_clip, languages) if named == language])
    return out


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    n = min(estimate.size, reference.size)
    estimate, reference = estimate[:n].astype(np.float64), reference[:n].astype(np.float64)
    estimate = estimate - estimate.mean()
    reference = reference - reference.mean()
    target = np.dot(estimate, reference) / np.dot(reference, reference) * reference
    return float(10 * np.log10(np.dot(target, target) / np.dot(estimate - target, estimate - target)))


def delay_samples(signal: np.ndarray, reference: np.ndarray, *, max_lag: int = 4096, start: int = 16000 * 30, length: int = 16000 * 60) -> int:
    """How many samples ``signal`` lags ``reference`` (codec priming), by cross-correlation."""
    a = signal[start : start + length].astype(np.float64)
    b = reference[start : start + length].astype(np.float64)
    size = 1 << int(np.ceil(np.log2(a.size + b.size)))
    corr = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    values = np.concatenate([corr[: max_lag + 1], corr[-max_lag:]])
    return int(lags[np.argmax(values)])


def align(signal: np.ndarray, lag: int) -> np.ndarray:
    """Undo a lag found by ``delay_samples``."""
    return signal[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag, signal.dtype), signal])
