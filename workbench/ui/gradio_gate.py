"""The Gradio surface behind the session: each signed-in user reaches only the Gradio app of
their own pages, and only the few routes that page uses.

Gradio trusts an app started by ``launch()``; mounted in ours, its file-path check is off and
every one of its routes answers (deep links, ``/call``, ``/file=`` of any cached file). So
``GradioPages``, mounted at ``/`` behind ``SessionGate``:

- builds one Gradio app per page set (``app.pages_for``) on first use, and sends each user to
  theirs: a transcriber's app has no admin handler to call, not even a hidden one;
- answers only the routes a page needs (``route_kind``); deep links, ``/call``, ``/run``,
  streams and proxies are 404;
- opens ``/upload`` and ``/file=`` only in apps with the admin page, and ``/file=`` only
  for files inside Gradio's upload folder;
- reads an event's body before Gradio does: every file object in it must name a file this
  user uploaded, so no server path is ever copied, hashed (``/dev/zero``) or deleted;
- ties each Gradio session (``session_hash``, which keys Gradio's per-session state) to the
  user who opened it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import gradio as gr
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from workbench.ui import gradio_i18n
from workbench.ui.app import build_blocks, pages_for
from workbench.ui.language import request_language
from workbench.ui.wiring import is_gradio_upload

if TYPE_CHECKING:
    from workbench.workflow.service import Workbench

# An event's inputs are ids, short texts and a few file objects.
EVENT_BODY_LIMIT = 256 * 1024
# Sessions and uploads remembered (oldest forgotten first): memory stays bounded.
MAX_SESSIONS = 100_000
MAX_UPLOADS_PER_USER = 1_000

# What the page itself loads: its HTML, config, theme and the front-end's bundled assets.
PAGE_PATHS = frozenset({"/", "/config", "/config/", "/theme.css", "/gradio_api/theme.css",
                        "/favicon.ico", "/robots.txt", "/gradio_api/startup-events"})
PAGE_PREFIXES = ("/assets/", "/static/", "/svelte/")


def route_kind(method: str, path: str) -> str | None:
    """Which of the routes a page uses this request is, or None: refused.

    ``page`` (static), ``event`` (run a handler), ``cancel``, ``session`` (an event stream or
    heartbeat, keyed by session hash), ``upload`` and ``file`` (admins only).
    """
    if method in ("GET", "HEAD"):
        if path in PAGE_PATHS or path.startswith(PAGE_PREFIXES):
            return "page"
        if path == "/gradio_api/queue/data" or path.startswith("/gradio_api/heartbeat/"):
            return "session"
        if path.startswith("/gradio_api/file="):
            return "file"
        if path == "/gradio_api/upload_progress":
            return "upload"
    elif method == "POST":
        return {"/gradio_api/queue/join": "event", "/gradio_api/cancel": "cancel",
                "/gradio_api/upload": "upload"}.get(path)
    return None


def file_paths(value: Any) -> list[Any]:
    """The ``path`` of every file object (a dict with a ``path`` key) anywhere in ``value``."""
    if isinstance(value, dict):
        found = [value["path"]] if "path" in value else []
        return found + [path for item in value.values() for path in file_paths(item)]
    if isinstance(value, list):
        return [path for item in value for path in file_paths(item)]
    return []


async def read_body(receive, limit: int) -> bytes | None:
    """The whole request body, or None once it passes ``limit`` bytes (or the client left)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive):
    """A ``receive`` that hands ``body`` over again, then waits on the real one."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class GradioPages:
    """ASGI app: the signed-in user's own Gradio app, behind the checks described above.

    ``mount_options`` are ``gr.mount_gradio_app``'s (theme, css, head, auth dependency...).
    Call ``aclose()`` when the server stops.
    """

    def __init__(self, wb: "Workbench", **mount_options: Any):
        self.wb = wb
        self.mount_options = mount_options
        self._apps: dict[tuple[str, ...], FastAPI] = {}
        self._blocks: dict[tuple[str, ...], gr.Blocks] = {}
        self._build_lock = threading.Lock()
        # An app's queue and clean-up tasks run on the event loop that started it.
        self._ready: dict[tuple[tuple[str, ...], asyncio.AbstractEventLoop], asyncio.Event] = {}
        self._stacks: dict[asyncio.AbstractEventLoop, contextlib.AsyncExitStack] = {}
        self._lock = threading.Lock()
        self._owners: OrderedDict[str, str] = OrderedDict()  # session hash -> username
        self._uploads: dict[str, OrderedDict[str, None]] = {}  # username -> their uploaded paths

    # --- the apps ------------------------------------------------------------------------

    def _build(self, pages: tuple[str, ...]) -> FastAPI:
        with self._build_lock:
            if pages not in self._apps:
                blocks = build_blocks(self.wb, pages)
                app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
                gr.mount_gradio_app(
                    app, blocks, path="/", allowed_paths=[], blocked_paths=[str(Path(self.wb.data_dir).resolve())],
                    max_file_size=self.wb.policy.max_upload_bytes, run_history=False, mcp_server=False,
                    pwa=False, enable_monitoring=False, **self.mount_options,
                )
                # Gradio checks the files an event names only in an app it marks launched;
                # mounting never does. Launched, an event may name only uploaded files.
                blocks.has_launched = True
                self._blocks[pages] = blocks
                self._apps[pages] = app
            return self._apps[pages]

    async def app_for(self, pages: tuple[str, ...], *, started: bool = True) -> FastAPI:
        """The Gradio app of ``pages``, built on first use and, unless ``started`` is False
        (only events need the queue), started."""
        app = self._apps.get(pages)
        if app is None:
            app = await run_in_threadpool(self._build, pages)
        if not started:
            return app
        loop = asyncio.get_running_loop()
        ready = self._ready.get((pages, loop))
        if ready is None:
            ready = self._ready[(pages, loop)] = asyncio.Event()
            stack = self._stacks.setdefault(loop, contextlib.AsyncExitStack())
            try:
                await stack.enter_async_context(app.router.lifespan_context(app))
            finally:
                ready.set()
        else:
            await ready.wait()
        return app

    async def aclose(self) -> None:
        """Stop the apps started on this event loop (their queues and clean-up tasks)."""
        loop = asyncio.get_running_loop()
        stack = self._stacks.pop(loop, None)
        for key in [key for key in self._ready if key[1] is loop]:
            del self._ready[key]
        if stack is not None:
            await stack.aclose()

    def _handles(self, pages: tuple[str, ...], fn_index: Any) -> bool:
        """Whether the app of ``pages`` has a handler ``fn_index`` (Gradio fails with a 500)."""
        return type(fn_index) is int and fn_index in self._blocks[pages].fns

    # --- who owns what -------------------------------------------------------------------

    def _claim_session(self, session_hash: Any, username: str) -> bool:
        """Whether ``session_hash`` is (now) this user's: the first user to use it owns it."""
        if not isinstance(session_hash, str) or not session_hash:
            return False
        with self._lock:
            owner = self._owners.setdefault(session_hash, username)
            self._owners.move_to_end(session_hash)
            while len(self._owners) > MAX_SESSIONS:
                self._owners.popitem(last=False)
        return owner == username

    def _record_uploads(self, username: str, paths: Any) -> None:
        if not isinstance(paths, list):
            return
        with self._lock:
            mine = self._uploads.setdefault(username, OrderedDict())
            for path in paths:
                if isinstance(path, str):
                    mine[path] = None
                    mine.move_to_end(path)
            while len(mine) > MAX_UPLOADS_PER_USER:
                mine.popitem(last=False)

    def uploaded_by(self, username: str, path: Any) -> bool:
        """Whether ``path`` is a file Gradio's upload route returned to this user."""
        if not isinstance(path, str):
            return False
        with self._lock:
            mine = path in self._uploads.get(username, {})
        return mine and is_gradio_upload(path)

    def _recording_uploads(self, send, username: str):
        """A ``send`` that notes the paths a successful upload answers with, as this user's."""
        status, chunks = 0, []

        async def recording(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    try:
                        self._record_uploads(username, json.loads(b"".join(chunks)))
                    except ValueError:
                        pass
            await send(message)

        return recording

    # --- the gate ------------------------------------------------------------------------

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        async def refuse(status: int, detail: str) -> None:
            await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)

        # SessionGate read the signed-in user with the session: no second read here.
        actor = scope.get("state", {}).get("session_actor")
        if actor is None:
            return await refuse(401, "Not signed in")
        username = actor.username
        pages = pages_for(actor)
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):] or "/"
        kind = route_kind(scope["method"], path)
        if kind is None or not pages:
            return await refuse(404, "Not found")
        if kind in ("upload", "file") and "admin" not in pages:
            return await refuse(403, "Only admins upload or download files here.")
        if kind == "file" and not is_gradio_upload(unquote(path.removeprefix("/gradio_api/file="))):
            return await refuse(403, "File not allowed.")
        if kind == "session":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            session_hash = (query.get("session_hash") or [None])[0] if path.endswith("/queue/data") \
                else path.rsplit("/", 1)[-1]
            if not self._claim_session(session_hash, username):
                return await refuse(403, "This session is not yours.")
        if kind in ("event", "cancel"):
            body = await read_body(receive, EVENT_BODY_LIMIT)
            if body is None:
                return await refuse(413, "The request is too large.")
            try:
                event = json.loads(body)
            except ValueError:
                return await refuse(400, "The request is not JSON.")
            if not isinstance(event, dict) or not self._claim_session(event.get("session_hash"), username):
                return await refuse(403, "This session is not yours.")
            if not all(self.uploaded_by(username, path) for path in file_paths(event)):
                return await refuse(403, "Only files you uploaded can be used; upload them again.")
            receive = replaying(body, receive)
        app = await self.app_for(pages, started=kind in ("event", "cancel", "session"))
        if kind == "event" and not self._handles(pages, event.get("fn_index")):
            return await refuse(404, "No such handler.")
        if kind == "upload" and scope["method"] == "POST":
            send = self._recording_uploads(send, username)
        if kind == "page" and path == "/":  # Gradio's own words and ours in the reader's language
            send = gradio_i18n.speaking(send, request_language(Request(scope)))
        await app(scope, receive, send)
