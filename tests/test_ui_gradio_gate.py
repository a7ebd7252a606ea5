"""The Gradio surface attacked through the doors a browser uses (``/config``,
``/gradio_api/queue/join`` and its event stream, ``/gradio_api/upload``, ``/gradio_api/file=``)
and the ones it does not (deep links, ``/call``, ``/run``): every handler answers only the
role whose page it belongs to, no handler takes a file its caller did not upload, a Gradio
session belongs to whoever opened it, and bodies are limited while they stream in."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.builders import PASSWORD, add_admin, add_people, cheap_policy, open_workbench, processed_clip, sign_in
from tests.event_loop import run_in_fresh_loop
from tests.gradio_calls import Event, dependencies, run
from workbench.pay.service import project_rate_history, rate_history, reviewer_rate_history
from workbench.queue import RecordingQueue
from workbench.ui.app import build_blocks
from workbench.ui.server import create_app, load_secret

SECRET = b"test-secret-for-signing-sessions"
MAX_UPLOAD = 256 * 1024
MAX_DOCUMENT = 64 * 1024
SAMPLE_CLIP = Path(__file__).resolve().parent.parent / "sample_data" / "ko_call.mp3"
PEOPLE = {  # username: (roles, language)
    "ko-scribe": ({"transcriber"}, "ko"),
    "en-scribe": ({"transcriber"}, "en"),
    "ko-reviewer": ({"reviewer"}, "ko"),
    "en-reviewer": ({"reviewer"}, "en"),
    "ko-both": ({"reviewer", "transcriber"}, "ko"),
}


@pytest.fixture(scope="module")
def gradio_cache(tmp_path_factory):
    """Gradio's upload folder for this module alone, so tests can see what lands in it."""
    folder = tmp_path_factory.mktemp("gradio-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADIO_TEMP_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def wb(tmp_path_factory, gradio_cache):
    """admin and admin-2; transcribers and reviewers in Korean and English. ko-scribe holds
    the one Korean task; an application waits. Nobody the attacks use can claim anything."""
    data_dir = tmp_path_factory.mktemp("data")
    workbench = open_workbench(data_dir, queue=RecordingQueue(),
                               policy=cheap_policy(max_upload_bytes=MAX_UPLOAD, max_document_bytes=MAX_DOCUMENT))
    admin = add_admin(workbench)
    workbench.create_user(admin, username="admin-2", password=PASSWORD, name="Admin Two", roles={"admin"})
    add_people(workbench, admin, PEOPLE)
    processed_clip(workbench, admin, filename="secret-client-call.wav", duration=10.0,
                   spans=[(0.0, 2.0), (3.0, 6.0)])
    workbench.claim_next(workbench.actor("ko-scribe"))
    workbench.submit_application(username="applicant", password=PASSWORD, name="Kim Minji", language="ko",
                                 document_name="id.pdf", document=b"%PDF-1.4 id", bank_holder="KIM MINJI")
    load_secret(data_dir)  # session-secret.key, a file worth stealing
    yield workbench
    workbench.close()


@pytest.fixture(scope="module")
def app(wb):
    return create_app(wb, secret=SECRET)


@pytest.fixture
def http(app):
    """One client for the test (its event loop runs Gradio's queue); ``sign_in`` switches user."""
    with TestClient(app) as client:
        yield client


def upload(http: TestClient, name: str, content: bytes):
    return http.post("/gradio_api/upload", files=[("files", (name, content, "application/octet-stream"))])


def cache_files(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


def store_state(wb, gradio_cache: Path):
    """Everything an attack could change: the store as the admin sees it, and the files."""
    admin = wb.actor("admin")
    return (
        [(e.action, e.entity, e.entity_id, e.describe()) for e in wb.audit_log(admin, limit=10_000)],
        [(c.id, c.status, c.priority, c.project) for c in wb.list_clips(admin)],
        [(w.username, w.status, w.tasks_held) for w in wb.list_workers(admin)],
        [(a.id, a.status) for a in wb.list_applications(admin, status=None)],
        rate_history(wb, admin).to_dict("records"),
        project_rate_history(wb, admin).to_dict("records"),
        reviewer_rate_history(wb, admin).to_dict("records"),
        sorted(cache_files(gradio_cache)),
        sorted(p for p in Path(wb.data_dir).rglob("*") if p.is_file() and p.suffix not in (".db-wal", ".db-shm")),
    )


# --- every handler answers only its own role ---------------------------------------------------

ROLE_OF_PAGE = {"admin": "admin", "review": "ko-reviewer", "transcribe": "ko-scribe", "earnings": "ko-scribe"}
ATTACKERS = {  # who may not use each page's handlers
    "admin": ["ko-scribe", "ko-reviewer", None],
    "review": ["en-scribe", "admin", None],
    "transcribe": ["en-reviewer", "admin", None],
    "earnings": ["admin", None],
}


# What each attacker may never read (an admin may read everything but change nothing).
SECRETS_FROM = {
    None: ("secret-client-call", "Kim Minji", "Admin Two", "ko-reviewer"),
    "ko-scribe": ("Kim Minji", "Admin Two", "en-reviewer"),
    "en-scribe": ("Kim Minji", "Admin Two", "secret-client-call"),
    "ko-reviewer": ("Kim Minji", "Admin Two", "en-reviewer"),
    "en-reviewer": ("Kim Minji", "Admin Two", "secret-client-call"),
}


def page_handlers() -> list[tuple[str, str]]:
    """(page, api name) of every handler each page defines; the shared greeting excluded."""
    found = []
    for page in ATTACKERS:
        names = [fn.api_name for fn in build_blocks(None, (page,)).fns.values()]
        found += [(page, name) for name in names if name != "greet"]
    return found


HANDLERS = page_handlers()


def attack_inputs(dep: dict, components: dict[int, dict], secret_file: Path) -> list:
    """Values for a handler's inputs as its own page would send them; every file input names
    a server file (the attack of finding 1)."""
    values = []
    for component_id in dep["inputs"]:
        component = components.get(component_id, {"type": "state"})  # states stay on the server
        kind, props = component["type"], component.get("props", {})
        if kind == "file":
            values.append([{"path": str(secret_file), "orig_name": "a.wav", "meta": {"_type": "gradio.FileData"}}])
        elif kind in ("dropdown", "radio"):
            choices = props.get("choices") or [[None, 1]]
            values.append(choices[0][1])
        elif kind == "number":
            values.append(1)
        elif kind == "checkbox":
            values.append(True)
        elif kind == "state":
            values.append([])
        else:
            values.append("2030-01-01T00:00" if "effective" in str(props.get("label", "")).lower() else "x")
    return values


def test_every_page_has_handlers_to_attack():
    pages = {page for page, _ in HANDLERS}
    assert pages == set(ATTACKERS)
    assert {"upload", "set_rate", "set_reviewer_rate", "decide", "change_account", "settle", "export"} <= {
        n for _, n in HANDLERS}


@pytest.mark.parametrize("page, api_name", HANDLERS, ids=[f"{p}-{n}" for p, n in HANDLERS])
def test_a_handler_answers_no_other_role(http, wb, gradio_cache, page, api_name):
    sign_in(http, ROLE_OF_PAGE[page])
    config = http.get("/config").json()
    own = {dep["api_name"]: dep for dep in config["dependencies"]}[api_name]
    components = {c["id"]: c for c in config["components"]}
    data = attack_inputs(own, components, Path(wb.data_dir) / "session-secret.key")
    for attacker in ATTACKERS[page]:
        sign_in(http, attacker)
        if attacker is not None:
            assert api_name not in dependencies(http), f"{attacker}'s page has {page}'s {api_name}"
        before = store_state(wb, gradio_cache)
        event = Event(http, own["id"], data)
        assert event.joined.status_code in (200, 401, 403, 404) and not (event.succeeded and attacker is None)
        assert store_state(wb, gradio_cache) == before, f"{attacker} changed something through {api_name}"
        for secret in SECRETS_FROM.get(attacker, ()):
            assert secret not in event.text, f"{attacker} read {secret!r} through {api_name}"


@pytest.mark.parametrize("route", ["/gradio_api/call/refresh_workers", "/gradio_api/run/refresh_workers",
                                   "/gradio_api/api/refresh_workers", "/gradio_api/call/v2/refresh_workers"])
def test_the_api_routes_no_page_uses_are_closed_even_to_admins(http, route):
    sign_in(http, "admin")
    assert http.post(route, json={"data": []}).status_code == 404


def test_a_role_reaches_its_own_handlers(http, wb):
    sign_in(http, "admin")
    workers = run(http, "refresh_workers", [])
    assert workers.succeeded and "ko-reviewer" in workers.stream
    sign_in(http, "ko-scribe")
    queue = run(http, "refresh_queue", [])
    assert queue.succeeded and "secret-client-call.wav" in queue.stream


def test_someone_with_two_roles_gets_both_pages_and_nothing_else(http):
    sign_in(http, "ko-both")
    names = set(dependencies(http))
    assert {"refresh_queue", "take_for_review", "refresh_earnings"} <= names
    assert not names & {"upload", "set_rate", "decide", "settle", "export"}
    sign_in(http, "admin")
    assert not set(dependencies(http)) & {"refresh_queue", "take_for_review", "refresh_earnings"}


# --- files: only what the caller uploaded -------------------------------------------------------


def upload_handler_data(path: str, project: str = "acme") -> list:
    return [[{"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}], "ko", project, 0,
            False, []]


@pytest.mark.parametrize("user", ["ko-scribe", "admin"])
@pytest.mark.parametrize("target", ["session-secret.key", "workbench.db", "/proc/self/environ", "/etc/passwd"])
def test_no_handler_copies_a_server_file_that_nobody_uploaded(http, wb, gradio_cache, user, target):
    path = target if target.startswith("/") else str(Path(wb.data_dir) / target)
    sign_in(http, "admin")
    upload_index = dependencies(http)["upload"]["id"]
    sign_in(http, user)
    before = store_state(wb, gradio_cache)
    event = Event(http, upload_index, upload_handler_data(path))
    assert event.joined.status_code == 403
    assert store_state(wb, gradio_cache) == before
    assert http.get(f"/gradio_api/file={path}").status_code == 403
    deep_link = http.get("/gradio_api/deep_link", params={"session_hash": event.session_hash})
    assert deep_link.status_code == 404
    assert not (gradio_cache / "deep_links").exists()


@pytest.mark.timeout(60)
def test_dev_zero_is_refused_before_anything_reads_it(http, wb):
    sign_in(http, "admin")
    event = Event(http, dependencies(http)["upload"]["id"], upload_handler_data("/dev/zero"))
    assert event.joined.status_code == 403
    assert http.get("/login").status_code == 200  # the server still answers


def test_an_admin_uploads_serves_and_imports_only_their_own_files(http, wb, gradio_cache):
    sign_in(http, "admin")
    [mine] = upload(http, "call.mp3", SAMPLE_CLIP.read_bytes()).json()
    assert Path(mine).is_relative_to(gradio_cache)
    assert http.get(f"/gradio_api/file={mine}").content == SAMPLE_CLIP.read_bytes()
    # Another admin may neither import nor delete it: it is not their upload.
    sign_in(http, "admin-2")
    before = store_state(wb, gradio_cache)
    assert Event(http, dependencies(http)["upload"]["id"], upload_handler_data(mine, project="")).joined.status_code == 403
    assert store_state(wb, gradio_cache) == before and Path(mine).exists()
    sign_in(http, "admin")
    imported = Event(http, dependencies(http)["upload"]["id"], upload_handler_data(mine, project="mine"))
    assert imported.succeeded, imported.text
    assert [c.filename for c in wb.list_clips(wb.actor("admin")) if c.project == "mine"] == ["call.mp3"]
    assert not Path(mine).exists()  # the store keeps its own copy


def test_a_transcriber_cannot_delete_a_cached_file_by_naming_it(http, wb, gradio_cache):
    sign_in(http, "admin")
    [cached] = upload(http, "keep.wav", b"RIFF-keep-me").json()
    upload_index = dependencies(http)["upload"]["id"]
    sign_in(http, "ko-scribe")
    Event(http, upload_index, upload_handler_data(cached, project=""))
    assert Path(cached).read_bytes() == b"RIFF-keep-me"


def test_gradio_serves_an_admin_nothing_from_its_deep_links(http, gradio_cache):
    state = gradio_cache / "deep_links" / "abc" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text('[{"value": "someone else\'s state"}]')
    sign_in(http, "admin")
    assert http.get(f"/gradio_api/file={state}").status_code == 403


def test_the_upload_handler_itself_refuses_a_file_from_outside_gradios_uploads(wb):
    from workbench.ui.admin import clips as admin_page
    from workbench.workflow.errors import InvalidInput

    secret = Path(wb.data_dir) / "workbench.db"
    before = secret.read_bytes()
    request = type("Request", (), {"username": "admin"})()
    with pytest.raises(InvalidInput, match="Upload the files again"):
        admin_page.upload(wb, [str(secret)], "ko", "", 0, False, [], request)
    assert secret.read_bytes() == before


@pytest.mark.parametrize("user", ["ko-scribe", "ko-reviewer"])
def test_transcribers_and_reviewers_have_no_upload_or_file_route(http, gradio_cache, user):
    sign_in(http, "admin")
    [cached] = upload(http, "admins.wav", b"RIFF-admins").json()
    sign_in(http, user)
    before = cache_files(gradio_cache)
    assert upload(http, "mine.wav", b"RIFF-mine").status_code == 403
    assert cache_files(gradio_cache) == before
    assert http.get(f"/gradio_api/file={cached}").status_code == 403


# --- a Gradio session belongs to whoever opened it -------------------------------------------


def test_a_session_hash_opened_by_one_user_is_refused_to_another(http):
    sign_in(http, "ko-scribe")
    mine = run(http, "refresh_queue", [])
    assert mine.succeeded
    sign_in(http, "en-scribe")
    index = dependencies(http)["refresh_queue"]["id"]
    assert Event(http, index, [], session_hash=mine.session_hash).joined.status_code == 403
    assert http.get("/gradio_api/queue/data", params={"session_hash": mine.session_hash}).status_code == 403
    assert http.get(f"/gradio_api/heartbeat/{mine.session_hash}").status_code == 403


# --- bodies are limited while they stream in ------------------------------------------------------


def stream_request(app, http: TestClient, method: str, path: str, chunks, headers: dict[str, str]):
    """Send ``chunks`` (an iterator) to the ASGI app as a streamed body, the way a server hands
    it over, with ``http``'s cookies; the answer's status. The app pulls chunk by chunk, so
    the iterator shows how much of the body was ever read."""
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in {**headers, "cookie": cookie}.items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": raw_headers, "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    answer = {}

    async def receive():
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            answer.setdefault("status", message["status"])

    run_in_fresh_loop(app, scope, receive, send)
    return answer["status"]


def many_files(count: int, size: int, boundary: str, counter: list[int]):
    """A multipart body of ``count`` files of ``size`` bytes each, generated lazily."""
    for n in range(count):
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"part-{n}.wav\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n").encode()
        counter[0] += size
        yield b"\0" * size + b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def multipart_chunks(name: str, total: int, boundary: str, counter: list[int], fields: dict[str, str] = {}):
    """A multipart body with ``fields`` and a file of ``total`` bytes, generated lazily;
    ``counter[0]`` counts the file bytes produced."""
    for key, value in fields.items():
        yield f"--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n{value}\r\n".encode()
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    chunk = b"\0" * 65536
    while counter[0] < total:
        counter[0] += len(chunk)
        yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_upload_over_the_limit_is_refused_while_it_streams_and_leaves_nothing(app, http, gradio_cache, declared):
    sign_in(http, "admin")
    before = cache_files(gradio_cache)
    produced, total = [0], 64 * MAX_UPLOAD
    headers = {"content-type": "multipart/form-data; boundary=wb"}
    if declared:
        headers["content-length"] = str(total + 300)
    status = stream_request(app, http, "POST", "/gradio_api/upload",
                            multipart_chunks("big.wav", total, "wb", produced), headers)
    assert status == 413
    assert produced[0] <= (0 if declared else MAX_UPLOAD + 2 * 65536)  # the rest was never read
    assert cache_files(gradio_cache) == before


def test_a_batch_of_small_files_over_the_limit_is_refused_while_it_streams(app, http, gradio_cache):
    """Each file is under the clip limit (Gradio's own per-file check passes); together they
    are not."""
    sign_in(http, "admin")
    before = cache_files(gradio_cache)
    produced = [0]
    status = stream_request(app, http, "POST", "/gradio_api/upload", many_files(40, MAX_UPLOAD // 4, "wb", produced),
                            {"content-type": "multipart/form-data; boundary=wb"})
    assert status == 413
    assert produced[0] <= MAX_UPLOAD + MAX_UPLOAD // 4
    assert cache_files(gradio_cache) == before


def test_an_upload_within_the_limit_is_taken(http, gradio_cache):
    sign_in(http, "admin")
    response = upload(http, "fits.wav", b"R" * (MAX_UPLOAD - 1024))
    assert response.status_code == 200
    assert Path(response.json()[0]).stat().st_size == MAX_UPLOAD - 1024


def test_a_transcribers_upload_is_refused_before_a_byte_is_read(app, http, gradio_cache):
    sign_in(http, "ko-scribe")
    produced = [0]
    status = stream_request(app, http, "POST", "/gradio_api/upload",
                            multipart_chunks("a.wav", MAX_UPLOAD // 2, "wb", produced),
                            {"content-type": "multipart/form-data; boundary=wb"})
    assert (status, produced[0]) == (403, 0)


def test_an_application_over_the_document_limit_is_refused_while_it_streams(app, http, wb):
    sign_in(http, None)
    produced = [0]
    fields = {"name": "Big Doc", "username": "big-doc", "password": "a-long-passphrase-1", "language": "ko",
              "bank_holder": "BIG DOC"}
    status = stream_request(app, http, "POST", "/apply",
                            multipart_chunks("id.pdf", 64 * MAX_DOCUMENT, "wb", produced, fields),
                            {"content-type": "multipart/form-data; boundary=wb"})
    assert status == 413
    assert produced[0] <= MAX_DOCUMENT + 2 * 65536
    assert [a for a in wb.list_applications(wb.actor("admin"), status=None) if a.username == "big-doc"] == []


def test_other_requests_carry_at_most_a_megabyte(http):
    sign_in(http, "ko-scribe")
    response = http.post("/gradio_api/queue/join", content=b"[" + b"1," * 600_000 + b"1]",
                         headers={"content-type": "application/json"})
    assert response.status_code == 413
