"""Frame-level speech decisions from webrtcvad."""

from __future__ import annotations

import numpy as np
import webrtcvad

VAD_RATES = (8000, 16000, 32000, 48000)
# Frames judged per int16 conversion: bounds the copy for a long block (a minute of 10 ms frames).
FRAMES_PER_BLOCK = 6000


class FrameClassifier:
    """webrtcvad over consecutive blocks of one stream.

    webrtcvad adapts to the signal as it goes, so feeding a clip block by block (each a
    whole number of frames) gives exactly the decisions of one pass over the whole clip.

    Example::

        classify = FrameClassifier(16000, aggressiveness=3, frame_ms=10)
        decisions = np.concatenate([classify(block) for block in blocks])
    """

    def __init__(self, sample_rate: int, *, aggressiveness: int = 2, frame_ms: int = 10) -> None:
        if sample_rate not in VAD_RATES or frame_ms not in (10, 20, 30) or aggressiveness not in range(4):
            raise ValueError(f"webrtcvad needs a rate in {VAD_RATES}, 10/20/30 ms frames and mode 0..3")
        self.sample_rate = sample_rate
        self.frame = sample_rate * frame_ms // 1000
        self._is_speech = webrtcvad.Vad(aggressiveness).is_speech

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """Decisions for the whole frames of ``audio`` (float in [-1, 1], shape (n_samples,)).

        Returns bool of shape ``(n_samples // frame,)``; a trailing partial frame is not
        judged, so blocks should hold whole frames.
        """
        if audio.ndim != 1:
            raise ValueError("audio must be 1-D")
        frame, rate, is_speech = self.frame, self.sample_rate, self._is_speech
        n_frames = audio.size // frame
        decisions = np.zeros(n_frames, dtype=bool)
        step = frame * 2
        for first in range(0, n_frames, FRAMES_PER_BLOCK):
            last = min(first + FRAMES_PER_BLOCK, n_frames)
            block = np.clip(audio[first * frame : last * frame] * 32767.0, -32768, 32767).astype(np.int16).tobytes()
            decisions[first:last] = [is_speech(block[i : i + step], rate) for i in range(0, len(block), step)]
        return decisions


def vad_frames(audio: np.ndarray, sample_rate: int, *, aggressiveness: int = 2, frame_ms: int = 10) -> np.ndarray:
    """Ask webrtcvad whether each frame is speech.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,), float in [-1, 1]
    sample_rate : one of 8000, 16000, 32000, 48000 Hz (what webrtcvad accepts).
    aggressiveness : 0 (keeps most) .. 3 (drops most non-speech).
    frame_ms : 10, 20 or 30 ms.

    Returns
    -------
    np.ndarray of bool, shape (n_samples // frame_samples,)
        One decision per whole frame; a trailing partial frame is not judged.
    """
    return FrameClassifier(sample_rate, aggressiveness=aggressiveness, frame_ms=frame_ms)(audio)
