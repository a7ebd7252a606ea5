"""Frame-level speech decisions from webrtcvad."""

from __future__ import annotations

import numpy as np
import webrtcvad

VAD_RATES = (8000, 16000, 32000, 48000)


def vad_frames(audio: np.ndarray, sample_rate: int, *, aggressiveness: int = 2, frame_ms: int = 10,
               gain: float = 1.0) -> np.ndarray:
    """Ask webrtcvad whether each frame is speech.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,), float in [-1, 1]
    sample_rate : one of 8000, 16000, 32000, 48000 Hz (what webrtcvad accepts).
    aggressiveness : 0 (keeps most) .. 3 (drops most non-speech).
    frame_ms : 10, 20 or 30 ms.
    gain : what ``audio`` is multiplied by before webrtcvad hears it (as 16-bit samples,
        clipped to their range); its thresholds are absolute (``segment.detector_gain``).

    Returns
    -------
    np.ndarray of bool, shape (n_samples // frame_samples,)
        One decision per whole frame; a trailing partial frame is not judged.
    """
    if audio.ndim != 1:
        raise ValueError("audio must be 1-D")
    if sample_rate not in VAD_RATES or frame_ms not in (10, 20, 30) or aggressiveness not in range(4):
        raise ValueError(f"webrtcvad needs a rate in {VAD_RATES}, 10/20/30 ms frames and mode 0..3")
    vad = webrtcvad.Vad(aggressiveness)
    frame = sample_rate * frame_ms // 1000
    n_frames = audio.size // frame
    decisions = np.zeros(n_frames, dtype=bool)
    frames_per_block = 1000  # ten seconds of 10 ms frames: bounds the float and int16 copies
    for first in range(0, n_frames, frames_per_block):
        last = min(first + frames_per_block, n_frames)
        block = np.clip(audio[first * frame : last * frame] * (32767.0 * gain), -32768, 32767).astype(np.int16).tobytes()
        step = frame * 2
        decisions[first:last] = [vad.is_speech(block[i : i + step], sample_rate) for i in range(0, len(block), step)]
    return decisions
