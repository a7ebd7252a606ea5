"""Cross-site requests over raw HTTP: a page on another site makes a signed-in browser send
requests with its cookie; none of them may change anything. And the session cookie's
``Secure`` flag follows the operator's setting."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.builders import PASSWORD, signed_in
from workbench.config import Settings, SettingsError
from workbench.ui.serve import proxy_options
from workbench.ui.server import SESSION_COOKIE, create_app

SECRET = b"test-secret-for-signing-sessions"
EVIL = "https://evil.example"
OWN = "http://testserver"



@pytest.fixture
def database_url(sqlite_url):
    """HTTP behaviour only: one backend is enough."""
    return sqlite_url


def settings_for(wb, **changes) -> Settings:
    return dataclasses.replace(Settings.from_env({}, data_dir=wb.data_dir), **changes)


@pytest.fixture
def app(wb, wb_people):
    return create_app(wb, secret=SECRET, settings=settings_for(wb))


@pytest.fixture
def task(wb, wb_people, wb_clip):
    """tina's claimed task and its first segment."""
    task_id = wb_clip()
    wb.claim_next(wb_people.tina)
    return task_id, wb.open_task(wb_people.tina, task_id).segments[0]


def save(browser, segment, text: str, **headers):
    return browser.put(f"/api/work/segments/{segment.id}/text", headers=headers,
                       json={"text": text, "base_version": segment.version})


@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": EVIL}, id="foreign-origin"),
    pytest.param({"Origin": "null"}, id="opaque-origin"),
    pytest.param({"Referer": f"{EVIL}/cats.html"}, id="foreign-referer-without-origin"),
    pytest.param({"Origin": "https://testserver"}, id="same-host-other-scheme"),
    pytest.param({"Origin": f"{OWN}.evil.example"}, id="lookalike-host"),
])
def test_a_state_changing_request_from_another_site_is_refused_and_changes_nothing(wb, wb_people, app, task, headers):
    task_id, segment = task
    browser = signed_in(app, "tina")
    refused = save(browser, segment, "forged text", **headers)
    assert refused.status_code == 403 and "Cross-site" in refused.text
    assert wb.open_task(wb_people.tina, task_id).segments[0].text == segment.text


@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": OWN}, id="own-origin"),
    pytest.param({"Referer": f"{OWN}/work/transcribe/1"}, id="own-referer"),
    pytest.param({}, id="no-browser-headers"),
])
def test_the_workbenchs_own_pages_and_scripts_may_change_state(wb, wb_people, app, task, headers):
    task_id, segment = task
    assert save(signed_in(app, "tina"), segment, "네 맞아요.", **headers).status_code == 200
    assert wb.open_task(wb_people.tina, task_id).segments[0].text == "네 맞아요."


def test_an_origin_the_operator_allows_may_change_state(wb, wb_people, task):
    _, segment = task
    app = create_app(wb, secret=SECRET, settings=settings_for(wb, allowed_origins=("https://workbench.example.org",)))
    browser = signed_in(app, "tina")
    assert save(browser, segment, "네.", Origin="https://workbench.example.org").status_code == 200
    assert save(browser, segment, "아니요.", Origin=EVIL).status_code == 403


def test_a_foreign_site_cannot_sign_in_sign_out_or_apply(app):
    browser = signed_in(app, "tina")
    assert browser.post("/logout", headers={"Origin": EVIL}).status_code == 403
    assert browser.get("/config").status_code == 200
    forged_login = TestClient(app).post("/login", headers={"Origin": EVIL},
                                        data={"username": "tina", "password": PASSWORD})
    assert forged_login.status_code == 403 and SESSION_COOKIE not in forged_login.cookies
    assert TestClient(app).post("/apply", headers={"Origin": EVIL}, data={}).status_code == 403


def test_a_sign_out_link_on_another_site_signs_nobody_out(app):
    browser = signed_in(app, "tina")
    followed = browser.get("/logout", headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False)
    assert followed.headers["location"] == "/"
    assert browser.get("/config").status_code == 200
    assert browser.get("/logout", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert browser.get("/config").status_code == 401


def test_gradios_queue_refuses_a_foreign_origin(app):
    browser = signed_in(app, "tina")
    join = browser.post("/gradio_api/queue/join", headers={"Origin": EVIL},
                        json={"data": [], "fn_index": 0, "session_hash": "x", "event_data": None, "trigger_id": None})
    assert join.status_code == 403


def test_a_websocket_from_a_foreign_origin_is_refused(app):
    browser = signed_in(app, "tina")
    with pytest.raises(WebSocketDisconnect) as closed:
        with browser.websocket_connect("/gradio_api/queue/join", headers={"Origin": EVIL}):
            pass
    assert closed.value.code == 1008


def test_opening_a_review_by_link_takes_nothing(wb, wb_people, wb_clip, app):
    """A link or image on another site sends a GET with the reviewer's cookie."""
    task_id = wb_clip()
    tina = wb_people.tina
    claimed = wb.claim_next(tina)
    for segment in wb.open_task(tina, claimed.id).segments:
        wb.save_text(tina, segment.id, "네 맞아요 그렇게 할게요.", base_version=segment.version)
    wb.submit_task(tina, task_id)
    reviewer = signed_in(app, "rita")
    assert reviewer.get(f"/api/work/review/{task_id}").status_code in (404, 405)
    assert wb.list_tasks(wb_people.admin, state="submitted")[0].id == task_id
    assert reviewer.post(f"/api/work/review/{task_id}", headers={"Origin": EVIL}).status_code == 403
    assert wb.list_tasks(wb_people.admin, state="submitted")[0].id == task_id
    taken = reviewer.post(f"/api/work/review/{task_id}", headers={"Origin": OWN})
    assert taken.status_code == 200 and taken.json()["task"]["state"] == "in_review"


# --- the session cookie --------------------------------------------------------------------


@pytest.mark.parametrize("rule, base_url, secure", [
    ("auto", "http://testserver", False),
    ("auto", "https://testserver", True),
    ("always", "http://testserver", True),  # TLS ends at a proxy: the app sees http
    ("never", "https://testserver", False),
])
def test_the_cookies_secure_flag_follows_the_setting(wb, wb_people, rule, base_url, secure):
    app = create_app(wb, secret=SECRET, settings=settings_for(wb, cookie_secure=rule))
    response = TestClient(app, base_url=base_url).post(
        "/login", data={"username": "tina", "password": PASSWORD}, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert ("Secure" in cookie) is secure


@pytest.mark.parametrize("environ, message", [
    ({"WORKBENCH_COOKIE_SECURE": "sometimes"}, "WORKBENCH_COOKIE_SECURE"),
    ({"WORKBENCH_ALLOWED_ORIGINS": "https://ok.example, https://x.example/path"}, "WORKBENCH_ALLOWED_ORIGINS"),
    ({"WORKBENCH_ALLOWED_ORIGINS": "workbench.example.org"}, "WORKBENCH_ALLOWED_ORIGINS"),
])
def test_a_bad_web_setting_is_refused_at_start_up(tmp_path, environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ, data_dir=tmp_path)


def test_web_settings_are_read_from_the_environment(tmp_path):
    settings = Settings.from_env({"WORKBENCH_COOKIE_SECURE": "Always",
                                  "WORKBENCH_ALLOWED_ORIGINS": "https://WB.example.org/, http://10.0.0.5:7860",
                                  "WORKBENCH_TRUSTED_PROXIES": "10.0.0.2"}, data_dir=tmp_path)
    assert (settings.cookie_secure, settings.allowed_origins) == (
        "always", ("https://wb.example.org", "http://10.0.0.5:7860"))
    assert proxy_options(settings) == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.2"}


def test_forwarded_headers_are_believed_from_no_one_unless_the_operator_says_so(tmp_path):
    assert proxy_options(Settings.from_env({}, data_dir=tmp_path)) == {"proxy_headers": False}
