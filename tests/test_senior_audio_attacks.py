"""A senior hears the segment they check, through the raw HTTP doors of the "Checks for you"
section (ui/senior_api.py): the check's own audio route ``/media/senior-check/{id}.wav``, its
play reports and the decision. Only the senior a check waits for hears it, only while it
waits; everyone else (a reviewer who is not senior, a senior of another language, a
transcriber, the senior once it is decided or on their own work, junk ids) is refused with
no audio and no text in the answer; a decision on a check not heard is a 409."""

from __future__ import annotations


import pytest

from tests import listening
from tests.builders import TEXTS, add_people, signed_in, tone_clip
from tests.listening import JUNK_IDS, JUNK_INTERVALS, OWN_ORIGIN, junk_id_answers, raw_play_report
from tests.quality_support import quality_rules, reviewed_task  # noqa: F401 (fixture)
from workbench.ui.server import create_app



@pytest.fixture
def world(wb, wb_people, quality_rules, tmp_path):
    """Every accepted acme segment goes to a senior: bo (ko) and eve (en) are senior; rhea is
    a ko reviewer who is not. Two tasks with real audio: tina's reviewed by rita (ten checks
    for bo), and one bo transcribed (his own work)."""
    quality_rules(acme={"senior_share": 1.0})
    add_people(wb, wb_people.admin, {"rhea": ({"reviewer"}, "ko")})
    for senior in ("bo", "eve"):
        wb.grant_senior(wb_people.admin, senior)
    spans = tuple((n * 2.5, n * 2.5 + 2.0) for n in range(4))
    tina_task, _ = reviewed_task(wb, wb_people.admin, wb_people.tina, wb_people.rita, spans=spans,
                                 output_dir=tone_clip(tmp_path / "one", seconds=11.0))
    reviewed_task(wb, wb_people.admin, wb_people.bo, wb_people.rita, spans=spans,
                  output_dir=tone_clip(tmp_path / "two", seconds=11.0))
    checks = wb.senior_queue(wb_people.bo)
    mine = [c for c in checks if c.task_id == tina_task]
    own = [c for c in checks if c.task_id != tina_task]
    return wb_people, mine, own


@pytest.fixture
def app(wb):
    return create_app(wb, secret=b"s" * 32)


def audio(check) -> str:
    return f"/media/senior-check/{check.id}.wav"


def refused_without_leak(response, *statuses: int) -> None:
    listening.refused_without_leak(response, statuses, hidden=TEXTS)


def test_the_senior_hears_the_check_then_decides_and_the_audio_stops_there(app, wb, world):
    people, (check, *_), _ = world
    senior = signed_in(app, "bo")
    listed = {c["id"]: c for c in senior.get("/api/work/senior-checks").json()}[check.id]
    assert (listed["audio"], listed["heard"], listed["duration"]) == (audio(check), False, pytest.approx(2.0))
    assert "reviewer" not in listed and "rita" not in str(listed)  # the look is blind
    unheard = senior.post(f"/api/work/senior-checks/{check.id}", headers=OWN_ORIGIN, json={"verdict": "confirmed"})
    assert unheard.status_code == 409 and "Play the segment" in unheard.json()["detail"]
    sound = senior.get(audio(check))
    assert sound.status_code == 200 and sound.content.startswith(b"fLaC")
    played = senior.post(f"/api/work/senior-checks/{check.id}/play", headers=OWN_ORIGIN,
                         json={"intervals": [[0.0, 2.0]]})
    assert played.status_code == 200 and played.json()["heard"] is True
    decided = senior.post(f"/api/work/senior-checks/{check.id}", headers=OWN_ORIGIN, json={"verdict": "confirmed"})
    assert decided.status_code == 200 and decided.json()["confirmed"] is True
    refused_without_leak(senior.get(audio(check)), 409)  # decided: no more audio
    refused_without_leak(senior.post(f"/api/work/senior-checks/{check.id}/play", headers=OWN_ORIGIN,
                                     json={"intervals": [[0.0, 2.0]]}), 409)


def test_playing_part_of_the_segment_or_reporting_a_play_never_sent_does_not_unlock_the_decision(app, wb, world):
    _, (first, second, *_), _ = world
    senior = signed_in(app, "bo")
    never_sent = senior.post(f"/api/work/senior-checks/{first.id}/play", headers=OWN_ORIGIN,
                             json={"intervals": [[0.0, 2.0]]})
    assert never_sent.status_code == 409
    assert senior.get(audio(second)).status_code == 200
    half = senior.post(f"/api/work/senior-checks/{second.id}/play", headers=OWN_ORIGIN, json={"intervals": [[0.0, 1.0]]})
    assert half.json()["heard"] is False and half.json()["heard_share"] == pytest.approx(0.5)
    for check in (first, second):
        attempt = senior.post(f"/api/work/senior-checks/{check.id}", headers=OWN_ORIGIN, json={"verdict": "overturned"})
        assert attempt.status_code == 409
    assert {c.id for c in wb.senior_queue(world[0].bo)} >= {first.id, second.id}


@pytest.mark.parametrize("who", ["rhea", "rita", "eve", "tina", "tom", None])
def test_nobody_but_the_waiting_senior_hears_a_check_or_reports_playing_it(app, wb, world, who):
    """rhea: a ko reviewer who is not senior; rita: the reviewer checked; eve: a senior of
    another language; tina: its transcriber; tom: a transcriber; None: signed out."""
    people, (check, *_), _ = world
    http = signed_in(app, who)
    refused_without_leak(http.get(audio(check)), 401, 403, 404)
    listed = http.get("/api/work/senior-checks")
    if listed.status_code == 200:  # eve, a senior: her own language's checks, none of these
        assert listed.json() == []
    else:
        refused_without_leak(listed, 401, 403)
    refused_without_leak(http.post(f"/api/work/senior-checks/{check.id}/play", headers=OWN_ORIGIN,
                                   json={"intervals": [[0.0, 2.0]]}), 401, 403, 404)
    refused_without_leak(http.post(f"/api/work/senior-checks/{check.id}", headers=OWN_ORIGIN,
                                   json={"verdict": "confirmed"}), 401, 403, 404)
    assert check.id in {c.id for c in wb.senior_queue(people.bo)}


def test_a_senior_hears_no_check_on_their_own_work_and_not_the_segment_through_the_other_route(app, wb, world):
    _, (check, *_), (own, *_) = world
    senior = signed_in(app, "bo")
    refused_without_leak(senior.get(audio(own)), 403)
    refused_without_leak(senior.get(f"/media/segment/{check.segment_id}.wav"), 403)  # the task is rita's


@pytest.mark.parametrize("junk", JUNK_IDS)
def test_junk_check_ids_are_refused_cleanly(app, wb, world, junk):
    for answer in junk_id_answers(signed_in(app, "bo"), f"/media/senior-check/{junk}.wav", f"/api/work/senior-checks/{junk}/play"):
        refused_without_leak(answer, 404, 422)


@pytest.mark.parametrize("intervals", JUNK_INTERVALS)
def test_junk_play_reports_are_refused_and_credit_nothing(app, wb, world, intervals):
    people, (check, *_), _ = world
    senior = signed_in(app, "bo")
    assert senior.get(audio(check)).status_code == 200
    answer = raw_play_report(senior, f"/api/work/senior-checks/{check.id}/play", intervals)
    assert answer.status_code == 422
    assert {c.id: c.heard_share for c in wb.senior_queue(people.bo)}[check.id] == 0.0


def test_a_korean_senior_is_told_in_korean_to_play_the_segment_first(app, wb, world):
    _, (check, *_), _ = world
    senior = signed_in(app, "bo", headers={"Accept-Language": "ko"})
    unheard = senior.post(f"/api/work/senior-checks/{check.id}", headers=OWN_ORIGIN, json={"verdict": "confirmed"})
    needed = f"{wb.policy.heard_share:.0%}"
    assert (unheard.status_code, unheard.json()["detail"]) == (
        409, f"결정하기 전에 구간을 끝까지 재생하세요. 들은 비율: 0%, 필요한 비율: {needed}.")
