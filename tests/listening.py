"""A reviewer listening the way the page does, for tests that need heard segments.

``hear`` records what the media route records after sending a segment's whole audio, then
reports the segment played in pieces while the test's settable clock moves on as fast as
the fastest playback, so the Workbench's listening rules hold as they would in a browser.
"""

from __future__ import annotations

import json

# The Origin header of the app's own pages (TestClient's base URL): what a state-changing
# request needs to pass the same-origin check.
OWN_ORIGIN = {"Origin": "http://testserver"}

# Ids in a listening route's path that name nothing: zero, negative, not a number, too big.
JUNK_IDS = ["0", "-1", "abc", "1.5", "99999999", "1e3", "%00", "9" * 40]
# Play reports the listening rules refuse: empty, backwards, outside the audio, not pairs of
# numbers, not finite, more intervals than one report may hold.
JUNK_INTERVALS = [[], [[2.0, 1.0]], [[-1.0, 1.0]], [[0.0, 99.0]], "all", [["a", "b"]],
                  [[0.0, float("nan")]], [[0.0, 1.0]] * 101]

def refused_without_leak(response, statuses: tuple[int, ...], hidden: tuple[str, ...]) -> None:
    """A JSON refusal with one of ``statuses`` that carries no audio and none of the
    ``hidden`` texts (the transcripts an attacker must not read)."""
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert b"fLaC" not in response.content and not any(text in response.text for text in hidden)


def junk_id_answers(client, audio_path: str, play_path: str) -> tuple:
    """The answers of a listening door's audio route and play route to an id that names
    nothing (the id already in both paths)."""
    return client.get(audio_path), client.post(play_path, headers=OWN_ORIGIN, json={"intervals": [[0.0, 1.0]]})


def raw_play_report(client, play_path: str, intervals):
    """A play report sent as raw JSON, NaN allowed: what a hostile page could send."""
    return client.post(play_path, headers={**OWN_ORIGIN, "Content-Type": "application/json"},
                       content=json.dumps({"intervals": intervals}, allow_nan=True))


def hear(wb, reviewer, segments, clock) -> None:
    """``reviewer`` hears every one of ``segments`` (SegmentViews) from start to end."""
    for segment in segments:
        wb.record_audio_sent(reviewer, segment.id, bounds=(segment.start, segment.end), sent=(0.0, segment.duration))
        _play_through(wb, clock, segment.duration,
                      lambda pair, segment=segment: wb.record_play(reviewer, segment.id, intervals=[pair]))


def hear_check(wb, senior, check, clock) -> None:
    """``senior`` hears the segment of ``check`` (a SeniorCheckView) from start to end, the
    way the "Checks for you" player does (its own audio route and play reports)."""
    wb.record_check_audio_sent(senior, check.id, bounds=check.bounds, sent=(0.0, check.duration))
    _play_through(wb, clock, check.duration, lambda pair: wb.record_check_play(senior, check.id, intervals=[pair]))


def hear_dispute(wb, settler, dispute, clock) -> None:
    """``settler`` hears the span of ``dispute`` (a DisputeView) from start to end, the way the
    "Disputes" player does (the dispute's own audio route and play reports)."""
    wb.record_dispute_audio_sent(settler, dispute.id, bounds=(dispute.start, dispute.end),
                                 sent=(0.0, dispute.duration))
    _play_through(wb, clock, dispute.duration,
                  lambda pair: wb.record_dispute_play(settler, dispute.id, intervals=[pair]))


def _play_through(wb, clock, duration: float, report) -> None:
    """``report((from, to))`` each piece of ``duration`` seconds, the clock moving on as fast
    as the fastest playback."""
    piece, rate = wb.policy.listening_allowance, wb.policy.max_playback_rate
    at = 0.0
    while at < duration:
        until = min(duration, at + piece)
        clock.advance(seconds=(until - at) / rate)
        report((at, until))
        at = until
