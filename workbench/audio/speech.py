"""Finding speech: webrtcvad's frame decisions and the level turned into padded segments,
with the dropped bursts and the noise-only stretches beside them (the ``segment`` stage of
the pipeline; the steps themselves are ``workbench.audio.segment``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from workbench.audio import second_opinion, segment, vad
from workbench.audio.settings import SAMPLE_RATE, PipelineSettings

LEVEL_FRAME_S = 0.01


@dataclass(frozen=True)
class Found:
    """What the segment stage found, in seconds on the clip's timeline."""

    speech: np.ndarray  # (m, 2) seconds, unpadded
    padded: np.ndarray  # (m, 2) seconds, what is cut
    bursts: np.ndarray  # (k, 2) seconds, dropped
    noise: np.ndarray  # (j, 2) seconds, noise-only stretches
    opinion: second_opinion.Verdict = second_opinion.Verdict(used=False, reason="turned off in the settings")
    detector_gain_db: float = 0.0  # what webrtcvad and the model heard the clip lifted by (0: as recorded)
    low_band_db: float = 0.0  # ``segment.low_band_db`` of the clip
    narrowband: bool = False  # heard as a telephone line: webrtcvad's pauses need the level's agreement


def find_speech(audio: np.ndarray, settings: PipelineSettings, cues: Sequence[segment.Cue] = ()) -> Found:
    """Segments of the high-passed audio, from webrtcvad's frame decisions and the level."""
    frame_seconds = settings.vad_frame_ms / 1000
    levels = segment.frame_levels_db(audio, SAMPLE_RATE, frame_seconds=LEVEL_FRAME_S)
    gain = segment.detector_gain(levels, settings.detector_level_db)
    decisions = vad.vad_frames(audio, SAMPLE_RATE, aggressiveness=settings.vad_aggressiveness, frame_ms=settings.vad_frame_ms,
                               gain=gain)
    smoothed = segment.smooth_hysteresis(
        decisions, window=max(1, round(settings.hysteresis_window_s / frame_seconds)),
        on=settings.hysteresis_on, off=settings.hysteresis_off,
    )
    candidates = segment.speech_intervals(smoothed, frame_seconds=frame_seconds, min_pause=settings.min_pause_s)
    # The candidates cover every later segment and dropped burst (splitting changes no coverage),
    # so these stretches hold neither voice nor knocks and coughs: the noise profile's source.
    noise = segment.noise_intervals(decisions, frame_seconds=frame_seconds, exclude=candidates)
    # Per-frame arrays are 2 million long on a six-hour clip: each is freed once used, and
    # only the frame levels (float64) and bool masks are ever whole.
    del decisions, smoothed
    noise_frames = segment.frame_mask(noise, levels.size, frame_seconds=LEVEL_FRAME_S)
    floor_db = segment.selected_median(levels, noise_frames) if noise_frames.any() else float(levels.min())
    del noise_frames
    quiet = segment.quiet_frames(
        levels, frame_seconds=LEVEL_FRAME_S, floor_db=floor_db, margin_db=settings.quiet_margin_db,
        below_speech_db=settings.pause_below_speech_db,
    )
    low_band_db, narrowband, agreement = pause_agreement(audio, settings)
    if agreement > 0:
        candidates = segment.join_unheard_pauses(candidates, quiet, frame_seconds=LEVEL_FRAME_S, min_share=agreement)
    candidates = segment.split_at_quiet_frames(candidates, quiet, frame_seconds=LEVEL_FRAME_S, min_pause=settings.min_quiet_s)
    # A beep over background must not lift it to the speakers' level: tones are left out.
    tones = (segment.tone_frames(audio, SAMPLE_RATE, candidates, n_frames=levels.size, frame_seconds=LEVEL_FRAME_S)
             if settings.background_ignores_tones else None)
    speech, background = segment.drop_background(
        candidates, levels, frame_seconds=LEVEL_FRAME_S, below_speech_db=settings.background_below_speech_db, tones=tones,
    )
    model = second_opinion.load() if settings.second_opinion else None
    if model is not None:
        model = replace(model, gain=gain)
    # Where Silero's model will judge the short segments, it judges the bursts too.
    judged = model is not None and settings.opinion_check_below_s > 0
    speech, bursts = segment.drop_bursts(speech, audio, SAMPLE_RATE,
                                         min_voiced=settings.opinion_min_voiced_s if judged else settings.min_voiced_s)
    bursts = np.concatenate([bursts, background]) if len(background) else bursts
    if settings.min_level_range_db > 0:
        speech, flat = segment.drop_flat(speech, levels, frame_seconds=LEVEL_FRAME_S, min_range_db=settings.min_level_range_db,
                                         clip_share=settings.min_level_range_share)
        bursts = np.concatenate([bursts, flat]) if len(flat) else bursts
    speech, unheard, opinion = _second_opinion(speech, audio, levels, tones, floor_db, quiet, settings, noise, model)
    if settings.comma_max_pause_s > 0:
        speech = segment.join_comma_pauses(speech, quiet, frame_seconds=LEVEL_FRAME_S, max_pause=settings.comma_max_pause_s,
                                            short_piece=settings.comma_short_piece_s)
    del levels, quiet, tones
    bursts = np.concatenate([bursts, unheard]) if len(unheard) else bursts
    speech = segment.apply_cues(speech, cues)
    speech = segment.split_long(speech, audio, SAMPLE_RATE, max_seconds=settings.max_segment_s,
                                 window=settings.max_segment_split_window_s)
    padded = segment.pad_intervals(speech, padding=settings.padding_s, duration=audio.size / SAMPLE_RATE)
    return Found(speech=speech, padded=padded, bursts=bursts, noise=noise, opinion=opinion,
                 detector_gain_db=round(20 * float(np.log10(gain)), 2), low_band_db=round(low_band_db, 1),
                 narrowband=narrowband)


def pause_agreement(audio: np.ndarray, settings: PipelineSettings) -> tuple[float, bool, float]:
    """``(low_band_db, narrowband, share)``: the clip's ``segment.low_band_db``, whether it is
    narrowband (a telephone line), and the share of a webrtcvad pause's frames the level must
    hear as quiet to keep it. Without the voice's low band webrtcvad drops out inside
    sentences, so there ``narrowband_pause_agreement`` is asked, if it is the larger."""
    low_band_db = segment.low_band_db(audio, SAMPLE_RATE)
    narrowband = low_band_db <= settings.narrowband_low_band_db
    share = max(settings.pause_agreement, settings.narrowband_pause_agreement) if narrowband else settings.pause_agreement
    return low_band_db, narrowband, share


def _second_opinion(speech: np.ndarray, audio: np.ndarray, levels: np.ndarray, tones: np.ndarray | None, floor_db: float,
                    quiet: np.ndarray, settings: PipelineSettings, noise: np.ndarray,
                    opinion: second_opinion.Opinion | None) -> tuple[np.ndarray, np.ndarray, second_opinion.Verdict]:
    """Silero's second opinion (``opinion``, the loaded model, or None) on the short and the
    long segments (on every segment when the background left little noise between them);
    without it the segments unchanged and a verdict saying why. ``tones`` (or None): the
    frames left out of the level when the pieces are judged as background again."""
    if opinion is None:
        reason = second_opinion.MISSING if settings.second_opinion else "turned off in the settings"
        return speech, np.zeros((0, 2)), second_opinion.Verdict(used=False, reason=reason)
    busy = segment.total_seconds(noise) < settings.opinion_busy_noise_share * audio.size / SAMPLE_RATE
    speech, level_split, over_floor = _level_split(speech, levels, floor_db, settings, busy=busy)
    # A gap long enough for this split and still over the floor is one the background filled,
    # so it runs only in a busy clip: elsewhere the first pass heard the gaps itself, and all
    # it found on the tuning and recorded clips was a reader's soft phrase inside a sentence.
    if settings.opinion_long_pause_below_speech_db > 0 and busy:
        speech = segment.split_long_at_local_pauses(
            speech, levels, frame_seconds=LEVEL_FRAME_S, longer_than=settings.opinion_long_pause_s, floor_db=floor_db,
            margin_db=settings.quiet_margin_db, below_speech_db=settings.opinion_long_pause_below_speech_db,
            min_pause=settings.opinion_long_pause_s,
        )
    check_below_s = settings.opinion_check_below_s
    if busy:
        check_below_s = max(check_below_s, settings.opinion_split_above_s + 1e-9)
    speech, dropped, verdict = second_opinion.refine(
        speech, audio, quiet, opinion=opinion, quiet_frame_s=LEVEL_FRAME_S, check_below_s=check_below_s,
        min_speech_share=settings.opinion_min_speech_share, min_speech_s=settings.opinion_min_speech_s,
        split_above_s=settings.opinion_split_above_s,
        min_pause_s=settings.opinion_min_pause_s, min_quiet_share=settings.opinion_pause_quiet_share,
    )
    if settings.opinion_background_below_speech_db > 0:
        # The model hears babble as speech, so the pieces of it the splits left are judged
        # by the level again, as the first pass's segments were (``drop_background``).
        speech, background = segment.drop_background(
            speech, levels, frame_seconds=LEVEL_FRAME_S, below_speech_db=settings.opinion_background_below_speech_db, tones=tones,
        )
        dropped = np.concatenate([dropped.reshape(-1, 2), background])
    return speech, dropped, replace(verdict, level_split=level_split, speech_over_floor_db=over_floor)


def _level_split(speech: np.ndarray, levels: np.ndarray, floor_db: float, settings: PipelineSettings, *,
                 busy: bool) -> tuple[np.ndarray, bool, float]:
    """Long segments split where the level stays well under the speech around it, in a busy
    clip (music or babble filled the gaps: the first pass left little noise) or one whose
    speech stands under ``opinion_level_split_max_snr_db`` over the floor (any, at 0); the
    segments, whether it ran, and the speech's height over the floor (dB). A busy clip's
    floor comes from the few moments the background let through, so its height says nothing.
    The longest pauses are cut first, each piece again only while it is longer than
    ``opinion_level_split_keep_below_s``, and never where a piece would be shorter than
    ``opinion_level_split_min_piece_s``, so a sentence's commas stay whole.

    The stricter level pause leaves pieces of background where it cuts inside music or
    babble; the model is what drops them, so it comes only with the model."""
    mask = segment.frame_mask(speech, levels.size, frame_seconds=LEVEL_FRAME_S)
    over_floor = segment.selected_percentile(levels, mask, 75) - floor_db if mask.any() else 0.0
    del mask
    limit = settings.opinion_level_split_max_snr_db
    if limit and over_floor >= limit and not busy:
        return speech, False, over_floor
    speech = segment.split_long_at_local_pauses(
        speech, levels, frame_seconds=LEVEL_FRAME_S, longer_than=settings.opinion_level_split_above_s, floor_db=floor_db,
        margin_db=settings.quiet_margin_db, below_speech_db=settings.opinion_level_pause_below_speech_db,
        min_pause=settings.min_quiet_s, keep_below=settings.opinion_level_split_keep_below_s,
        min_piece=settings.opinion_level_split_min_piece_s,
    )
    return speech, True, over_floor
