"""Turning machine drafts on again after the automatic switch turned them off (issue 13):
only an admin, only with a reason, audited; the rolling draft CER then starts afresh and the
clips that were switched off are drafted. Attacked through the Gradio door the admin's
Drafts tab uses."""

from __future__ import annotations

import json
import secrets

import pytest
from fastapi.testclient import TestClient

from drafts_support import accepted_english_clip, clip_with_audio, draft_now, fake_engines
from tests.builders import sign_in
from workbench.workflow.errors import InvalidInput, InvalidTransition, PermissionDenied

BAD_DRAFTS = {"1": "nothing like it", "2": "wrong words here", "3": "all of it",
              "4": "no such words", "5": "a dog ran", "6": "bad evening"}  # 4-6: the later clip


@pytest.fixture
def switched_off(wb, wb_people, wb_clock, tmp_path, wb_reopen):
    """news/en drafted badly and accepted (3 segments, rolling CER far above 35 %), judged
    from 3 segments on: drafts are off there, and a second news clip was switched off."""
    fake_engines(wb, texts=BAD_DRAFTS)
    accepted_english_clip(wb, wb_people, wb_clock, tmp_path)
    strict = wb_reopen(draft_cer_min_segments=3)
    strict.draft_engines = wb.draft_engines
    later = clip_with_audio(strict, wb_people.admin, tmp_path, language="en", project="news", name="later.wav")
    assert draft_now(strict, wb_people.admin, later.id).draft_state == "off"
    wb_clock.advance(minutes=5)
    return strict, later


def restarts(wb) -> list[tuple]:
    from workbench.store.models import DraftRestart

    with wb.store.reading() as session:
        return [(r.project, r.language, r.reason) for r in session.query(DraftRestart).order_by(DraftRestart.id)]


def test_an_admin_turns_drafts_on_again_with_a_reason_and_the_rolling_cer_starts_afresh(switched_off, wb_people):
    wb, later = switched_off
    admin = wb_people.admin
    assert not wb.draft_switch(admin, "news", "en").on

    state = wb.restart_drafts(admin, "news", "en", reason="new microphones in the newsroom")
    assert state.on and state.measured == 0 and state.cer is None
    assert "Turned on again by an admin" in state.reason and "new microphones" in state.reason
    entry = next(e for e in wb.audit_log(admin, limit=5) if e.action == "drafts.restarted")
    assert entry.entity == "draft_restart"
    assert "new microphones" in entry.describe() and "news" in entry.describe()
    # The clip the switch turned off is queued again; a drafts worker drafts it now.
    assert wb.clip(admin, later.id).draft_state == "queued"
    wb.draft_clip(later.id)
    assert wb.clip(admin, later.id).draft_state == "done"
    assert [s.version for s in wb.open_task(admin, later.task_id).segments] == [1, 1, 1]
    # The old bad drafts no longer count: the switch stays on until new drafts are judged.
    assert wb.draft_switch(admin, "news", "en").on
    assert restarts(wb) == [("news", "en", "new microphones in the newsroom")]


def test_drafts_turned_on_again_turn_off_again_when_the_new_drafts_are_bad_too(switched_off, wb_people, wb_clock,
                                                                               tmp_path):
    wb, later = switched_off
    wb.restart_drafts(wb_people.admin, "news", "en", reason="try once more")
    wb.draft_clip(later.id)
    wb_clock.advance(minutes=1)
    # The new drafts of `later` are just as bad; once 3 of them are accepted, off again.
    task = wb.open_task(wb_people.ed, wb.claim_next(wb_people.ed).id)
    assert task.task.id == later.task_id
    wb.submit_task(wb_people.ed, task.task.id)
    from listening import hear

    view = wb.start_review(wb_people.eve, task.task.id)
    hear(wb, wb_people.eve, view.segments, wb_clock)
    for segment, text in zip(view.segments, ("hello there world", "the cat sat", "good morning")):
        wb.accept_segment(wb_people.eve, segment.id, text=text)
    wb.finish_review(wb_people.eve, task.task.id)
    state = wb.draft_switch(wb_people.admin, "news", "en")
    assert not state.on and state.measured == 3 and "since drafts were turned on again" in state.reason


@pytest.mark.parametrize("call, error, message", [
    (lambda wb, p: wb.restart_drafts(p.ed, "news", "en", reason="me"), PermissionDenied, None),
    (lambda wb, p: wb.restart_drafts(p.admin, "news", "en", reason="  "), InvalidInput, "Say why"),
    (lambda wb, p: wb.restart_drafts(p.admin, "news", "xx", reason="r"), InvalidInput, "Unknown language"),
    (lambda wb, p: wb.restart_drafts(p.admin, "nowhere", "en", reason="r"), InvalidInput, "No clip of project"),
    (lambda wb, p: wb.restart_drafts(p.admin, "news", "en", reason="r" * 501), InvalidInput, "reason"),
])
def test_turning_drafts_on_again_is_refused_to_non_admins_and_bad_input_and_changes_nothing(
        switched_off, wb_people, call, error, message):
    wb, later = switched_off
    before = [e.id for e in wb.audit_log(wb_people.admin, limit=50)]
    with pytest.raises(error, match=message):
        call(wb, wb_people)
    assert restarts(wb) == [] and [e.id for e in wb.audit_log(wb_people.admin, limit=50)] == before
    assert wb.clip(wb_people.admin, later.id).draft_state == "off" and not wb.draft_switch(wb_people.admin, "news",
                                                                                            "en").on


def test_drafts_that_are_on_cannot_be_turned_on_again(wb, wb_people, tmp_path):
    fake_engines(wb, texts=BAD_DRAFTS)
    clip_with_audio(wb, wb_people.admin, tmp_path, language="en", project="news")
    with pytest.raises(InvalidTransition, match="already on"):
        wb.restart_drafts(wb_people.admin, "news", "en", reason="why not")
    assert restarts(wb) == []


# --- through the Gradio door ------------------------------------------------------------------


def _handler(http: TestClient, api_name: str) -> dict:
    config = http.get("/config").json()
    return {dep["api_name"]: dep for dep in config["dependencies"]}[api_name]


def _call(http: TestClient, fn_index: int, data: list, session_hash: str | None = None) -> tuple[int, str]:
    """Join the queue as the page does and read the event stream; (join status, all text)."""
    session_hash = session_hash or secrets.token_hex(8)
    joined = http.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index,
                                                      "session_hash": session_hash, "event_data": None,
                                                      "trigger_id": None})
    stream = http.get("/gradio_api/queue/data", params={"session_hash": session_hash}).text \
        if joined.status_code == 200 else ""
    return joined.status_code, joined.text + stream


def test_only_an_admin_turns_drafts_on_again_through_the_gradio_door(switched_off, wb_people):
    from workbench.ui.server import create_app

    wb, later = switched_off
    pair = json.dumps(["news", "en"])
    with TestClient(create_app(wb, secret=b"drafts-switch-test-secret")) as http:
        sign_in(http, "admin")
        restart = _handler(http, "restart_drafts")
        refresh = _handler(http, "refresh_drafts")
        page = secrets.token_hex(8)  # the admin's page: the tab's refresh fills the picker
        status, text = _call(http, refresh["id"], [], page)
        assert status == 200 and "news" in text and "above the 35" in text and pair.replace('"', '\\"') in text
        for attacker in ("ed", "eve", "tina", None):
            sign_in(http, attacker)
            status, text = _call(http, restart["id"], [pair, "let me in"])
            assert status in (200, 401, 403, 404) and '"success": true' not in text.replace('"success":true',
                                                                                         '"success": true')
            assert restarts(wb) == [], f"{attacker} turned drafts on again"
            assert wb.clip(wb_people.admin, later.id).draft_state == "off"
        sign_in(http, "admin")
        for bad in ('["news"]', "not json", json.dumps(["news", "en", "x"]), json.dumps(["sports", "en"])):
            _, text = _call(http, restart["id"], [bad, "r"], page)
            assert "not in the list of choices" in text and restarts(wb) == []
        _, text = _call(http, restart["id"], [pair, " "], page)
        assert "Say why drafts are turned on again" in text and restarts(wb) == []
        status, text = _call(http, restart["id"], [pair, "new microphones"], page)
        assert status == 200 and "Drafts are on again for news in en" in text
    assert restarts(wb) == [("news", "en", "new microphones")]
    assert wb.clip(wb_people.admin, later.id).draft_state == "queued"


@pytest.mark.parametrize("value", [None, "", "not json", '["news"]', '["news", "en", "x"]', '["news", 1]', '{"a": 1}'])
def test_the_pickers_value_must_be_a_project_and_a_language(value):
    from workbench.ui.handlers.drafts import parse_pair

    with pytest.raises(InvalidInput, match="Choose the project and language"):
        parse_pair(value)
