"""Bad input over HTTP gets a clear 4xx, is never stored and never answers 500, on both
backends: text beyond its limit, ids beyond the database's integer range, NaN and
infinity in JSON numbers, lone surrogates, NUL and other control characters.

The attacks go through the real app (``create_app``) with a signed-in session, as a hostile
transcriber or reviewer would send them.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests import builders
from workbench.queue import RecordingQueue
from workbench.store.models import Base
from workbench.ui.server import create_app
from workbench.workflow import limits

PASSWORD = builders.PASSWORD
TEXT_LIMIT = limits.SEGMENT_TEXT
COMMENT_LIMIT = limits.COMMENT


def snapshot(wb) -> dict:
    """Every row of every table but the sign-in bookkeeping (sessions, attempts and their
    throttle buckets: logins happen before, and a refused login is still counted)."""
    with wb.store.engine.connect() as conn:
        return {table.name: sorted(map(tuple, conn.execute(sa.select(table))), key=repr)
                for table in Base.metadata.sorted_tables if table.name not in ("sessions", "login_attempts", "throttle_buckets")}


def signed_in(app, username: str) -> TestClient:
    return builders.signed_in(app, username, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def site(module_database_url, tmp_path_factory):
    """The real app over one store per backend, shared by the module (every refusal leaves
    it as it was): tina holds a task (``editing``, its segments ``segments``), tom's task is
    in review with rita (its first segment ``reviewed``, played to the end)."""
    wb = builders.open_workbench(tmp_path_factory.mktemp("limits"), database_url=module_database_url,
                                 queue=RecordingQueue(), policy=builders.cheap_policy(listening_allowance=3600.0))
    admin = wb.create_user(None, username="admin", password=PASSWORD, name="Admin", roles={"admin"})
    for username, role in (("tina", "transcriber"), ("tom", "transcriber"), ("rita", "reviewer")):
        wb.create_user(admin, username=username, password=PASSWORD, name=username, roles={role}, language="ko")
    for name in ("a.wav", "b.wav"):
        wb.register_processed_clip(admin, filename=name, language="ko", project="p", duration=10.0,
                                   segments=[(0.0, 2.0), (2.5, 5.0), (6.0, 9.0)])
    tina, tom, rita = (wb.actor(name) for name in ("tina", "tom", "rita"))
    editing, submitted = wb.claim_next(tina).id, wb.claim_next(tom).id
    for segment, text in zip(wb.open_task(tom, submitted).segments, ["안녕하세요.", "반갑습니다.", "네 좋아요."]):
        wb.save_text(tom, segment.id, text, base_version=0)
    wb.submit_task(tom, submitted)
    reviewed = wb.start_review(rita, submitted).segments[0]
    # Heard as the page reports it: the whole audio sent, then played through.
    wb.record_audio_sent(rita, reviewed.id, bounds=(reviewed.start, reviewed.end), sent=(0.0, reviewed.duration))
    wb.record_play(rita, reviewed.id, intervals=[(0.0, reviewed.duration)])
    app = create_app(wb, secret=b"k" * 32)
    segments = wb.open_task(tina, editing).segments
    yield SimpleNamespace(
        wb=wb, app=app, editing=editing, submitted=submitted, reviewed=reviewed, segment=segments[0],
        segments=segments, tina=signed_in(app, "tina"), rita=signed_in(app, "rita"), admin=signed_in(app, "admin"),
    )
    wb.close()


def raw_json(client: TestClient, method: str, path: str, body: str):
    """Send ``body`` verbatim: NaN, Infinity and \\ud800 escapes are what Python's json reads."""
    return client.request(method, path, content=body.encode(), headers={"content-type": "application/json"})


def assert_refused(response, before, site, status=422):
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert snapshot(site.wb) == before


def test_a_segment_text_over_the_limit_is_refused_and_not_stored(site):
    before = snapshot(site.wb)
    response = site.tina.put(f"/api/work/segments/{site.segment.id}/text",
                             json={"text": "가" * (TEXT_LIMIT + 1), "base_version": 0})
    assert_refused(response, before, site)
    assert f"at most {TEXT_LIMIT:,}" in response.json()["detail"]


def current_version(site, segment_id: int) -> int:
    return next(s["version"] for s in site.tina.get(f"/api/work/tasks/{site.editing}").json()["segments"]
                if s["id"] == segment_id)


def test_a_segment_text_at_the_limit_is_saved(site):
    text = "가" * (TEXT_LIMIT - 1) + "."
    segment = site.segments[1].id
    response = site.tina.put(f"/api/work/segments/{segment}/text",
                             json={"text": text, "base_version": current_version(site, segment)})
    assert response.status_code == 200 and response.json()["text"] == text


def test_a_merge_whose_joined_text_would_pass_the_limit_is_refused(site):
    full, after = site.segments[1].id, site.segments[2].id
    for segment, text in ((full, "가" * (TEXT_LIMIT - 1) + "."), (after, "네.")):
        site.tina.put(f"/api/work/segments/{segment}/text", json={"text": text, "base_version": current_version(site, segment)})
    before = snapshot(site.wb)
    response = site.tina.post(f"/api/work/segments/{full}/merge")
    assert_refused(response, before, site)
    assert f"at most {TEXT_LIMIT:,}" in response.json()["detail"]


def test_a_10_mb_segment_text_is_refused_at_the_door(site):
    """A body that size never reaches the workflow: the body limit (1 MB for a JSON call)
    refuses it while it streams in."""
    before = snapshot(site.wb)
    response = site.tina.put(f"/api/work/segments/{site.segment.id}/text",
                             json={"text": "가" * 10_000_000, "base_version": 0})
    assert_refused(response, before, site, status=413)
    assert "too large" in response.json()["detail"]


def test_a_return_comment_over_the_limit_is_refused_and_not_stored(site):
    before = snapshot(site.wb)
    response = site.rita.post(f"/api/work/segments/{site.reviewed.id}/return",
                              json={"comment": "x" * (COMMENT_LIMIT + 1)})
    assert_refused(response, before, site)


def test_a_reviewers_correction_over_the_limit_is_refused(site):
    before = snapshot(site.wb)
    response = site.rita.post(f"/api/work/segments/{site.reviewed.id}/accept",
                              json={"text": "가" * (TEXT_LIMIT + 1)})
    assert_refused(response, before, site)


@pytest.mark.parametrize("row_id", [2**31, 2**63, 2**64, 10**30, 0, -1])
@pytest.mark.parametrize(("who", "method", "path", "body"), [
    ("tina", "GET", "/api/work/tasks/{id}", None),
    ("tina", "GET", "/api/work/tasks/{id}/problems", None),
    ("tina", "POST", "/api/work/tasks/{id}/submit", None),
    ("tina", "PUT", "/api/work/segments/{id}/text", {"text": "네.", "base_version": 0}),
    ("tina", "POST", "/api/work/segments/{id}/split", {"at": 1.0}),
    ("rita", "POST", "/api/work/review/{id}", None),
    ("rita", "POST", "/api/work/segments/{id}/return", {"comment": "다시"}),
    ("rita", "POST", "/api/work/tasks/{id}/finish", None),
    ("tina", "GET", "/media/segment/{id}.wav", None),
    ("admin", "GET", "/media/document/{id}", None),
])
def test_ids_beyond_the_database_integer_range_are_refused_never_a_500(site, who, method, path, body, row_id):
    before = snapshot(site.wb)
    response = getattr(site, who).request(method, path.format(id=row_id), json=body)
    assert_refused(response, before, site)
    assert "id" in response.json()["detail"]


@pytest.mark.parametrize("version", [2**31, 2**63, -(2**63) - 1])
def test_a_base_version_beyond_the_integer_range_is_refused(site, version):
    before = snapshot(site.wb)
    response = site.tina.put(f"/api/work/segments/{site.segment.id}/text", json={"text": "네.", "base_version": version})
    assert_refused(response, before, site)


@pytest.mark.parametrize(("who", "path", "body"), [
    ("tina", "/api/work/segments/{segment}/text", '{"text": "네.", "base_version": NaN}'),
    ("tina", "/api/work/segments/{segment}/text", '{"text": "네.", "base_version": Infinity}'),
    ("tina", "/api/work/segments/{segment}/no-speech", '{"reason": "silence", "base_version": -Infinity}'),
    ("tina", "/api/work/segments/{segment}/split", '{"at": NaN}'),
    ("tina", "/api/work/segments/{segment}/split", '{"at": Infinity}'),
    ("rita", "/api/work/segments/{reviewed}/play", '{"intervals": [[0, NaN]]}'),
    ("rita", "/api/work/segments/{reviewed}/play", '{"intervals": [[0, Infinity]]}'),
])
def test_nan_and_infinity_are_refused_never_a_500(site, who, path, body):
    before = snapshot(site.wb)
    method = "PUT" if path.endswith("/text") else "POST"
    response = raw_json(getattr(site, who), method, path.format(segment=site.segment.id, reviewed=site.reviewed.id),
                        body)
    assert_refused(response, before, site)


@pytest.mark.parametrize("bad", ["\\ud800", "\\udfff tail", "a\\u0000b", "bell\\u0007", "esc\\u001b[31m", "del\\u007f"])
@pytest.mark.parametrize(("who", "path", "template"), [
    ("tina", "/api/work/segments/{segment}/text", '{{"text": "{bad}", "base_version": 0}}'),
    ("tina", "/api/work/segments/{segment}/no-speech", '{{"reason": "{bad}", "base_version": 0}}'),
    ("rita", "/api/work/segments/{reviewed}/return", '{{"comment": "{bad}"}}'),
    ("rita", "/api/work/segments/{reviewed}/accept", '{{"text": "{bad}"}}'),
])
def test_lone_surrogates_and_control_characters_are_refused_never_stored(site, who, path, template, bad):
    before = snapshot(site.wb)
    method = "PUT" if path.endswith("/text") else "POST"
    response = raw_json(getattr(site, who), method, path.format(segment=site.segment.id, reviewed=site.reviewed.id),
                        template.format(bad=bad))
    assert_refused(response, before, site)
    assert "character" in response.json()["detail"]


def test_line_breaks_in_a_typed_sentence_are_still_welcome(site):
    segment = site.segments[2].id
    response = site.tina.put(f"/api/work/segments/{segment}/text",
                             json={"text": "안녕\n하세요.\t", "base_version": current_version(site, segment)})
    assert response.status_code == 200 and response.json()["text"] == "안녕 하세요."


@pytest.mark.parametrize("username", [b"a%00b", b"tina%00", b"%ED%A0%80", b"x" * 5000, b"tina%07"])
def test_a_login_with_an_unstorable_username_is_refused_like_a_wrong_password(site, username):
    before = snapshot(site.wb)
    client = TestClient(site.app, raise_server_exceptions=False)
    response = client.post("/login", content=b"username=" + username + b"&password=" + PASSWORD.encode(),
                           headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert response.status_code == 401
    assert snapshot(site.wb) == before


@pytest.mark.parametrize(("field", "value"), [
    ("username", "new\x00one"), ("name", "New\x00One"), ("name", "N" * 201), ("bank_holder", "New\x00One"),
    ("password", "p" * 2000), ("password", "long-enough\x00"),
])
def test_an_application_with_an_unstorable_field_is_refused_and_not_stored(site, field, value):
    before = snapshot(site.wb)
    form = {"name": "New One", "username": "newone", "password": "a-long-password-1", "language": "ko",
            "bank_holder": "New One"} | {field: value}
    client = TestClient(site.app, raise_server_exceptions=False)
    response = client.post("/apply", data=form, files={"document": ("id.pdf", b"%PDF-1.4 x", "application/pdf")})
    assert response.status_code == 422, response.text[:300]
    assert snapshot(site.wb) == before
