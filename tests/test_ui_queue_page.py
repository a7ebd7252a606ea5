"""The worker's light queue page (ui/queue_page.py, static/work/queue.js) over HTTP, through the
real app: a transcriber or reviewer lands on it on signing in; it lists only the signed-in
worker's own queue, of their own language and role; "take the next task" is the claim route;
and each door an attacker would try (no session, another role, another language, another
worker's tasks, a huge or junk body, another site, a name with markup) is shut."""

from __future__ import annotations

import re

import pytest

from tests.builders import add_admin, add_people, processed_clip, signed_in, transcribe
from workbench.ui.server import create_app

CLAIM = "/api/work/tasks/claim"
QUEUE = "/api/work/queue"
REVIEW_QUEUE = "/api/work/review-queue"
OWN_ORIGIN = "http://testserver"  # TestClient's base URL


@pytest.fixture
def app(wb):
    """Both backends: Korean and Chinese transcribers and reviewers; three open Korean tasks
    and one Chinese open; minji holds a Korean task and submitted another."""
    admin = add_admin(wb)
    add_people(wb, admin, {
        "minji": ({"transcriber"}, "ko"), "jisoo": ({"transcriber"}, "ko"), "wei": ({"transcriber"}, "zh"),
        "hyun": ({"reviewer"}, "ko"), "bora": ({"reviewer"}, "ko"), "mei": ({"reviewer"}, "zh"),
        "both": ({"transcriber", "reviewer"}, "ko"),
    })
    for n in range(5):
        processed_clip(wb, admin, filename=f"ko-{n}.wav")
    processed_clip(wb, admin, filename="zh-0.wav", language="zh")
    minji = wb.actor("minji")
    transcribe(wb, minji, wb.claim_next_id(minji))
    wb.claim_next_id(minji)
    return create_app(wb, secret=b"k" * 32)


def held(wb, username: str) -> list[int]:
    queue = wb.my_queue(wb.actor(username))
    return [task.id for task in (*queue.returned, *queue.open)]


def open_ko_tasks(wb) -> int:
    return wb.my_queue(wb.actor("jisoo")).available


# --- landing ------------------------------------------------------------------------------

@pytest.mark.parametrize(("username", "landing"), [
    ("minji", "/work"), ("hyun", "/work"), ("both", "/work"), ("admin", "/"),
])
def test_a_worker_lands_on_the_queue_page_and_an_admin_on_the_gradio_app(app, username, landing):
    client = signed_in(app, None)
    answer = client.post("/login", data={"username": username, "password": "quiet-lantern-57"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == landing
    assert client.get("/login", follow_redirects=False).headers["location"] == landing


def test_the_queue_page_loads_its_script_and_every_asset_it_names_exists(app):
    client = signed_in(app, "minji")
    page = client.get("/work")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert client.get(QUEUE).headers["cache-control"] == "no-store"
    assert 'id="take-next"' in page.text and 'id="review-tasks"' not in page.text
    urls = re.findall(r'(?:href|src)="(/ui-static/work/[^"]+)"', page.text)
    assert any("queue.js" in url for url in urls) and any("work.css" in url for url in urls)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_each_worker_sees_the_sections_of_their_own_roles(app):
    reviewer = signed_in(app, "hyun").get("/work").text
    assert 'id="review-tasks"' in reviewer and 'id="take-next"' not in reviewer
    both = signed_in(app, "both").get("/work").text
    assert 'id="review-tasks"' in both and 'id="take-next"' in both


# --- what the queues say ------------------------------------------------------------------

def test_the_queue_lists_my_tasks_with_their_pages_and_offers_the_next(app, wb):
    client = signed_in(app, "jisoo")
    before = client.get(QUEUE).json()
    assert before["tasks"] == [] and before["can_claim"] is True and "waiting in your language" in before["offer"]
    claimed = client.post(CLAIM, headers={"Origin": OWN_ORIGIN}).json()
    after = client.get(QUEUE).json()
    assert [(task["id"], task["url"], task["returned"]) for task in after["tasks"]] == [
        (claimed["task_id"], f"/work/transcribe/{claimed['task_id']}", False)]
    assert "ko-" in after["tasks"][0]["label"]


def test_a_returned_task_comes_first_with_the_reviewers_comments(app, wb):
    minji, hyun = wb.actor("minji"), wb.actor("hyun")
    submitted = next(task.id for task in wb.review_queue(hyun))
    for segment in wb.start_review(hyun, submitted).segments:
        wb.return_segment(hyun, segment.id, "Listen again: 네 or 내?")
    wb.finish_review(hyun, submitted)
    tasks = signed_in(app, "minji").get(QUEUE).json()["tasks"]
    assert [task["id"] for task in tasks][0] == submitted and tasks[0]["returned"] is True
    assert [c["position"] for c in tasks[0]["comments"]] == [1, 2, 3]
    assert tasks[0]["comments"][0] == {"position": 1, "comment": "Listen again: 네 or 내?"}
    assert len(tasks) == len(held(wb, "minji")) == 2


def test_the_review_queue_links_each_submitted_task_and_marks_my_review_in_progress(app, wb):
    hyun = signed_in(app, "hyun")
    [task] = hyun.get(REVIEW_QUEUE).json()["tasks"]
    assert task["url"] == f"/work/review/{task['id']}" and task["mine"] is False
    assert hyun.post(f"/api/work/review/{task['id']}", headers={"Origin": OWN_ORIGIN}).status_code == 200
    assert [(t["id"], t["url"], t["mine"]) for t in hyun.get(REVIEW_QUEUE).json()["tasks"]] == [
        (task["id"], task["url"], True)]


# --- attacks ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [QUEUE, REVIEW_QUEUE])
def test_without_a_session_the_queues_answer_401_and_the_page_sends_to_sign_in(app, path):
    anonymous = signed_in(app, None)
    assert anonymous.get(path).status_code == 401 and anonymous.get(path).json()["detail"]
    page = anonymous.get("/work", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert anonymous.get("/work", headers={"Accept": "application/json"}).status_code == 401


@pytest.mark.parametrize(("username", "path"), [
    ("hyun", QUEUE), ("admin", QUEUE), ("minji", REVIEW_QUEUE), ("admin", REVIEW_QUEUE),
])
def test_a_queue_of_another_role_is_refused(app, username, path):
    answer = signed_in(app, username).get(path)
    assert answer.status_code == 403 and answer.json()["detail"]


def test_a_worker_of_another_language_sees_none_of_its_tasks(app, wb):
    wei = signed_in(app, "wei")
    assert wei.get(QUEUE).json()["offer"] == "1 task(s) waiting in your language."
    claimed = wei.post(CLAIM, headers={"Origin": OWN_ORIGIN}).json()["task_id"]
    assert "zh-0" in wei.get(QUEUE).json()["tasks"][0]["label"]
    assert wei.post(CLAIM, headers={"Origin": OWN_ORIGIN}).status_code in (404, 409)
    assert held(wb, "wei") == [claimed] and open_ko_tasks(wb) == 3
    assert signed_in(app, "mei").get(REVIEW_QUEUE).json() == {"tasks": []}


def test_another_workers_tasks_and_reviews_are_not_listed(app, wb):
    assert signed_in(app, "jisoo").get(QUEUE).json()["tasks"] == []
    submitted = signed_in(app, "hyun").get(REVIEW_QUEUE).json()["tasks"][0]["id"]
    signed_in(app, "hyun").post(f"/api/work/review/{submitted}")
    assert signed_in(app, "bora").get(REVIEW_QUEUE).json() == {"tasks": []}


@pytest.mark.parametrize("body", [
    b"}{ not json", b'{"task_id": 1, "username": "minji"}', b"[" * 50_000, b"\x00\xff" * 1000,
])
def test_a_claim_takes_the_next_task_whatever_body_is_sent_and_no_other(app, wb, body):
    """The claim reads no body: junk cannot break it, and a body naming a task or a user
    cannot choose another task or claim for someone else."""
    client = signed_in(app, "jisoo")
    offered = wb.my_queue(wb.actor("jisoo")).available
    answer = client.post(CLAIM, content=body, headers={"Content-Type": "application/json", "Origin": OWN_ORIGIN})
    assert answer.status_code == 200
    assert held(wb, "jisoo") == [answer.json()["task_id"]] and len(held(wb, "minji")) == 1
    assert open_ko_tasks(wb) == offered - 1


def test_a_huge_claim_body_is_refused_before_anything_is_claimed(app, wb):
    client = signed_in(app, "jisoo")
    answer = client.post(CLAIM, content=b"x" * (20 * 1024 * 1024), headers={"Origin": OWN_ORIGIN})
    assert answer.status_code == 413
    assert held(wb, "jisoo") == [] and open_ko_tasks(wb) == 3


@pytest.mark.parametrize("header", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                    {"Referer": "https://evil.example/queue.html"}])
def test_a_claim_from_another_site_is_refused_and_claims_nothing(app, wb, header):
    answer = signed_in(app, "jisoo").post(CLAIM, headers=header)
    assert answer.status_code == 403
    assert held(wb, "jisoo") == [] and open_ko_tasks(wb) == 3


@pytest.mark.parametrize("path", [QUEUE, REVIEW_QUEUE])
def test_another_site_cannot_read_a_queue(app, path):
    """A page elsewhere may make the browser send the GET with the cookie, but without CORS
    headers the browser never hands it the answer."""
    username = "minji" if path == QUEUE else "hyun"
    answer = signed_in(app, username).get(path, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-credentials" not in answer.headers


def test_a_name_with_markup_is_shown_as_text_on_the_page(app, wb):
    admin = wb.actor("admin")
    wb.create_user(admin, username="mallory", password="quiet-lantern-57", name='<img src=x onerror="alert(1)">',
                   roles={"transcriber"}, language="ko")
    page = signed_in(app, "mallory").get("/work").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


# --- live: the page polls with If-None-Match ----------------------------------------------

def return_everything(wb, reviewer: str = "hyun") -> int:
    """The reviewer returns every segment of the submitted task; its id."""
    hyun = wb.actor(reviewer)
    submitted = next(task.id for task in wb.review_queue(hyun))
    for segment in wb.start_review(hyun, submitted).segments:
        wb.return_segment(hyun, segment.id, "Listen again.")
    wb.finish_review(hyun, submitted)
    return submitted


def test_an_unchanged_queue_answers_304_and_a_returned_or_newly_offered_task_a_new_answer(app, wb):
    client = signed_in(app, "minji")
    tag = client.get(QUEUE).headers["etag"]
    unchanged = client.get(QUEUE, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == tag
    assert unchanged.headers["cache-control"] == "no-store"

    returned = return_everything(wb)
    changed = client.get(QUEUE, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert changed.json()["tasks"][0]["id"] == returned and changed.json()["tasks"][0]["returned"] is True

    jisoo = signed_in(app, "jisoo")
    tag = jisoo.get(QUEUE).headers["etag"]
    processed_clip(wb, wb.actor("admin"), filename="ko-new.wav")
    offered = jisoo.get(QUEUE, headers={"If-None-Match": tag})
    assert offered.status_code == 200 and offered.json()["offer"] == "4 task(s) waiting in your language."


def test_the_review_queue_polls_the_same_way(app, wb):
    client = signed_in(app, "hyun")
    tag = client.get(REVIEW_QUEUE).headers["etag"]
    assert client.get(REVIEW_QUEUE, headers={"If-None-Match": tag}).status_code == 304
    transcribe(wb, wb.actor("jisoo"), wb.claim_next_id(wb.actor("jisoo")))
    assert client.get(REVIEW_QUEUE, headers={"If-None-Match": tag}).status_code == 200


def test_the_queue_tag_is_the_same_from_another_server_process(app, wb, wb_reopen):
    """No per-process memory: a poll may land on any process behind the proxy."""
    other_process = create_app(wb_reopen(), secret=b"k" * 32)
    tag = signed_in(app, "minji").get(QUEUE).headers["etag"]
    assert signed_in(other_process, "minji").get(QUEUE, headers={"If-None-Match": tag}).status_code == 304


def test_a_tag_opens_nothing_to_another_worker_or_to_no_session(app, wb):
    tag = signed_in(app, "minji").get(QUEUE).headers["etag"]
    assert signed_in(app, None).get(QUEUE, headers={"If-None-Match": tag}).status_code == 401
    jisoo = signed_in(app, "jisoo").get(QUEUE, headers={"If-None-Match": tag})
    assert jisoo.status_code == 200 and jisoo.json()["tasks"] == []


@pytest.mark.parametrize("junk", ['W/"x", "y"', '"' + "f" * 5000 + '"', ",,,", "null"])
def test_a_junk_if_none_match_gets_the_queue_never_a_500(app, junk):
    answer = signed_in(app, "minji").get(QUEUE, headers={"If-None-Match": junk})
    assert answer.status_code == 200 and len(answer.json()["tasks"]) == 1


# --- labels agree with the task page's header ---------------------------------------------

def test_the_queue_label_counts_what_the_task_header_counts_after_a_split_and_a_merge(app, wb):
    jisoo = wb.actor("jisoo")
    task_id = wb.claim_next_id(jisoo)
    first, second, _ = wb.open_task(jisoo, task_id).segments
    wb.save_text(jisoo, first.id, "안녕하세요.", base_version=first.version)
    wb.split_segment(jisoo, second.id, (second.start + second.end) / 2)
    wb.merge_with_next(jisoo, first.id)
    wb.split_segment(jisoo, first.id, first.start + 0.5)

    client = signed_in(app, "jisoo")
    [listed] = client.get(QUEUE).json()["tasks"]
    task = client.get(f"/api/work/tasks/{task_id}").json()
    done, total = sum(s["done"] for s in task["segments"]), len(task["segments"])
    assert task["task"]["progress"] == {"done": done, "total": total, "returned": 0}
    assert f" · {done}/{total} done" in listed["label"] and (done, total) == (1, 4)
    # Paid clip minutes (the whole 10 s clip) beside speech minutes (its 7.5 s of segments).
    assert "0.2 min clip (paid) · 0.1 min speech" in listed["label"]
