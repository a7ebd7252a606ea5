""""Take the next task" is one JSON call, ``POST /api/work/tasks/claim``, outside Gradio's queue
(ui/static/take-next-task.js): only a signed-in transcriber on one of our own pages may make
it; it answers the claimed task and its page, or the app's usual refusal; and many made at
once each get their own task (bench/claims.py measures how fast)."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient

from bench.claims import PASSWORD, claim_together, seed, served
from tests import builders
from tests.event_loop import run_in_fresh_loop
from workbench.ui.server import create_app

USERS = 120
CLAIM = "/api/work/tasks/claim"
OWN_ORIGIN = "http://testserver"  # TestClient's base URL


@pytest.fixture
def app(wb):
    """The app over ``wb`` (both backends) with an admin, three transcribers, a reviewer and
    three open Korean tasks."""
    seed(wb, 3)
    admin = wb.actor("bench-admin")
    wb.create_user(admin, username="ko-reviewer", password=PASSWORD, name="Reviewer", roles={"reviewer"},
                   language="ko")
    return create_app(wb, secret=b"k" * 32)


def signed_in(app, username: str | None) -> TestClient:
    return builders.signed_in(app, username, password=PASSWORD)


def waiting(wb) -> int:
    return wb.my_queue(wb.actor("scribe-0000")).available


def test_a_transcriber_takes_the_next_task_and_gets_its_page(app, wb):
    client = signed_in(app, "scribe-0000")
    response = client.post(CLAIM, headers={"Origin": OWN_ORIGIN})
    assert response.status_code == 200
    task_id = response.json()["task_id"]
    assert response.json() == {"task_id": task_id, "url": f"/work/transcribe/{task_id}"}
    assert [task.id for task in wb.my_queue(wb.actor("scribe-0000")).open] == [task_id]
    assert client.get(response.json()["url"]).status_code == 200


@pytest.mark.parametrize(("username", "status"), [
    ("ko-reviewer", 403),
    ("bench-admin", 403),
    (None, 401),
])
def test_only_a_signed_in_transcriber_may_take_a_task(app, wb, username, status):
    response = signed_in(app, username).post(CLAIM, headers={"Origin": OWN_ORIGIN})
    assert response.status_code == status
    assert response.json()["detail"]
    assert waiting(wb) == 3


@pytest.mark.parametrize("header", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                    {"Referer": "https://evil.example/take.html"}])
def test_a_claim_sent_from_another_site_is_refused(app, wb, header):
    response = signed_in(app, "scribe-0000").post(CLAIM, headers=header)
    assert response.status_code == 403
    assert waiting(wb) == 3
    assert wb.my_queue(wb.actor("scribe-0000")).open == ()


def test_a_claim_over_the_limit_or_with_nothing_waiting_is_refused_with_the_reason(app, wb):
    me = wb.actor("scribe-0000")
    client = signed_in(app, "scribe-0000")
    limit = wb.my_queue(me).max_tasks
    assert limit < 3, "the policy lets a new transcriber hold fewer tasks than are waiting"
    for _ in range(limit):
        assert client.post(CLAIM).status_code == 200
    over = client.post(CLAIM)
    assert over.status_code == 409 and "Submit one first" in over.json()["detail"]
    for other in ("scribe-0001", "scribe-0002"):
        signed_in(app, other).post(CLAIM)
    nothing = signed_in(app, "scribe-0002").post(CLAIM)
    assert nothing.status_code == 404 and "No ko task is waiting" in nothing.json()["detail"]
    assert len(wb.my_queue(me).open) == limit and waiting(wb) == 0


def test_simultaneous_claims_each_get_their_own_task(wb):
    """Through the real server, as the button does it: the JSON claim, then the queue's
    refresh through Gradio's queue."""
    usernames = seed(wb, USERS)
    with served(create_app(wb)) as base_url:
        claims = run_in_fresh_loop(claim_together, base_url, usernames)
    assert [claim.error for claim in claims if claim.task_id is None or claim.error] == []
    assert len({claim.task_id for claim in claims}) == USERS
    # The store agrees: each transcriber holds exactly the task their page opened.
    held = {username: [task.id for task in wb.my_queue(wb.actor(username)).open] for username in usernames}
    assert held == {claim.username: [claim.task_id] for claim in claims}
    assert Counter(task for tasks in held.values() for task in tasks).most_common(1)[0][1] == 1
