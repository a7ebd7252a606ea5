"""Listening before accepting, attacked through the doors a forged browser would use: the
JSON API and the media route of the real app (``create_app``), signed in as a reviewer.

A segment counts as heard only when the intervals the page reports cover ``heard_share``
of it, and only as far as the server actually sent that reviewer its audio, at no more than
``max_playback_rate`` seconds of audio per second of wall clock.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from workbench.ui.server import create_app

PASSWORD = "quiet-lantern-57"
SPANS = [(0.0, 4.0), (4.0, 8.0)]
TEXTS = ["안녕하세요.", "반갑습니다."]


@pytest.fixture
def review(wb, wb_people, wb_clock, tmp_path):
    """A two-segment ko task with real audio, submitted by tina, opened for review by rita
    through the JSON API; ``review.client`` is rita's signed-in browser."""
    output = tmp_path / "processed"
    output.mkdir()
    noise = np.random.default_rng(7).normal(0, 0.1, 16000 * 9).astype(np.float32)
    for variant in ("clean", "original"):
        sf.write(str(output / f"{variant}.flac"), noise, 16000, subtype="PCM_16")
    clip = wb.register_processed_clip(wb_people.admin, filename="talk.wav", language="ko", project="acme",
                                      duration=9.0, segments=SPANS, output_dir=output)
    task_id = wb.claim_next(wb_people.tina).id
    for segment, text in zip(wb.open_task(wb_people.tina, task_id).segments, TEXTS):
        wb.save_text(wb_people.tina, segment.id, text, base_version=segment.version)
    wb.submit_task(wb_people.tina, task_id)
    client = TestClient(create_app(wb, secret=b"k" * 32))
    signed_in = client.post("/login", data={"username": "rita", "password": PASSWORD}, follow_redirects=False)
    assert signed_in.status_code == 303
    opened = client.post(f"/api/work/review/{task_id}")
    assert opened.status_code == 200
    assert clip.task_id == task_id

    class Review:
        pass

    view = Review()
    view.wb, view.clock, view.client, view.task_id = wb, wb_clock, client, task_id
    view.segments = opened.json()["segments"]
    return view


def fetch_audio(review, segment, **headers):
    response = review.client.get(f"/media/segment/{segment['id']}.wav", headers=headers)
    assert response.status_code in (200, 206), response.text
    return response


def report(review, segment, intervals):
    return review.client.post(f"/api/work/segments/{segment['id']}/play", json={"intervals": intervals})


def accept(review, segment):
    return review.client.post(f"/api/work/segments/{segment['id']}/accept", json={})


def stored_segment(review, segment):
    segments = review.client.post(f"/api/work/review/{review.task_id}").json()["segments"]
    return next(s for s in segments if s["id"] == segment["id"])


def test_claiming_to_have_reached_the_end_without_fetching_the_audio_accepts_nothing(review):
    for segment in review.segments:
        claimed = review.client.post(f"/api/work/segments/{segment['id']}/play", json={"reached": 1e9})
        assert claimed.status_code == 422
        assert accept(review, segment).status_code == 409
    assert review.client.post(f"/api/work/tasks/{review.task_id}/accept-all-played").json() == {"accepted": 0}
    finished = review.client.post(f"/api/work/tasks/{review.task_id}/finish")
    assert finished.status_code == 409
    assert review.wb.open_task(review.wb.actor("admin"), review.task_id).task.state == "in_review"


def test_intervals_reported_for_audio_never_sent_to_the_reviewer_are_refused(review):
    segment = review.segments[0]
    review.clock.advance(seconds=60)
    refused = report(review, segment, [[0, segment["duration"]]])
    assert refused.status_code == 409 and "sent" in refused.json()["detail"]
    assert stored_segment(review, segment)["heard_share"] == 0
    assert accept(review, segment).status_code == 409


def test_audio_fetched_by_another_user_does_not_count_for_the_reviewer(review):
    segment = review.segments[0]
    other = TestClient(review.client.app)
    other.post("/login", data={"username": "tina", "password": PASSWORD}, follow_redirects=False)
    assert other.get(f"/media/segment/{segment['id']}.wav").status_code == 200
    review.clock.advance(seconds=60)
    assert report(review, segment, [[0, segment["duration"]]]).status_code == 409
    assert accept(review, segment).status_code == 409


def test_audio_fetched_and_played_in_full_may_be_accepted(review):
    segment = review.segments[0]
    fetch_audio(review, segment)
    review.clock.advance(seconds=segment["duration"])
    heard = report(review, segment, [[0, segment["duration"] / 2], [segment["duration"] / 2, segment["duration"]]])
    assert heard.status_code == 200
    assert (heard.json()["heard"], heard.json()["heard_share"]) == (True, 1.0)
    assert accept(review, segment).json()["status"] == "accepted"


def test_a_short_play_near_the_end_does_not_count_as_heard(review):
    segment = review.segments[0]
    duration = segment["duration"]
    fetch_audio(review, segment)
    review.clock.advance(seconds=duration)
    clicked = report(review, segment, [[0.97 * duration, duration]]).json()
    assert clicked["heard"] is False and clicked["heard_share"] == pytest.approx(0.03)
    assert accept(review, segment).status_code == 409


def test_the_union_of_intervals_counts_once_and_needs_the_heard_share(review):
    segment = review.segments[0]
    duration = segment["duration"]
    fetch_audio(review, segment)
    review.clock.advance(seconds=duration)
    # Replaying the first half twice still leaves the second half unheard.
    twice = report(review, segment, [[0, duration / 2], [0, duration / 2], [0.1, duration / 2]]).json()
    assert (twice["heard"], twice["heard_share"]) == (False, 0.5)
    # 94 % is not enough, 96 % is (the policy's heard_share is 95 %).
    assert report(review, segment, [[duration / 2, 0.94 * duration]]).json()["heard"] is False
    assert report(review, segment, [[0.94 * duration, 0.96 * duration]]).json()["heard"] is True


def test_a_range_request_credits_only_the_part_of_the_audio_it_sent(review):
    segment = review.segments[0]
    size = len(fetch_audio(review, review.segments[1]).content)  # another segment's length, roughly
    partial = fetch_audio(review, segment, Range=f"bytes=0-{size // 10}")
    assert partial.status_code == 206
    review.clock.advance(seconds=60)
    credited = report(review, segment, [[0, segment["duration"]]]).json()
    assert 0 < credited["heard_share"] < 0.2
    assert accept(review, segment).status_code == 409
    fetch_audio(review, segment, Range="bytes=0-")
    review.clock.advance(seconds=60)
    assert report(review, segment, [[0, segment["duration"]]]).json()["heard"] is True


def test_reported_play_time_cannot_outrun_the_wall_clock(review):
    """One pair of ears: whichever segment it is, a reviewer is credited at most
    ``max_playback_rate`` seconds of audio per second, plus an allowance to run ahead."""
    first, second = review.segments
    review.wb.policy = dataclasses.replace(review.wb.policy, listening_allowance=first["duration"],
                                           max_playback_rate=2.0)
    fetch_audio(review, first)
    fetch_audio(review, second)
    assert report(review, first, [[0, first["duration"]]]).json()["heard"] is True  # the allowance
    # No time has passed: the allowance is spent, so nothing more is credited, however often asked.
    for _ in range(3):
        assert report(review, second, [[0, second["duration"]]]).json()["heard_share"] == 0
    review.clock.advance(seconds=1)
    assert report(review, second, [[0, second["duration"]]]).json()["heard_share"] == pytest.approx(
        2.0 / second["duration"])
    review.clock.advance(seconds=second["duration"] / 2)
    assert report(review, second, [[0, second["duration"]]]).json()["heard"] is True


def test_the_media_route_sends_segment_audio_uncached_so_every_play_reaches_the_server(review):
    response = fetch_audio(review, review.segments[0])
    assert "no-cache" in response.headers["cache-control"]
    assert response.headers["accept-ranges"] == "bytes"


JUNK = {
    "negative start": [[-1, 2]],
    "reversed": [[3, 1]],
    "beyond the segment": [[0, 60]],
    "a huge number": [[0, 1e308]],
    "not a pair": [[0, 1, 2]],
    "not numbers": [["0", "x"]],
    "no intervals": [],
    "too many intervals": [[i / 1000, i / 1000 + 0.0005] for i in range(1000)],
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("intervals", JUNK.values(), ids=JUNK.keys())
def test_junk_intervals_are_refused_with_422_and_change_nothing(review, intervals):
    segment = review.segments[0]
    fetch_audio(review, segment)
    review.clock.advance(seconds=60)
    assert report(review, segment, [[0, 1]]).status_code == 200
    refused = report(review, segment, intervals)
    assert refused.status_code == 422
    assert stored_segment(review, segment)["heard_share"] == pytest.approx(1 / segment["duration"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_raw_json_are_refused_with_422(review, literal):
    segment = review.segments[0]
    fetch_audio(review, segment)
    review.clock.advance(seconds=60)
    refused = review.client.post(f"/api/work/segments/{segment['id']}/play",
                                 content=f'{{"intervals": [[0, {literal}]]}}',
                                 headers={"Content-Type": "application/json"})
    assert refused.status_code == 422
    assert stored_segment(review, segment)["heard_share"] == 0
