"""Scores for the benchmark: frame F1, sentence integrity, SI-SDR, codec-delay alignment."""

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
