"""The work pages' JSON endpoints over HTTP, through the real app with its session login.

What the pages' JavaScript relies on: refusals keep the app's ``{"detail": ...}`` shape and
status, a stale save answers 409 with the stored segment, a blocked submit 422 with every
problem.
"""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.builders import add_admin, add_people, open_workbench, processed_clip, signed_in
from workbench.queue import RecordingQueue
from workbench.store.models import Segment
from workbench.ui.server import create_app



@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One app over a SQLite file with a claimed Korean task and a submitted one."""
    wb = open_workbench(tmp_path_factory.mktemp("work-api"), queue=RecordingQueue())
    admin = add_admin(wb)
    add_people(wb, admin, {"minji": ({"transcriber"}, "ko"), "jisoo": ({"transcriber"}, "ko"),
                           "hyun": ({"reviewer"}, "ko")})
    for name in ("a.wav", "b.wav"):
        processed_clip(wb, admin, filename=name, project="p", duration=4.0, spans=[(0.0, 2.0), (2.0, 4.0)])
    minji = wb.actor("minji")
    editing, submitted = wb.claim_next(minji).id, wb.claim_next(minji).id
    for segment in wb.open_task(minji, submitted).segments:
        wb.save_text(minji, segment.id, "네 맞아요.", base_version=segment.version)
    wb.submit_task(minji, submitted)
    app = create_app(wb, secret=b"k" * 32)
    yield app, wb, editing, submitted
    wb.close()


def first_segment(client: TestClient, task_id: int) -> dict:
    return client.get(f"/api/work/tasks/{task_id}").json()["segments"][0]


@pytest.mark.parametrize(("username", "method", "path", "status"), [
    (None, "GET", "/api/work/tasks/{editing}", 401),
    (None, "GET", "/work/transcribe/{editing}", 401),
    ("jisoo", "GET", "/api/work/tasks/{editing}", 403),
    ("jisoo", "POST", "/api/work/tasks/{editing}/submit", 403),
    ("hyun", "GET", "/api/work/tasks/{editing}", 403),
    ("minji", "POST", "/api/work/review/{submitted}", 403),
    ("minji", "GET", "/api/work/tasks/999999", 404),
])
def test_refusals_answer_with_a_status_and_a_message(served, username, method, path, status):
    app, _, editing, submitted = served
    response = signed_in(app, username).request(method, path.format(editing=editing, submitted=submitted))
    assert response.status_code == status
    assert response.json()["detail"]


def test_a_stale_save_answers_409_with_the_stored_segment(served):
    app, _, editing, _ = served
    client = signed_in(app, "minji")
    segment = first_segment(client, editing)
    saved = client.put(f"/api/work/segments/{segment['id']}/text",
                       json={"text": "첫 번째 탭", "base_version": segment["version"]})
    assert saved.status_code == 200 and saved.json()["version"] == segment["version"] + 1
    stale = client.put(f"/api/work/segments/{segment['id']}/text",
                       json={"text": "두 번째 탭", "base_version": segment["version"]})
    assert stale.status_code == 409
    assert stale.json()["current"]["text"] == "첫 번째 탭"
    assert first_segment(client, editing)["text"] == "첫 번째 탭"


def test_a_submit_blocked_by_guideline_errors_answers_422_with_the_problems(served):
    app, _, editing, _ = served
    client = signed_in(app, "minji")
    response = client.post(f"/api/work/tasks/{editing}/submit")
    assert response.status_code == 422
    assert {p["rule"] for p in response.json()["problems"]} >= {"empty-text"}
    assert client.get(f"/api/work/tasks/{editing}").json()["task"]["state"] == "in_progress"


def test_a_korean_reader_gets_the_guideline_problems_in_korean_and_the_cli_keeps_english(served):
    app, wb, editing, _ = served
    korean = signed_in(app, "minji", headers={"Accept-Language": "ko"})
    checked = korean.get(f"/api/work/tasks/{editing}/problems").json()["problems"]
    blocked = korean.post(f"/api/work/tasks/{editing}/submit")
    assert blocked.status_code == 422
    for problems in (checked, blocked.json()["problems"]):
        empty = next(p for p in problems if p["rule"] == "empty-text")
        assert empty["message"] == "텍스트가 없습니다: 음성을 전사하거나 음성 없음으로 표시하세요"
    english = signed_in(app, "minji", headers={"Accept-Language": "en"})
    shown = english.get(f"/api/work/tasks/{editing}/problems").json()["problems"]
    # What the CLI and reports print: the English message, whoever asked for it.
    for problem in wb.check_task(wb.actor("minji"), editing):
        assert problem.message == problem.template.format(**problem.params)
    assert [p["message"] for p in shown] == [p.message for p in wb.check_task(wb.actor("minji"), editing)]
    assert "no text: transcribe the speech or mark it as no speech" in [p["message"] for p in shown]


def test_accepting_an_unheard_segment_is_refused_with_how_much_was_heard(served):
    app, _, _, submitted = served
    client = signed_in(app, "hyun")
    segment = client.post(f"/api/work/review/{submitted}").json()["segments"][0]
    refused = client.post(f"/api/work/segments/{segment['id']}/accept", json={})
    assert refused.status_code == 409 and "heard 0% of it, 95% is needed" in refused.json()["detail"]
    # Hearing it (audio sent, intervals reported) is test_ui_listening.py's subject.


def test_the_api_tells_each_page_what_it_may_do_so_the_page_derives_no_rule(served):
    app, _, editing, submitted = served
    mine = signed_in(app, "minji").get(f"/api/work/tasks/{editing}").json()
    assert (mine["task"]["editable"], mine["task"]["reviewing"]) == (True, False)
    assert all(s["editable"] and not s["decided"] for s in mine["segments"])
    handed_in = signed_in(app, "minji").get(f"/api/work/tasks/{submitted}").json()
    assert handed_in["task"]["state"] != "in_progress" and handed_in["task"]["editable"] is False
    assert all(s["done"] for s in handed_in["segments"])  # both sentences typed
    review = signed_in(app, "hyun").post(f"/api/work/review/{submitted}").json()
    assert (review["task"]["editable"], review["task"]["reviewing"]) == (False, True)
    admin = signed_in(app, "admin").get(f"/api/work/tasks/{submitted}").json()
    assert (admin["task"]["editable"], admin["task"]["reviewing"]) == (False, False)


@pytest.mark.parametrize(("path", "role"), [("/work/transcribe/{editing}", "transcriber"),
                                             ("/work/review/{editing}", "reviewer")])
def test_the_task_page_loads_its_role_script_and_the_assets_exist(served, path, role):
    app, _, editing, _ = served
    client = signed_in(app, "minji")
    page = client.get(path.format(editing=editing))
    assert page.status_code == 200
    assert f'data-role="{role}" data-task="{editing}"' in page.text
    assert re.search(rf'<script type="module" src="[^"]*/{role}\.js\?v=\d+"></script>', page.text)
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]*/work\.css)\?v=\d+">', page.text).group(1)
    import_map = json.loads(re.search(r'<script type="importmap">(.*?)</script>', page.text, re.S).group(1))
    modules = import_map["imports"]
    assert f"{stylesheet.rsplit('/', 1)[0]}/{role}.js" in modules
    own = {url: versioned for url, versioned in modules.items() if url.startswith("/")}  # not npm's (ui/vendor.py)
    for url, versioned in [(stylesheet, stylesheet), *own.items()]:
        assert versioned.startswith(f"{url}?v=") or versioned == url, versioned
        assert client.get(versioned).status_code == 200, versioned


def test_every_module_the_task_pages_import_is_in_their_import_map():
    """Each ``import … from "./x.js"`` resolves through the map to a file that exists, so an
    upgrade never runs a browser's old copy of one module with the new others."""
    from workbench.ui.work_api import ASSETS, ASSET_URL, import_map

    mapped = json.loads(import_map(f"{ASSET_URL}/{{}}?v=1"))["imports"]
    for module in ASSETS.glob("*.js"):
        for name in re.findall(r'^import [^;]*? from "\./([\w.]+\.js)";$', module.read_text(), re.M):
            assert f"{ASSET_URL}/{name}" in mapped and (ASSETS / name).is_file(), (module.name, name)


def segments_of(client: TestClient, task_id: int) -> list[tuple[float, float, str, int]]:
    return [(s["start"], s["end"], s["text"], s["version"])
            for s in client.get(f"/api/work/tasks/{task_id}").json()["segments"]]


@pytest.mark.parametrize("body", [
    {"at": 3.0, "texts": ["하나", "둘", "셋"], "base_version": 0},
    {"at": 3.0, "texts": "하나둘", "base_version": 0},
    {"at": 3.0, "texts": [1, 2], "base_version": 0},
    {"at": 3.0, "texts": ["하나", "둘"]},
    {"at": 3.0, "texts": ["하나", "둘"], "base_version": -5},
    {"at": 3.0, "texts": ["하나", "둘"], "base_version": 99},
    {"at": 3.0, "texts": ["하나\u0000", "둘"], "base_version": 0},
    {"at": 3.0, "texts": ["가" * 100_000, ""], "base_version": 0},
    {"at": "NaN", "texts": ["하나", "둘"], "base_version": 0},
    {"at": 9.0, "texts": ["하나", "둘"], "base_version": 0},
])
def test_a_split_with_junk_texts_caret_or_version_is_refused_and_changes_nothing(served, body):
    app, _, editing, _ = served
    client = signed_in(app, "minji")
    before = segments_of(client, editing)
    second = client.get(f"/api/work/tasks/{editing}").json()["segments"][-1]
    response = client.post(f"/api/work/segments/{second['id']}/split", json=body)
    assert response.status_code in (409, 422), response.text
    assert response.json()["detail"]
    assert segments_of(client, editing) == before


def test_a_split_of_another_transcribers_segment_is_refused_and_changes_nothing(served):
    app, _, editing, _ = served
    mine = signed_in(app, "minji")
    before = segments_of(mine, editing)
    segment = mine.get(f"/api/work/tasks/{editing}").json()["segments"][-1]
    response = signed_in(app, "jisoo").post(f"/api/work/segments/{segment['id']}/split",
                                             json={"at": 3.0, "texts": ["남의 ", "글"], "base_version": 0})
    assert response.status_code == 403
    assert segments_of(mine, editing) == before


def test_a_split_at_the_caret_divides_the_text_between_the_halves(served):
    app, _, editing, _ = served
    client = signed_in(app, "minji")
    segment = client.get(f"/api/work/tasks/{editing}").json()["segments"][-1]
    saved = client.put(f"/api/work/segments/{segment['id']}/text",
                       json={"text": "앞 문장. 뒤 문장.", "base_version": segment["version"]}).json()
    response = client.post(f"/api/work/segments/{segment['id']}/split",
                           json={"at": 3.0, "texts": ["앞 문장. ", "뒤 문장."], "base_version": saved["version"]})
    assert response.status_code == 200
    assert [(s["text"], s["status"]) for s in response.json()] == [("앞 문장.", "saved"), ("뒤 문장.", "saved")]
    assert [text for _, _, text, _ in segments_of(client, editing)][-2:] == ["앞 문장.", "뒤 문장."]


def test_a_save_is_refused_at_once_after_sign_out_everywhere_a_closed_account_or_by_another_transcriber(tmp_path):
    """The autosave's Core path keeps every rule of the ORM one it replaced (issue 16): the
    session is read on each save, so a revoked session or a closed account saves nothing
    from the very next request, and another transcriber's segment is refused."""
    wb = open_workbench(tmp_path, queue=RecordingQueue())
    admin = add_admin(wb)
    add_people(wb, admin, {"minji": ({"transcriber"}, "ko"), "jisoo": ({"transcriber"}, "ko")})
    processed_clip(wb, admin, filename="a.wav", project="p", duration=4.0, spans=[(0.0, 2.0), (2.0, 4.0)])
    task_id = wb.claim_next(wb.actor("minji")).id
    app = create_app(wb, secret=b"k" * 32)
    first, second, stranger = signed_in(app, "minji"), signed_in(app, "minji"), signed_in(app, "jisoo")
    segment = first_segment(first, task_id)
    url = f"/api/work/segments/{segment['id']}/text"
    saved = first.put(url, json={"text": "안녕하세요.", "base_version": segment["version"]})
    assert saved.status_code == 200 and saved.json()["version"] == segment["version"] + 1
    version = saved.json()["version"]
    refused = stranger.put(url, json={"text": "남의 글.", "base_version": version})
    assert refused.status_code == 403 and refused.json()["detail"]
    wb.end_sessions(wb.actor("minji"), "minji")
    assert first.put(url, json={"text": "로그아웃 뒤.", "base_version": version}).status_code == 401
    again = signed_in(app, "minji")
    wb.deactivate_user(admin, "minji", reason="left the project")
    assert again.put(url, json={"text": "계정 닫힌 뒤.", "base_version": version}).status_code == 401
    assert second.put(url, json={"text": "계정 닫힌 뒤.", "base_version": version}).status_code == 401
    with wb.store.reading() as session:
        stored = session.get(Segment, segment["id"])
        assert (stored.text, stored.version) == ("안녕하세요.", version)
    wb.close()
