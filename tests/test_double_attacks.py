"""A worker trying to read the other side of a double transcription, or to tell a doubled task
from an ordinary one, through the doors a worker has: the JSON API, the media routes, the ids,
the task's own log, the review door; and the rule that pays each side once.

tom holds the copy; tina (or bo, a reviewer who also transcribes) the original."""

from __future__ import annotations

import json

import pytest

from tests.builders import TEXTS, processed_clip, signed_in, take_through_review, transcribe
from tests.listening import hear_dispute
from tests.test_double import OTHER, Always, double_rules, pair  # noqa: F401  (fixtures)
from tests.test_gold import audio_dir
from tests.test_gold_attacks import shape
from workbench.ui.server import create_app


@pytest.fixture
def app(wb):
    return create_app(wb, secret=b"k" * 32)


@pytest.fixture
def heard(wb, wb_people, double_rules, tmp_path):
    """A doubled clip with audio: tina typed and submitted the original; ``heard.copy`` open."""
    original = processed_clip(wb, wb_people.admin, filename="talk.wav", output_dir=audio_dir(tmp_path, "talk"))
    (copy,) = [t.id for t in wb.list_tasks(wb_people.admin) if t.id != original]
    transcribe(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)
    return type("Heard", (), {"original": original, "copy": copy})


def test_the_worker_on_the_copy_cannot_read_the_originals_text_ids_or_audio(wb, wb_people, app, heard):
    tom = signed_in(app, "tom")
    assert tom.post("/api/work/tasks/claim").json()["task_id"] == heard.copy
    mine = tom.get(f"/api/work/tasks/{heard.copy}").json()
    assert all(s["text"] == "" for s in mine["segments"])
    theirs = wb.open_task(wb_people.tina, heard.original).segments
    assert tom.get(f"/api/work/tasks/{heard.original}").status_code == 403
    assert tom.get(f"/api/work/tasks/{heard.original}/problems").status_code == 403
    audio = tom.get(f"/media/segment/{theirs[0].id}.wav", params={"v": theirs[0].media_version})
    assert audio.status_code in (403, 404)
    assert not {s.id for s in theirs} & {s["id"] for s in mine["segments"]}
    for text in TEXTS:  # nothing tom got holds tina's text
        assert text not in json.dumps(mine, ensure_ascii=False)


def test_a_reviewer_on_the_copy_cannot_open_or_review_the_submitted_original(wb, wb_people, app, pair):
    """bo reviews ko and transcribes ko: holding the copy, the submitted original is in his
    review language, and opening it would let him copy tina's text."""
    transcribe(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)
    bo = signed_in(app, "bo")
    assert bo.post("/api/work/tasks/claim").json()["task_id"] == pair.copy
    assert bo.get(f"/api/work/tasks/{pair.original}").status_code == 403
    assert bo.post(f"/api/work/review/{pair.original}").status_code == 403
    segment = wb.open_task(wb_people.tina, pair.original).segments[0]
    assert bo.get(f"/media/segment/{segment.id}.wav", params={"v": segment.media_version}).status_code in (403, 404)
    rita = signed_in(app, "rita")  # a reviewer who worked on neither side reviews it as usual
    assert rita.post(f"/api/work/review/{pair.original}").status_code == 200


def test_a_reviewer_who_read_the_original_is_never_offered_the_copy(wb, wb_people, app, pair):
    transcribe(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)
    bo = signed_in(app, "bo")
    assert bo.post(f"/api/work/review/{pair.original}").status_code == 200
    assert bo.post("/api/work/tasks/claim").status_code == 404


def test_a_doubled_task_looks_like_an_ordinary_one(wb, wb_people, app, double_rules, monkeypatch):
    """tom holds an ordinary task and a copy of a doubled clip: same JSON shape, headers, audio
    route, and the same log when both are typed and submitted."""
    from workbench.workflow.double import Double

    monkeypatch.setattr(Double, "double_random", Always(1.0))
    ordinary = processed_clip(wb, wb_people.admin, filename="plain.wav", priority=5)
    monkeypatch.setattr(Double, "double_random", Always(0.0))
    original = processed_clip(wb, wb_people.admin, filename="talk.wav")
    copy = max(t.id for t in wb.list_tasks(wb_people.admin))
    assert wb.claim_next(wb_people.tina).id == ordinary and wb.claim_next(wb_people.tina).id == original
    wb.release_task(wb_people.admin, ordinary, reason="for tom")
    tom = signed_in(app, "tom")
    claimed = [tom.post("/api/work/tasks/claim").json() for _ in range(2)]
    assert sorted(c["task_id"] for c in claimed) == sorted([ordinary, copy]) and shape(claimed[0]) == shape(claimed[1])
    answers = [tom.get(f"/api/work/tasks/{task_id}") for task_id in (ordinary, copy)]
    assert shape(answers[0].json()) == shape(answers[1].json()) and set(answers[0].headers) == set(answers[1].headers)
    for answer in answers:
        for segment, text in zip(answer.json()["segments"], TEXTS):
            tom.put(f"/api/work/segments/{segment['id']}/text", json={"text": text, "base_version": 0})
    submits = [tom.post(f"/api/work/tasks/{task_id}/submit") for task_id in (ordinary, copy)]
    assert [s.status_code for s in submits] == [200, 200]
    logs = [[(e.action, e.actor, sorted(json.loads(e.detail or "{}")))
             for e in wb.audit_log(wb_people.tom, task_id=task_id) if e.actor != "tina" and e.action != "task.released"]
            for task_id in (ordinary, copy)]
    assert logs[0] == logs[1]  # created by the admin, claimed, saved and submitted by tom
    assert not any("double" in action for action, _, _ in logs[1])
    assert all("double" not in a.text.lower() for a in answers + submits)


def test_the_copys_audio_is_tagged_apart_from_the_originals(wb, wb_people, app, heard):
    tom, tina = signed_in(app, "tom"), signed_in(app, "tina")
    assert tom.post("/api/work/tasks/claim").json()["task_id"] == heard.copy
    copied = tom.get(f"/api/work/tasks/{heard.copy}").json()["segments"][0]
    original = tina.get(f"/api/work/tasks/{heard.original}").json()["segments"][0]
    answers = [client.get(f"/media/segment/{s['id']}.wav", params={"v": s["media_version"]})
               for client, s in ((tom, copied), (tina, original))]
    assert [a.status_code for a in answers] == [200, 200] and answers[0].content == answers[1].content
    assert set(answers[0].headers) == set(answers[1].headers)
    assert answers[0].headers["etag"] != answers[1].headers["etag"]


def test_the_dispute_api_is_for_reviewers_only_and_refuses_junk(wb, wb_people, app, pair):
    transcribe(wb, wb_people.tina, wb.claim_next(wb_people.tina).id)
    transcribe(wb, wb_people.tom, wb.claim_next(wb_people.tom).id, (OTHER,))
    tom, rita = signed_in(app, "tom"), signed_in(app, "rita")
    assert tom.get("/api/work/double/disputes").status_code == 403
    listed = rita.get("/api/work/double/disputes")
    assert listed.status_code == 200 and len(listed.json()["disputes"]) == 3
    some = listed.json()["disputes"][0]["id"]
    for junk in ({"choice": "both"}, {"choice": "third"}, {"choice": ["first"]}, {}, {"choice": "third", "text": 5}):
        assert rita.post(f"/api/work/double/disputes/{some}", json=junk).status_code in (400, 422)
    assert rita.post("/api/work/double/disputes/999999", json={"choice": "first"}).status_code == 404
    assert tom.post(f"/api/work/double/disputes/{some}", json={"choice": "first"}).status_code == 403
    hear_dispute(wb, wb_people.rita, next(d for d in wb.double_disputes(wb_people.rita) if d.id == some), wb.clock)
    settled = rita.post(f"/api/work/double/disputes/{some}", json={"choice": "third", "text": "안녕하세요."})
    assert settled.status_code == 200 and settled.json()["resolved_text"] == "안녕하세요."
    assert rita.post(f"/api/work/double/disputes/{some}", json={"choice": "first"}).status_code == 409
