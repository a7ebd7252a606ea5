"""Signing out over HTTP ends the session on the server: a cookie copied before sign-out, or
held by a worker whose account was closed, opens nothing afterwards; other browsers stay
signed in, and sessions outlive a restart of the web server."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from tests.builders import PASSWORD, signed_in
from workbench.ui.server import SESSION_COOKIE, SessionSigner, create_app

SECRET = b"test-secret-for-signing-sessions"
HTML = {"accept": "text/html"}


@pytest.fixture
def app(wb, wb_people):
    return create_app(wb, secret=SECRET)


@pytest.fixture
def tina_task(wb, wb_people, wb_clip) -> int:
    wb_clip()
    return wb.claim_next(wb_people.tina).id


def copy_of(app, browser: TestClient) -> TestClient:
    """Another client holding the same session cookie (a stolen or copied cookie)."""
    copy = TestClient(app)
    copy.cookies.set(SESSION_COOKIE, browser.cookies[SESSION_COOKIE])
    return copy


def can_work(http: TestClient, task_id: int) -> bool:
    """Whether the JSON API and the task page both answer; otherwise check they refuse the
    way they should (401 for the API, a redirect to the login page for the page)."""
    api = http.get(f"/api/work/tasks/{task_id}")
    page = http.get(f"/work/transcribe/{task_id}", headers=HTML, follow_redirects=False)
    if (api.status_code, page.status_code) == (200, 200):
        return True
    assert (api.status_code, page.status_code, page.headers["location"]) == (401, 303, "/login")
    return False


def test_a_cookie_copied_before_signing_out_is_refused_after_it(app, tina_task):
    browser = signed_in(app, "tina")
    copy = copy_of(app, browser)
    assert can_work(copy, tina_task)
    response = browser.get("/logout", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert SESSION_COOKIE not in browser.cookies
    assert not can_work(copy, tina_task)
    assert copy.get("/config").status_code == 401


def test_signing_out_in_one_browser_leaves_another_signed_in(app, tina_task):
    laptop, phone = signed_in(app, "tina"), signed_in(app, "tina")
    laptop.post("/logout")
    assert not can_work(laptop, tina_task)
    assert can_work(phone, tina_task)


def test_signing_in_again_replaces_the_browsers_session(app, tina_task):
    browser = signed_in(app, "tina")
    before = copy_of(app, browser)
    browser.post("/login", data={"username": "tina", "password": PASSWORD})
    assert can_work(browser, tina_task)
    assert not can_work(before, tina_task)


def test_closing_an_account_signs_its_browsers_out(wb, wb_people, app, tina_task):
    browser = signed_in(app, "tina")
    admin = signed_in(app, "admin")
    wb.deactivate_user(wb_people.admin, "tina", reason="left the project")
    assert not can_work(browser, tina_task)
    again = browser.post("/login", data={"username": "tina", "password": PASSWORD})
    assert again.status_code == 403 and "closed" in again.text
    assert SESSION_COOKIE not in again.cookies
    assert admin.get("/config").status_code == 200


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda cookie, token: _flip(cookie, 3), id="payload-changed"),
    pytest.param(lambda cookie, token: _flip(cookie, len(cookie) - 2), id="signature-changed"),
    pytest.param(lambda cookie, token: SessionSigner(b"another-secret", max_age=3600).issue(token),
                 id="real-token-signed-with-another-key"),
    pytest.param(lambda cookie, token: SessionSigner(SECRET, max_age=3600).issue("made-up-token"),
                 id="well-signed-unknown-token"),
    pytest.param(lambda cookie, token: URLSafeTimedSerializer(SECRET, salt="workbench-session").dumps(
        {"u": "tina"}), id="well-signed-username-as-before"),
])
def test_a_tampered_or_forged_cookie_opens_nothing(app, tina_task, tamper):
    browser = signed_in(app, "tina")
    cookie = browser.cookies[SESSION_COOKIE]
    token = SessionSigner(SECRET, max_age=3600).session_token(cookie)
    forged = TestClient(app)
    forged.cookies.set(SESSION_COOKIE, tamper(cookie, token))
    assert not can_work(forged, tina_task)
    assert can_work(browser, tina_task)


def test_the_cookie_carries_a_random_token_not_the_username(wb, app):
    cookie = signed_in(app, "tina").cookies[SESSION_COOKIE]
    token = SessionSigner(SECRET, max_age=3600).session_token(cookie)
    assert "tina" not in token and len(token) >= 40
    assert wb.resolve_session(token) == "tina"


def test_a_session_from_before_a_restart_still_works(wb, wb_people, wb_reopen, tina_task):
    """The signing key is kept in the data directory and the session in the database."""
    browser = signed_in(create_app(wb), "tina")
    restarted = copy_of(create_app(wb_reopen()), browser)
    assert can_work(restarted, tina_task)
    restarted.get("/logout")
    assert not can_work(browser, tina_task)
