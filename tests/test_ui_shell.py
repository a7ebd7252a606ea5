"""The web shell over HTTP: without a session there is only the login page; logins are
checked by the store and rate-limited; media is served only to whoever the Workbench allows."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

import gradio as gr

from tests.builders import PASSWORD, add_admin, add_people, open_processing_workbench, signed_in
from workbench.ui.wiring import LANGUAGE_NAMES, bind
from workbench.workflow.domain import LANGUAGES
from workbench.workflow.errors import NotFound
from workbench.ui.server import SESSION_COOKIE, SessionSigner, create_app, load_secret
from workbench.workflow.service import Workbench

SECRET = b"test-secret-for-signing-sessions"
SAMPLE_CLIP = Path(__file__).resolve().parent.parent / "sample_data" / "ko_call.mp3"
PEOPLE = {
    "ko-scribe": ({"transcriber"}, "ko"),
    "ko-scribe-2": ({"transcriber"}, "ko"),
    "en-scribe": ({"transcriber"}, "en"),
    "ko-reviewer": ({"reviewer"}, "ko"),
    "locked-out": ({"transcriber"}, "en"),
}


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    """One store for the module (argon2 hashing and processing are slow): a processed Korean
    clip whose task ko-scribe has claimed. Tests that change state use their own names."""
    workbench = open_processing_workbench(tmp_path_factory.mktemp("data"))
    admin = add_admin(workbench)
    add_people(workbench, admin, PEOPLE)
    workbench.import_clip(admin, filename="call.mp3", source=SAMPLE_CLIP, language="ko", project="p")
    workbench.claim_next(workbench.actor("ko-scribe"))
    yield workbench
    workbench.close()


@pytest.fixture(scope="module")
def app(wb):
    return create_app(wb, secret=SECRET)


@pytest.fixture
def client(app):
    """``client(username=None)``: an HTTP client with its own cookies, signed in as ``username``."""

    return lambda username=None: signed_in(app, username)


@pytest.fixture(scope="module")
def claimed_segment(wb) -> int:
    scribe = wb.actor("ko-scribe")
    [task] = wb.my_queue(scribe).open
    return wb.open_task(scribe, task.id).segments[0].id


def pending_for(wb, username: str):
    return [a for a in wb.list_applications(wb.actor("admin")) if a.username == username]


HTML = {"accept": "text/html"}


@pytest.mark.parametrize(
    "path",
    ["/", "/?view=api", "/config", "/gradio_api/info", "/gradio_api/queue/status",
     "/media/segment/1.wav", "/media/spectrogram/1.png", "/media/document/1", "/ui-static/work.css"],
)
def test_without_a_session_only_the_login_page_answers(client, path):
    http = client()
    assert http.get(path, follow_redirects=False).status_code == 401
    page = http.get(path, headers=HTML, follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")
    login = http.get("/login")
    assert login.status_code == 200
    assert 'action="/login"' in login.text and 'action="/apply"' in login.text


@pytest.mark.parametrize("path", ["/gradio_api/queue/join", "/gradio_api/upload", "/gradio_api/run/predict"])
def test_without_a_session_the_app_api_refuses_calls(client, path):
    assert client().post(path, json={}).status_code == 401


@pytest.mark.parametrize("cookie", ["", "garbage", SessionSigner(b"another-secret", max_age=3600).issue("admin")])
def test_a_forged_or_broken_session_cookie_is_no_session(client, cookie):
    http = client()
    http.cookies.set(SESSION_COOKIE, cookie)
    assert http.get("/config").status_code == 401


def test_signing_in_opens_the_app_and_signing_out_closes_it(client):
    http = client("admin")
    assert http.get("/config").status_code == 200
    assert http.get("/login", follow_redirects=False).headers["location"] == "/"
    http.get("/logout")
    assert http.get("/config").status_code == 401


@pytest.mark.parametrize(
    "username, password, status, message",
    [
        ("admin", "wrong-password", 401, "Wrong username or password"),
        ("nobody", PASSWORD, 401, "Wrong username or password"),
    ],
)
def test_a_failed_login_says_so_and_sets_no_cookie(client, username, password, status, message):
    response = client().post("/login", data={"username": username, "password": password})
    assert response.status_code == status
    assert message in response.text
    assert SESSION_COOKIE not in response.cookies


def test_failed_logins_are_throttled_without_locking_the_owner_out(wb, app):
    guesser = TestClient(app, client=("203.0.113.50", 1))
    burst = wb.policy.login_account_rate.burst
    statuses = [guesser.post("/login", data={"username": "locked-out", "password": f"guess-{n}"}).status_code
                for n in range(burst + 1)]
    assert statuses == [401] * burst + [429]
    # Even the right password waits, from the guesser's address...
    throttled = guesser.post("/login", data={"username": "locked-out", "password": PASSWORD}, follow_redirects=False)
    assert throttled.status_code == 429 and "Too many sign-in attempts" in throttled.text
    assert SESSION_COOKIE not in throttled.cookies


def test_a_session_outlives_a_restart_because_the_secret_is_kept_in_the_data_dir(wb):
    secret = load_secret(wb.data_dir)
    assert load_secret(wb.data_dir) == secret
    assert (wb.data_dir / "session-secret.key").stat().st_mode & 0o077 == 0
    first = TestClient(create_app(wb))
    first.post("/login", data={"username": "admin", "password": PASSWORD})
    second = TestClient(create_app(wb))
    second.cookies.set(SESSION_COOKIE, first.cookies[SESSION_COOKIE])
    assert second.get("/config").status_code == 200


def application_form(**changes) -> dict[str, str]:
    form = {"name": "Kim Minji", "username": "minji", "password": PASSWORD, "language": "ko",
            "bank_holder": "KIM MINJI"}
    return {**form, **changes}


def test_an_application_from_the_login_page_waits_for_an_admin(wb, client):
    http = client()
    document = ("id.pdf", b"%PDF-1.4 id", "application/pdf")
    response = http.post("/apply", data=application_form(), files={"document": document})
    assert response.status_code == 200
    assert "application was received" in response.text
    [application] = pending_for(wb, "minji")
    assert application.language == "ko"
    pending = http.post("/login", data={"username": "minji", "password": PASSWORD})
    assert pending.status_code == 403
    assert "still being reviewed" in pending.text
    wb.decide_application(wb.actor("admin"), application.id, approve=True, reason="")
    approved = http.post("/login", data={"username": "minji", "password": PASSWORD}, follow_redirects=False)
    assert approved.status_code == 303


@pytest.mark.parametrize(
    "changes, document, message",
    [
        ({"bank_holder": "Somebody Else"}, ("id.pdf", b"%PDF", "application/pdf"), "must be you"),
        ({"password": "short"}, ("id.pdf", b"%PDF", "application/pdf"), "at least"),
        ({"language": "xx"}, ("id.pdf", b"%PDF", "application/pdf"), "Unknown language"),
        ({}, ("id.pdf", b"", "application/pdf"), "empty"),
        ({}, ("../../etc/passwd", b"x", "text/plain"), "path"),
    ],
)
def test_a_bad_application_is_refused_with_the_reason_and_keeps_the_typed_values(
    wb, client, changes, document, message
):
    form = application_form(username="refused", **changes)
    response = client().post("/apply", data=form, files={"document": document})
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Kim Minji"' in response.text
    assert pending_for(wb, "refused") == []


@pytest.mark.parametrize(
    "username, status",
    # A reviewer hears a task only once it is submitted for review.
    [("ko-scribe", 200), ("admin", 200), ("ko-reviewer", 403), ("ko-scribe-2", 403), ("en-scribe", 403)],
)
def test_segment_audio_is_served_only_to_whom_the_workbench_allows(client, claimed_segment, username, status):
    http = client(username)
    for variant in ("clean", "original"):
        response = http.get(f"/media/segment/{claimed_segment}.wav", params={"variant": variant})
        assert response.status_code == status
        if status == 200:
            assert response.headers["content-type"].startswith("audio/")
            assert response.headers["cache-control"].startswith("private")
            assert len(response.content) > 1000


@pytest.mark.parametrize("username, status", [("ko-scribe", 200), ("en-scribe", 403), ("ko-scribe-2", 403)])
def test_spectrograms_follow_the_same_rule(client, claimed_segment, username, status):
    response = client(username).get(f"/media/spectrogram/{claimed_segment}.png")
    assert response.status_code == status
    if status == 200:
        assert response.content.startswith(b"\x89PNG")


def test_unknown_media_is_not_found_and_bad_variants_are_refused(client, claimed_segment):
    http = client("ko-scribe")
    assert http.get("/media/segment/999999.wav").status_code == 404
    assert http.get(f"/media/segment/{claimed_segment}.wav", params={"variant": "raw"}).status_code == 422


@pytest.mark.parametrize(
    "filename, content_type, disposition",
    [("id.pdf", "application/pdf", "inline"), ("id.html", "text/html", "attachment")],
)
def test_application_documents_are_for_admins_and_never_run_in_the_browser(
    wb, client, filename, content_type, disposition
):
    username = f"doc-{disposition}"
    form = application_form(username=username)
    client().post("/apply", data=form, files={"document": (filename, b"<script>x</script>", content_type)})
    [application] = pending_for(wb, username)
    assert client("ko-scribe").get(f"/media/document/{application.id}").status_code == 403
    response = client("admin").get(f"/media/document/{application.id}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith(disposition)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]


def greet(wb: "Workbench", greeting: str, name: str, request: gr.Request) -> str:
    if not name:
        raise NotFound("Nobody to greet.")
    return f"{greeting}, {name} ({request.username})"


def test_bind_hides_the_fixed_arguments_and_shows_workbench_errors_to_the_user():
    handler = bind(greet, "the workbench", "Hello")
    assert list(inspect.signature(handler).parameters) == ["name", "request"]
    assert typing.get_type_hints(handler)["request"] is gr.Request
    assert handler("Ann", SimpleNamespace(username="ann")) == "Hello, Ann (ann)"
    with pytest.raises(gr.Error, match="Nobody to greet"):
        handler("", SimpleNamespace(username="ann"))


def test_every_language_has_a_name_on_the_pages():
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)
