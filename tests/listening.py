"""A reviewer listening the way the page does, for tests that need heard segments.

``hear`` records what the media route records after sending a segment's whole audio, then
reports the segment played in pieces while the test's settable clock moves on as fast as
the fastest playback, so the Workbench's listening rules hold as they would in a browser.
"""

from __future__ import annotations


def hear(wb, reviewer, segments, clock) -> None:
    """``reviewer`` hears every one of ``segments`` (SegmentViews) from start to end."""
    piece, rate = wb.policy.listening_allowance, wb.policy.max_playback_rate
    for segment in segments:
        wb.record_audio_sent(reviewer, segment.id, bounds=(segment.start, segment.end), sent=(0.0, segment.duration))
        at = 0.0
        while at < segment.duration:
            until = min(segment.duration, at + piece)
            clock.advance(seconds=(until - at) / rate)
            wb.record_play(reviewer, segment.id, intervals=[(at, until)])
            at = until


def hear_check(wb, senior, check, clock) -> None:
    """``senior`` hears the segment of ``check`` (a SeniorCheckView) from start to end, the
    way the "Checks for you" player does (its own audio route and play reports)."""
    piece, rate = wb.policy.listening_allowance, wb.policy.max_playback_rate
    wb.record_check_audio_sent(senior, check.id, bounds=check.bounds, sent=(0.0, check.duration))
    at = 0.0
    while at < check.duration:
        until = min(check.duration, at + piece)
        clock.advance(seconds=(until - at) / rate)
        wb.record_check_play(senior, check.id, intervals=[(at, until)])
        at = until
