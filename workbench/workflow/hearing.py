"""What a listener heard of a segment, judged by the server: shared by the reviewer's review
(review.py), the senior's second look (reviewer_checks.py) and the settling of a double
transcription's dispute (double.py).

The media route records which spans of a segment's audio it sent (``record_sent``); the
page reports the intervals its player played (``credit_play``), and the listener is
credited with the part of them that was sent to them, not heard before, and that the wall
clock allows (one allowance per person: one pair of ears, whatever the segment). Credit is
tied to the segment's bounds and text version (``models.Play``). The callers decide who may
listen; nothing here asks ``access``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from workbench.store import repo
from workbench.store.models import AudioSent, ListeningClock, Play, Segment
from workbench.workflow.errors import InvalidTransition, message_id
from workbench.workflow.listening import Span, SpanWords, intersect, reported_spans, subtract, take, total
from workbench.workflow.policy import Policy
from workbench.workflow.views import heard_share

PLAY_WORDS = SpanWords(
    not_a_list=message_id("Report the played intervals as a list of [start, end] pairs."),
    empty=message_id("Report at least one played interval [start, end]."),
    too_many=message_id("Report at most {count} intervals at a time."),
    not_numbers=message_id("Each interval is two numbers, [start, end] in seconds."),
    out_of_bounds=message_id("The interval [{start}, {end}] is not within the segment's {duration} s."))


def record_sent(session, user_id: int, segment: Segment, *, bounds: tuple[float, float],
                sent: tuple[float, float], now: datetime) -> bool:
    """Keep that the span ``sent`` (seconds into the segment) of the audio cut at ``bounds``
    went to ``user_id``; whether it was a span at all."""
    start, end = (float(x) for x in bounds)
    sent_from, sent_to = max(0.0, float(sent[0])), min(float(sent[1]), end - start)
    if not sent_to > sent_from:
        return False
    session.add(AudioSent(segment_id=segment.id, user_id=user_id, start_s=start, end_s=end,
                          from_s=sent_from, to_s=sent_to, sent_at=now))
    return True


def credit_play(session, policy: Policy, user_id: int, segment: Segment,
                intervals: Iterable[Sequence[float]], now: datetime) -> None:
    """Credit ``user_id`` with the intervals ``[start, end]`` their player played of
    ``segment``, within what was sent to them (InvalidTransition if nothing was) and the
    wall clock's allowance. Junk intervals: InvalidInput, nothing recorded."""
    reported = played_spans(policy, intervals, segment.end_s - segment.start_s)
    repo.lock_user(session, user_id)
    sent = repo.sent_spans(session, user_id, segment, until=now)
    if not sent:
        raise InvalidTransition.worded(
            message_id("The audio of segment {position} was not sent to you yet: play it here first."),
            position=segment.position)
    heard = repo.heard_spans(session, user_id, [segment])[segment.id]
    clock = repo.listening_clock(session, user_id)
    allowance = listening_allowance(policy, clock, now)
    credited = take(subtract(intersect(reported, sent), heard), allowance)
    for start, end in credited:
        session.add(Play(segment_id=segment.id, user_id=user_id, start_s=segment.start_s, end_s=segment.end_s,
                         version=segment.version, from_s=start, to_s=end, created_at=now))
    if clock is None:
        clock = ListeningClock(user_id=user_id)
        session.add(clock)
    clock.allowance_s, clock.at = allowance - total(credited), now
    session.flush()


def shares_heard(session, user_id: int, segments: Sequence[Segment]) -> dict[int, float]:
    """``{segment id: the share (0..1) of its current audio and text user_id has heard}``."""
    heard = repo.heard_spans(session, user_id, segments)
    return {s.id: heard_share(heard.get(s.id, ()), s.end_s - s.start_s) for s in segments}


def require_heard(session, policy: Policy, user_id: int, segment: Segment, *, refusal: str) -> None:
    """InvalidTransition unless ``user_id`` has heard ``policy.heard_share`` of ``segment``'s
    audio: the caller's ``refusal``, a ``message_id`` template of ``{share}`` (heard) and
    ``{needed}``, e.g. "Play the span to the end before settling: ..."."""
    share = shares_heard(session, user_id, [segment])[segment.id]
    if share < policy.heard_share:
        raise InvalidTransition.worded(refusal, share=f"{share:.0%}", needed=f"{policy.heard_share:.0%}")


def played_spans(policy: Policy, intervals: Iterable[Sequence[float]], duration: float) -> list[Span]:
    """Reported intervals as spans within the segment (``listening.reported_spans``, up to
    ``policy.play_tolerance`` past its end, cut at it), or InvalidInput."""
    spans = reported_spans(intervals, PLAY_WORDS, at_most=policy.max_play_intervals,
                           high=duration + policy.play_tolerance, duration=f"{duration:.2f}")
    return [(start, min(end, duration)) for start, end in spans]


def listening_allowance(policy: Policy, clock: ListeningClock | None, now: datetime) -> float:
    """Seconds of audio the listener may be credited with now: what was left, refilled at
    ``max_playback_rate`` since, up to ``listening_allowance``. A clock that went back (or a
    first report) starts full rather than locking the listener out."""
    full = policy.listening_allowance
    if clock is None or now < clock.at:
        return full
    refill = (now - clock.at).total_seconds() * policy.max_playback_rate
    return min(full, clock.allowance_s + refill)
