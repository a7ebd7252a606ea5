"""What counts as heard, in the Workbench: the audio sent to the reviewer, the intervals
played inside it, the wall clock, and the segment's version. (The attacks through HTTP are
in test_ui_listening.py.)"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.listening import hear
from workbench.workflow.errors import InvalidInput, InvalidTransition
from workbench.workflow.listening import intersect, subtract, take, total, union
from workbench.workflow.media import SegmentAudio

TEXTS = ["안녕하세요.", "반갑습니다.", "네 좋아요."]


@pytest.fixture
def submitted(wb, wb_people, wb_clip):
    """A three-segment ko task tina transcribed and submitted."""
    wb_clip()
    task_id = wb.claim_next(wb_people.tina).id
    for segment, text in zip(wb.open_task(wb_people.tina, task_id).segments, TEXTS):
        wb.save_text(wb_people.tina, segment.id, text, base_version=segment.version)
    wb.submit_task(wb_people.tina, task_id)
    return task_id


def send(wb, reviewer, segment, span=None):
    """What the media route records once the reviewer's download of ``span`` completed."""
    return wb.record_audio_sent(reviewer, segment.id, bounds=(segment.start, segment.end),
                                sent=span or (0.0, segment.duration))


def second_round(wb, people, task_id, clock, *, rework):
    """Rita hears everything and returns segments 2 and 3; tina ``rework``s the task
    (gets her segment views) and resubmits; rita opens the second round."""
    first = wb.start_review(people.rita, task_id)
    hear(wb, people.rita, first.segments, clock)
    wb.accept_segment(people.rita, first.segments[0].id)
    for segment in first.segments[1:]:
        wb.return_segment(people.rita, segment.id, "다시 들어 보세요.")
    wb.finish_review(people.rita, task_id)
    rework(wb.open_task(people.tina, task_id).segments)
    wb.submit_task(people.tina, task_id)
    return wb.start_review(people.rita, task_id).segments


def test_a_segment_whose_text_changed_in_rework_must_be_heard_again(wb, wb_people, submitted, wb_clock):
    def rework(segments):
        wb.save_text(wb_people.tina, segments[1].id, "반가워요.", base_version=segments[1].version)

    segments = second_round(wb, wb_people, submitted, wb_clock, rework=rework)
    changed, unchanged = segments[1], segments[2]
    assert (changed.heard, changed.heard_share) == (False, 0.0)
    with pytest.raises(InvalidTransition, match="Listen to segment 2"):
        wb.accept_segment(wb_people.rita, changed.id)
    # The same reviewer heard this very audio with this very text: hearing it again would
    # prove nothing more, so it keeps its mark.
    assert unchanged.heard
    assert wb.accept_segment(wb_people.rita, unchanged.id).status == "accepted"
    # The audio did not change, so what was sent still counts; the listening must be new.
    wb_clock.advance(seconds=changed.duration)
    assert wb.record_play(wb_people.rita, changed.id, intervals=[(0, changed.duration)]).heard


def test_a_segment_whose_bounds_changed_must_be_fetched_and_heard_again(wb, wb_people, submitted, wb_clock):
    def rework(segments):
        merged = wb.merge_with_next(wb_people.tina, segments[1].id)
        wb.save_text(wb_people.tina, merged.id, "반갑습니다 네 좋아요.", base_version=merged.version)

    merged = second_round(wb, wb_people, submitted, wb_clock, rework=rework)[1]
    assert not merged.heard
    wb_clock.advance(minutes=5)
    # Audio sent for the old bounds is other audio.
    with pytest.raises(InvalidTransition, match="not sent to you"):
        wb.record_play(wb_people.rita, merged.id, intervals=[(0, merged.duration)])
    hear(wb, wb_people.rita, [merged], wb_clock)
    assert wb.accept_segment(wb_people.rita, merged.id).status == "accepted"


def test_only_the_reviewer_holding_the_review_gets_audio_recorded_as_sent(wb, wb_people, submitted):
    segment = wb.open_task(wb_people.tina, submitted).segments[0]
    assert not send(wb, wb_people.rita, segment)  # not in review yet
    assert not send(wb, wb_people.tina, segment)
    wb.start_review(wb_people.rita, submitted)
    assert not send(wb, wb_people.bo, segment)
    assert send(wb, wb_people.rita, segment)


def test_intervals_count_only_inside_the_audio_sent(wb, wb_people, submitted, wb_clock):
    segment = wb.start_review(wb_people.rita, submitted).segments[2]  # 3 s
    send(wb, wb_people.rita, segment, (0.0, 1.5))
    wb_clock.advance(seconds=10)
    assert wb.record_play(wb_people.rita, segment.id, intervals=[(0, 3)]).heard_share == pytest.approx(0.5)
    send(wb, wb_people.rita, segment, (1.5, 3.0))
    assert wb.record_play(wb_people.rita, segment.id, intervals=[(0, 3)]).heard


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("intervals", "message"), [
    ([], "at least one"),
    ([(0, 1)] * 101, "at most 100"),
    ([(float("nan"), 1)], "not within"),
    ([(0, float("inf"))], "not within"),
    ([(-0.5, 1)], "not within"),
    ([(2, 1)], "not within"),
    ([(0, 3.3)], "not within"),
    ([(0,)], "two numbers"),
    ([("a", "b")], "two numbers"),
    ([None], "two numbers"),
])
def test_junk_intervals_are_refused_and_record_nothing(wb, wb_people, submitted, wb_clock, intervals, message):
    segment = wb.start_review(wb_people.rita, submitted).segments[2]  # 3 s
    send(wb, wb_people.rita, segment)
    wb_clock.advance(seconds=10)
    with pytest.raises(InvalidInput, match=message):
        wb.record_play(wb_people.rita, segment.id, intervals=intervals)
    assert wb.open_task(wb_people.rita, submitted).segments[2].heard_share == 0


def test_a_span_slightly_past_the_end_is_clipped_to_it(wb, wb_people, submitted, wb_clock):
    segment = wb.start_review(wb_people.rita, submitted).segments[2]
    send(wb, wb_people.rita, segment)
    wb_clock.advance(seconds=10)
    heard = wb.record_play(wb_people.rita, segment.id, intervals=[(0, segment.duration + 0.2)])
    assert (heard.heard, heard.heard_share) == (True, 1.0)


def test_a_clock_that_went_back_does_not_lock_the_reviewer_out(wb, wb_people, submitted, wb_clock):
    first, second, _ = wb.start_review(wb_people.rita, submitted).segments
    hear(wb, wb_people.rita, [first], wb_clock)
    wb_clock.advance(hours=-1)
    send(wb, wb_people.rita, second)
    assert wb.record_play(wb_people.rita, second.id, intervals=[(0, second.duration)]).heard


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_concurrent_reports_never_spend_one_listening_allowance_twice(wb, wb_people, wb_clip, wb_reopen):
    """Two reports at once of one reviewer, each claiming the whole allowance: the user row
    lock makes the second see what the first spent."""
    wb_clip(spans=[(0.0, 10.0), (10.0, 20.0)])
    task_id = wb.claim_next(wb_people.tina).id
    for segment in wb.open_task(wb_people.tina, task_id).segments:
        wb.save_text(wb_people.tina, segment.id, "안녕하세요.", base_version=segment.version)
    wb.submit_task(wb_people.tina, task_id)
    segments = wb.start_review(wb_people.rita, task_id).segments
    for segment in segments:
        send(wb, wb_people.rita, segment)
    tight = [wb_reopen(listening_allowance=10.0) for _ in segments]
    barrier = threading.Barrier(len(segments))
    credited = []

    def report(workbench, segment):
        barrier.wait()
        credited.append(workbench.record_play(wb_people.rita, segment.id, intervals=[(0, 10)]).heard_share)

    threads = [threading.Thread(target=report, args=pair) for pair in zip(tight, segments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(credited) == [0.0, 1.0]


@pytest.mark.parametrize(("spans", "within", "expected"), [
    ([(0, 1), (1, 2)], [(0, 2)], [(0, 2)]),
    ([(0, 2)], [(0.5, 1), (1.5, 3)], [(0.5, 1), (1.5, 2)]),
    ([(3, 1)], [(0, 5)], []),
    ([(0, 5)], [], []),
])
def test_intersecting_spans(spans, within, expected):
    assert intersect(spans, within) == expected


@pytest.mark.parametrize(("spans", "taken", "expected"), [
    ([(0, 4)], [(0, 1), (3, 5)], [(1, 3)]),
    ([(0, 1), (2, 3)], [(0, 3)], []),
    ([(0, 2)], [], [(0, 2)]),
    ([(0, 4)], [(1, 2), (2, 3)], [(0, 1), (3, 4)]),
])
def test_subtracting_spans(spans, taken, expected):
    assert subtract(spans, taken) == expected


def test_union_total_and_take_count_overlaps_once():
    spans = [(0, 2), (1, 3), (5, 6), (6, 6)]
    assert union(spans) == [(0, 3), (5, 6)]
    assert total(spans) == 4
    assert take(spans, 3.5) == [(0, 3), (5, 5.5)]
    assert take(spans, 0) == []


@pytest.mark.parametrize(("first", "stop", "size", "expected"), [
    (0, 1000, 1000, (0.0, 4.0)),      # the whole file: all of it, whatever the header
    (0, 5000, 1000, (0.0, 4.0)),
    (0, 250, 1000, (0.0, 1.0)),       # a part: in proportion to its bytes
    (500, 1000, 1000, (2.0, 4.0)),
    (10, 10, 1000, (0.0, 0.0)),       # nothing sent
    (0, 10, 0, (0.0, 0.0)),
])
def test_bytes_sent_map_to_seconds_of_the_segment(first, stop, size, expected):
    audio = SegmentAudio(segment_id=1, path=Path("x.flac"), start=10.0, end=14.0)
    assert audio.span_of_bytes(first, stop, size) == expected


# The same reports, read by the one parser (listening.reported_spans) for the reviewer's play
# reports (seconds, within the 3 s segment or a little past its end, cut there) and the task
# page's activity (milliseconds, any stretch of time): each caller's bounds, and its words
# word for word. A list is what is read, a string the refusal.
REPORTS = [
    ("0-1", "Report the played intervals as a list of [start, end] pairs.",
     "Report activity as a list of [start, end] pairs in milliseconds."),
    ([[0]], "Each interval is two numbers, [start, end] in seconds.",
     "Each span is two numbers, [start, end] in milliseconds."),
    ([[2, 1]], "The interval [2.0, 1.0] is not within the segment's 3.00 s.",
     "The span [2.0, 1.0] is not a stretch of time."),
    ([[float("nan"), 1]], "The interval [nan, 1.0] is not within the segment's 3.00 s.",
     "The span [nan, 1.0] is not a stretch of time."),
    ([[0, 1]] * 201, "Report at most 100 intervals at a time.", "Report at most 200 spans at a time."),
    ([], "Report at least one played interval [start, end].", []),
    ([[0, 3.2]], [(0.0, 3.0)], [(0.0, 3.2)]),
    ([[0, 90_000]], "The interval [0.0, 90000.0] is not within the segment's 3.00 s.", [(0.0, 90000.0)]),
]


@pytest.mark.parametrize(("report", "as_play", "as_activity"), REPORTS)
def test_play_reports_and_activity_are_read_by_one_parser_each_with_its_own_bounds_and_words(
        report, as_play, as_activity):
    from workbench.workflow.hearing import played_spans
    from workbench.workflow.listening import reported_spans
    from workbench.workflow.policy import Policy
    from workbench.workflow.time_on_task import ACTIVITY_WORDS

    policy = Policy()
    for expected, read in ((as_play, lambda: played_spans(policy, report, 3.0)),
                           (as_activity, lambda: reported_spans(report, ACTIVITY_WORDS,
                                                                at_most=policy.max_activity_spans))):
        if isinstance(expected, list):
            assert read() == expected
        else:
            with pytest.raises(InvalidInput) as refused:
                read()
            assert str(refused.value) == expected
