"""The app's own scripts and stylesheets (``/ui-static``) cost little per request: a session
seen live a moment ago opens them without another database read, and a versioned URL is
kept by the browser for good. Neither loosens anything else: the API, media and pages
check the session on every request, so a revoked session stops there at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.builders import signed_in
from workbench.ui import session as gate
from workbench.ui.server import create_app
from workbench.ui.work_api import versioned_assets

SECRET = b"test-secret-for-signing-sessions"


@pytest.fixture
def session_reads(wb, monkeypatch) -> list[str]:
    """Every session the gate reads from the database, in order."""
    reads: list[str] = []
    read = wb.session_actor

    def counted(token):
        reads.append(token)
        return read(token)

    monkeypatch.setattr(wb, "session_actor", counted)
    return reads


@pytest.fixture
def tina_task(wb, wb_people, wb_clip) -> int:
    wb_clip()
    return wb.claim_next(wb_people.tina).id


def test_assets_right_after_a_page_read_no_session_from_the_database(wb, wb_people, session_reads, tina_task):
    browser = signed_in(create_app(wb, secret=SECRET), "tina")
    assert browser.get(f"/work/transcribe/{tina_task}").status_code == 200
    before = len(session_reads)
    for name in ("work.css", "api.js", "dom.js"):
        assert browser.get(versioned_assets().format(name)).status_code == 200
    assert len(session_reads) == before


@pytest.mark.parametrize("path", ["/ui-vendor/..%2Fpackage.json", "/ui-vendor/a/b", "/ui-static/../work"])
def test_a_path_that_leaves_the_asset_routes_reads_the_session_and_gets_the_same_answer(
        wb, wb_people, session_reads, tina_task, path):
    browser = signed_in(create_app(wb, secret=SECRET), "tina")
    assert browser.get(versioned_assets().format("api.js")).status_code == 200  # the session is now live
    before = len(session_reads)
    answer = browser.get(path)
    assert len(session_reads) == before + 1
    assert answer.status_code != 401  # a signed-in reader is never told to sign in


def test_the_api_and_media_read_the_session_on_every_request(wb, wb_people, session_reads, tina_task):
    browser = signed_in(create_app(wb, secret=SECRET), "tina")
    before = len(session_reads)
    for _ in range(3):
        assert browser.get(f"/api/work/tasks/{tina_task}").status_code == 200
    assert len(session_reads) == before + 3


def test_a_revoked_session_is_refused_by_the_api_at_once_though_assets_were_just_fetched(wb, wb_people, tina_task):
    browser = signed_in(create_app(wb, secret=SECRET), "tina")
    assert browser.get(versioned_assets().format("api.js")).status_code == 200
    wb.deactivate_user(wb_people.admin, "tina", reason="left the project")
    assert browser.get(f"/api/work/tasks/{tina_task}").status_code == 401
    assert browser.get("/media/segment/1.wav").status_code == 401
    assert browser.get(f"/work/transcribe/{tina_task}", follow_redirects=False).status_code in (303, 401)


def test_a_revoked_session_loses_the_assets_once_the_short_window_passes(wb, wb_people, monkeypatch):
    monkeypatch.setattr(gate, "ASSET_SESSION_SECONDS", 0.0)
    app = create_app(wb, secret=SECRET)
    browser = signed_in(app, "tina")
    copy = TestClient(app)
    copy.cookies.set(gate.SESSION_COOKIE, browser.cookies[gate.SESSION_COOKIE])
    assert copy.get("/ui-static/work-pages.css").status_code == 200
    browser.post("/logout")
    assert copy.get("/ui-static/work-pages.css").status_code == 401


def test_a_forged_cookie_never_opens_an_asset(wb, wb_people):
    signed_in(create_app(wb, secret=SECRET), "tina")
    stranger = signed_in(create_app(wb, secret=b"another-secret-entirely-here!!"), None)
    stranger.cookies.set(gate.SESSION_COOKIE, "forged")
    assert stranger.get("/ui-static/work.css").status_code == 401


def test_a_versioned_asset_is_kept_by_the_browser_an_unversioned_one_is_checked(wb, wb_people):
    browser = signed_in(create_app(wb, secret=SECRET), "tina")
    versioned = browser.get(versioned_assets().format("api.js"))
    assert "immutable" in versioned.headers["cache-control"]
    assert "private" in versioned.headers["cache-control"]
    assert "immutable" not in browser.get("/ui-static/work-pages.css").headers.get("cache-control", "")
