"""Machine drafts through the work pages' JSON API, over HTTP against the real app: the
draft and its uncertain words reach the transcriber, the typed-characters count is kept,
and what an attacker would send is refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from drafts_support import clip_with_audio, draft_now, fake_engines
from tests.builders import signed_in
from workbench.queue import RecordingQueue
from workbench.store.models import Revision
from workbench.ui.server import create_app
from workbench.workflow.service import Workbench

PASSWORD = "quiet-lantern-57"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A Korean clip of four segments drafted by the fake engine (the word 그 uncertain),
    claimed by minji; an English transcriber and reviewer, and a Korean reviewer."""
    root = tmp_path_factory.mktemp("drafts-api")
    wb = Workbench.open(database_url=f"sqlite:///{root / 'workbench.db'}", data_dir=root / "data",
                        queue=RecordingQueue())
    fake_engines(wb, texts={str(n): f"네 그 말이 {word} 맞아요" for n, word in enumerate("하나 둘 셋 넷".split(), 1)},
                 probabilities={"그": 0.2})
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    for username, role, language in (("minji", "transcriber", "ko"), ("ed", "transcriber", "en"),
                                     ("eve", "reviewer", "en"), ("hyun", "reviewer", "ko")):
        wb.create_user(admin, username=username, password=PASSWORD, name=username, roles={role}, language=language)
    clip = clip_with_audio(wb, admin, root, spans=[(0.0, 2.0), (2.5, 5.0), (6.0, 9.0), (9.5, 11.0)])
    draft_now(wb, admin, clip.id)
    task_id = wb.claim_next(wb.actor("minji")).id
    yield create_app(wb, secret=b"k" * 32), wb, task_id
    wb.close()


def segments(client, task_id):
    return client.get(f"/api/work/tasks/{task_id}").json()["segments"]


def test_the_transcriber_gets_the_draft_with_each_words_probability_and_the_marking_threshold(served):
    app, _, task_id = served
    answer = signed_in(app, "minji").get(f"/api/work/tasks/{task_id}").json()
    first = answer["segments"][0]
    assert answer["draft_threshold"] == 0.5
    assert first["text"] == first["draft"]["text"] == "네 그 말이 하나 맞아요"
    assert first["draft"]["untouched"] is True and first["draft"]["engine"].startswith("asr:fake@")
    assert [w["text"] for w in first["draft"]["words"] if w["probability"] < answer["draft_threshold"]] == ["그"]


def test_a_save_keeps_the_typed_character_count_as_an_ordinary_revision(served):
    app, wb, task_id = served
    client = signed_in(app, "minji")
    segment = segments(client, task_id)[1]
    saved = client.put(f"/api/work/segments/{segment['id']}/text",
                       json={"text": "네 맞아요.", "base_version": segment["version"], "typed_chars": 9})
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["draft"]["untouched"]) == (2, False)
    with wb.store.reading() as session:
        latest = session.query(Revision).filter_by(segment_id=segment["id"], version=2).one()
        assert (latest.role, latest.kind, latest.engine, latest.typed_chars) == ("transcriber", "save", None, 9)


@pytest.mark.parametrize("typed_chars", ["lots", -1, 10**12, 2.5, True, [3], {"n": 1}])
def test_junk_or_huge_typed_character_counts_are_refused_and_change_nothing(served, typed_chars):
    app, _, task_id = served
    client = signed_in(app, "minji")
    segment = segments(client, task_id)[2]
    answer = client.put(f"/api/work/segments/{segment['id']}/text",
                        json={"text": "고친 문장.", "base_version": segment["version"], "typed_chars": typed_chars})
    assert answer.status_code == 422 and answer.json()["detail"]
    assert segments(client, task_id)[2] == segment


@pytest.mark.parametrize("field", [{"author": "asr:whisper-base@d01c3014881c"}, {"engine": "asr:whisper-base@d01c"},
                                   {"role": "machine"}, {"kind": "draft"}])
def test_a_transcriber_cannot_pass_a_save_off_as_a_machine_draft(served, field):
    app, _, task_id = served
    client = signed_in(app, "minji")
    segment = segments(client, task_id)[2]
    answer = client.put(f"/api/work/segments/{segment['id']}/text",
                        json={"text": "기계가 쓴 척.", "base_version": segment["version"], **field})
    assert answer.status_code == 422
    assert segments(client, task_id)[2] == segment


def test_no_account_can_be_named_like_an_engine(served):
    app, _, _ = served
    answer = TestClient(app).post("/apply", data={"username": "asr:whisper-base@d01c3014881c", "password": PASSWORD,
                                                   "name": "Whisper", "language": "ko", "bank_holder": "Whisper"},
                                  files={"document": ("id.png", b"\x89PNG\r\n\x1a\n", "image/png")})
    assert answer.status_code in (400, 422) or "username" in answer.text.lower()


@pytest.mark.parametrize("username", ["ed", "eve"])
def test_another_languages_worker_cannot_read_the_drafts(served, username):
    app, _, task_id = served
    answer = signed_in(app, username).get(f"/api/work/tasks/{task_id}")
    assert answer.status_code == 403 and "맞아요" not in answer.text


def test_the_reviewer_sees_which_texts_are_untouched_drafts(served):
    app, wb, task_id = served
    wb.submit_task(wb.actor("minji"), task_id)
    shown = signed_in(app, "hyun").post(f"/api/work/review/{task_id}").json()["segments"]
    assert [s["draft"]["untouched"] for s in shown] == [True, False, True, True]
