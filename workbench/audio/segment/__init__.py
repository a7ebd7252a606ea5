"""From frame decisions to one-sentence segments.

The steps, in the order the pipeline runs them: smooth the webrtcvad decisions with
hysteresis, join speech separated by less than a pause, split again where the level itself
shows a long enough pause, drop isolated bursts that have no voiced (periodic, non-tonal)
sound, split over-long segments at their quietest point, and pad the edges without
overlapping neighbours. Intervals are ``(m, 2)`` float arrays of
``[start, end)`` seconds, sorted and non-overlapping.

One module per stage: ``frames`` (per-frame levels and masks), ``pauses`` (where segments
start and end), ``commas`` (the clip's own comma pauses, joined again), ``drop`` (what is not
speech), ``edges`` (cues and padding). Callers use
``segment.<name>``; the names are gathered here.
"""

from __future__ import annotations

from workbench.audio.segment.commas import (
    boundary_pauses,
    comma_mode,
    join_comma_pauses,
)
from workbench.audio.segment.drop import (
    drop_background,
    drop_bursts,
    drop_flat,
    tone_frames,
    voiced_seconds,
    voicing,
)
from workbench.audio.segment.edges import Cue, apply_cues, pad_intervals
from workbench.audio.segment.frames import (
    detector_gain,
    frame_levels_db,
    frame_mask,
    frame_powers,
    local_speech_db,
    low_band_db,
    runs,
    selected_median,
    selected_percentile,
    smooth_hysteresis,
    total_seconds,
)
from workbench.audio.segment.pauses import (
    HEARD_PAUSE_S,
    join_unheard_pauses,
    long_pause_cuts,
    noise_intervals,
    pause_threshold_db,
    pauses_within,
    quiet_frames,
    sound_between,
    speech_intervals,
    split_at_long_pauses,
    split_at_longest_pauses,
    split_at_quiet,
    split_at_quiet_frames,
    split_long,
    split_long_at_local_pauses,
)

__all__ = [
    "HEARD_PAUSE_S", "Cue", "apply_cues", "boundary_pauses", "comma_mode", "detector_gain", "drop_background", "drop_bursts", "drop_flat",
    "frame_levels_db", "frame_mask", "frame_powers", "join_comma_pauses", "join_unheard_pauses", "local_speech_db", "long_pause_cuts", "noise_intervals",
    "pad_intervals", "pause_threshold_db", "pauses_within", "quiet_frames", "runs", "selected_median", "selected_percentile", "sound_between",
    "smooth_hysteresis", "speech_intervals", "total_seconds", "split_at_long_pauses", "split_at_longest_pauses", "split_at_quiet", "split_at_quiet_frames", "split_long",
    "split_long_at_local_pauses", "tone_frames", "voiced_seconds", "voicing",
]
