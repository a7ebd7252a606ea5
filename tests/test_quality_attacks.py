"""The quality rules attacked through the doors a worker has: the JSON claim while suspended,
the admin page's Gradio handlers (a transcriber lifting their own suspension, a reviewer
granting themselves the senior role), and the /work page that shows a warning."""

from __future__ import annotations

import pytest

from tests.builders import processed_clip, signed_in
from tests.listening import hear_check
from tests.quality_support import quality_rules, reviewed_task  # noqa: F401 (fixture)
from tests.test_ui_gradio_gate import Event, dependencies, run
from workbench.ui.server import create_app

CLAIM = "/api/work/tasks/claim"
OWN_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def suspended(wb, wb_people, quality_rules):
    """tina suspended from acme (four of ten segments returned in one day), holding nothing;
    an acme task waiting."""
    quality_rules()
    task_id, _ = reviewed_task(wb, wb_people.admin, wb_people.tina, wb_people.rita, returns=4)
    wb.release_task(wb_people.admin, task_id, reason="Handed back")
    wb.clock.advance(days=1)
    (suspension,) = wb.run_quality_rules()
    return suspension


@pytest.fixture
def app(wb):
    return create_app(wb, secret=b"q" * 32)


def admin_handler(app, api_name: str) -> int:
    """The id of an admin page handler, as the admin's page config gives it (an attacker's
    own page does not list it; they send the id anyway)."""
    with signed_in(app, "admin") as http:
        return dependencies(http)[api_name]["id"]


def test_a_suspended_transcribers_claim_is_refused_over_http(app, wb, wb_people, suspended):
    response = signed_in(app, "tina").post(CLAIM, headers=OWN_ORIGIN)
    assert response.status_code == 404 and "suspended" in response.json()["detail"]
    assert wb.my_queue(wb_people.tina).open == ()
    processed_clip(wb, wb_people.admin, filename="elsewhere.wav", project="elsewhere")
    assert signed_in(app, "tina").post(CLAIM, headers=OWN_ORIGIN).status_code == 200


def test_a_transcriber_cannot_lift_their_own_suspension_through_the_admin_handlers(app, wb, wb_people, suspended):
    handler = admin_handler(app, "lift")
    with signed_in(app, "tina") as http:
        event = Event(http, handler, [suspended.id, "I promise to do better"])
    assert not event.succeeded
    assert [a.id for a in wb.quality_actions(wb_people.admin, open_only=True)] == [suspended.id]
    assert "quality.lifted" not in [e.action for e in wb.audit_log(wb_people.admin)]


def test_an_admin_lifts_a_suspension_through_the_same_handler(app, wb, wb_people, suspended):
    with signed_in(app, "admin") as http:
        event = run(http, "lift", [suspended.id, "Went through the returns together"])
    assert event.succeeded
    assert wb.quality_actions(wb_people.admin, open_only=True) == []


def test_a_reviewer_cannot_grant_themselves_the_senior_role(app, wb, wb_people):
    handler = admin_handler(app, "grant")
    with signed_in(app, "rita") as http:
        event = Event(http, handler, ["rita"])
    assert not event.succeeded
    assert [s.senior for s in wb.reviewer_accuracy(wb_people.admin, username="rita")] == [False]


@pytest.mark.parametrize("junk", [["x", "why"], [-1, "why"], [1e300, "why"], [None, ""], [1, "\x00"]])
def test_junk_sent_to_the_lift_handler_is_refused_and_changes_nothing(app, wb, wb_people, suspended, junk):
    with signed_in(app, "admin") as http:
        event = run(http, "lift", junk)
    assert not event.succeeded and "Traceback" not in event.text
    assert [a.id for a in wb.quality_actions(wb_people.admin, open_only=True)] == [suspended.id]


def test_the_work_page_shows_the_workers_own_steps_with_reason_and_segments(app, wb, wb_people, suspended):
    page = signed_in(app, "tina").get("/work")
    assert page.status_code == 200
    assert f'data-quality-action="{suspended.id}"' in page.text and "Suspended" in page.text
    assert ", ".join(map(str, suspended.segment_ids)) in page.text
    assert "data-quality-action" not in signed_in(app, "tom").get("/work").text


def test_a_senior_checks_over_http_and_nobody_else_can(app, wb, wb_people, quality_rules):
    quality_rules(acme={"senior_share": 1.0})
    wb.grant_senior(wb_people.admin, "bo")
    reviewed_task(wb, wb_people.admin, wb_people.tina, wb_people.rita)
    senior = signed_in(app, "bo")
    checks = senior.get("/api/work/senior-checks").json()
    assert len(checks) == 10 and {c["project"] for c in checks} == {"acme"}
    for who in ("rita", "tina"):  # the reviewer checked, and a transcriber
        attempt = signed_in(app, who).post(f"/api/work/senior-checks/{checks[0]['id']}", headers=OWN_ORIGIN,
                                           json={"verdict": "confirmed"})
        assert attempt.status_code == 403
    for junk in ({"verdict": "yes"}, {"verdict": "confirmed", "extra": 1}, {"verdict": None}):
        assert senior.post(f"/api/work/senior-checks/{checks[0]['id']}", headers=OWN_ORIGIN,
                           json=junk).status_code in (400, 422)
    hear_check(wb, wb_people.bo, wb.senior_queue(wb_people.bo)[0], wb.clock)
    decided = senior.post(f"/api/work/senior-checks/{checks[0]['id']}", headers=OWN_ORIGIN,
                          json={"verdict": "overturned", "comment": "A word was misheard."})
    assert decided.status_code == 200 and decided.json()["confirmed"] is False
    assert len(senior.get("/api/work/senior-checks").json()) == 9
