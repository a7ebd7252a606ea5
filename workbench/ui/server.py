"""The web server: our own login page, server-side sessions, permission-checked media, and
the Gradio app mounted behind them.

The session cookie carries a signed random token, never the username; the token opens a
session only while the ``Workbench`` knows it as live (not signed out, expired or closed).
Without one a request reaches only the login page, the application form and logout
(``SessionGate``); every other path redirects to ``/login`` (pages) or answers 401.
Who may see which file is decided by the ``Workbench``, never by a static directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import ipaddress
import mimetypes
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from workbench.supervisor import WorkerSupervisor, stop_process  # noqa: F401 - stop_process for callers
from workbench.ui.body_limit import BodyLimit
from workbench.ui.delivery import DeliveredFileResponse
from workbench.ui.gradio_gate import GradioPages
from workbench.ui.handlers import auth as auth_handlers
from workbench.ui.origin import SameOriginOnly
from workbench.ui.wiring import LANGUAGE_NAMES
from workbench.workflow.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QueueUnavailable,
    TooManyAttempts,
    WorkbenchError,
)
from workbench.workflow.files import write_atomically

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.workflow.domain import Actor
    from workbench.workflow.policy import Policy
    from workbench.workflow.service import Workbench

SESSION_COOKIE = "workbench_session"
SECRET_FILE = "session-secret.key"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/ui-static"
PUBLIC_PATHS = frozenset({"/login", "/apply", "/logout", "/favicon.ico"})

# Documents come from strangers: only formats a browser shows without running code are
# served inline; anything else is a download, and nothing is ever content-sniffed.
INLINE_DOCUMENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})

ERROR_STATUS: dict[type[WorkbenchError], int] = {
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    NotFound: 404,
    InvalidInput: 422,
    TooManyAttempts: 429,
    QueueUnavailable: 503,
}


def load_secret(data_dir: Path) -> bytes:
    """The session-signing key kept in ``data_dir``, created (owner-only) on first use."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        write_atomically(secrets.token_bytes(32), path)  # its temporary file is owner-only (mkstemp)
    return path.read_bytes()


class SessionSigner:
    """Signs the session token for the cookie and checks it, with its age, on the way back.

    The signature only spares the database forged and stale cookies; whether the session is
    still open is the ``Workbench``'s answer (``resolve_session``).
    """

    def __init__(self, secret: bytes, *, max_age: int):
        self._serializer = URLSafeTimedSerializer(secret, salt="workbench-session")
        self.max_age = max_age

    def issue(self, session_token: str) -> str:
        return self._serializer.dumps({"t": session_token})

    def session_token(self, cookie: str | None) -> str | None:
        """The token in a validly signed, young enough cookie, else None."""
        if not cookie:
            return None
        try:
            token = self._serializer.loads(cookie, max_age=self.max_age)["t"]
        except (BadSignature, KeyError, TypeError):
            return None
        return token if isinstance(token, str) and token else None


class SessionGate:
    """ASGI middleware: without a live session only the public paths answer."""

    def __init__(self, app, signer: SessionSigner, wb: "Workbench"):
        self.app = app
        self.signer = signer
        self.wb = wb

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        request = Request(scope)
        token = self.signer.session_token(request.cookies.get(SESSION_COOKIE))
        # One database read finds the session and who it is; keep it off the event loop.
        actor = await run_in_threadpool(self.wb.session_actor, token) if token else None
        username = actor.username if actor is not None else None
        # Mounted apps (Gradio) see their own request.app: hand them the session via the scope.
        scope.setdefault("state", {}).update(session_username=username, session_actor=actor, workbench=self.wb)
        if username is not None or scope["path"] in PUBLIC_PATHS:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if scope["method"] == "GET" and "text/html" in request.headers.get("accept", ""):
            response: Response = RedirectResponse("/login", status_code=303)
        else:
            response = JSONResponse({"detail": "Not signed in"}, status_code=401)
        await response(scope, receive, send)


def workbench_of(request: Request) -> "Workbench":
    """The Workbench ``SessionGate`` put on the request (for routers defined elsewhere)."""
    return request.state.workbench


def session_username(request: Request) -> str | None:
    """The username of the request's live session, or None (Gradio's auth dependency)."""
    return getattr(request.state, "session_username", None)


def current_actor(request: Request) -> "Actor | None":
    """The signed-in user as ``SessionGate`` read it with the session, or None."""
    return getattr(request.state, "session_actor", None)


async def require_actor(request: Request) -> "Actor":
    """FastAPI dependency for every non-public endpoint: the signed-in user, else 401.
    An ``async def`` because it reads nothing: FastAPI then calls it without a thread."""
    actor = current_actor(request)
    if actor is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    return actor


def _close_browser_session(request: Request, signer: SessionSigner) -> None:
    """End the session this browser's cookie holds, if any, on the server."""
    token = signer.session_token(request.cookies.get(SESSION_COOKIE))
    if token is not None:
        workbench_of(request).close_session(token)


def client_address(request: Request) -> str:
    """Who a request comes from, for throttling: the TCP peer's address, or the one a trusted
    proxy reported (uvicorn rewrites it only for ``WORKBENCH_TRUSTED_PROXIES``; see
    ``proxy_options``). An IPv6 address counts as its /64, which one machine usually holds whole."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def _cookie_secure(rule: str, request: Request) -> bool:
    """``WORKBENCH_COOKIE_SECURE``: always, never, or (auto) when the request came over https
    as the server sees it (behind a proxy, only a trusted proxy's X-Forwarded-Proto says so)."""
    return rule == "always" or (rule == "auto" and request.url.scheme == "https")


def _retry_after(error: WorkbenchError) -> dict[str, str]:
    wait = getattr(error, "retry_after", None)
    return {"Retry-After": str(int(wait))} if wait else {}


def _error_status(error: WorkbenchError) -> int:
    for kind, status in ERROR_STATUS.items():
        if isinstance(error, kind):
            return status
    return 409


async def _workbench_error(request: Request, error: WorkbenchError) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=_error_status(error))


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422, as one readable ``detail``. The input is never echoed: NaN or an
    unpaired surrogate in it cannot be written as JSON (FastAPI's default answer was a 500)."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return JSONResponse({"detail": f"Invalid request: {problems}"}, status_code=422)


class RevalidatedFileResponse(FileResponse):
    """A file the browser may keep but must revalidate before each use (``no-cache``): a
    segment's audio changes under the same id after a split or merge. A copy whose ETag
    still matches gets 304 and no body. Only route handlers, after their permission
    check, build one."""

    async def __call__(self, scope, receive, send):
        asked = Headers(scope=scope).get("if-none-match", "")
        if scope["type"] == "http" and self.headers["etag"] in {tag.strip() for tag in asked.split(",")}:
            kept = {name: self.headers[name] for name in ("etag", "cache-control") if name in self.headers}
            return await Response(status_code=304, headers=kept)(scope, receive, send)
        return await super().__call__(scope, receive, send)


def _file_response(path: Path, *, download_name: str | None = None,
                   on_sent: Callable[[int, int, int], object] | None = None) -> FileResponse:
    """``path`` as a response the browser must revalidate; ``on_sent(first, stop, size)``
    learns which bytes went out (a reviewer's audio: always sent whole, never a 304, since
    only bytes that went out count as delivered)."""
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    inline = download_name is None or media_type in INLINE_DOCUMENT_TYPES
    stat = path.stat()
    # The name carries the span (workflow/media.py), so another span is another tag.
    etag = hashlib.sha256(f"{path.name}:{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:32]
    options = dict(
        media_type=media_type,
        filename=download_name,
        content_disposition_type="inline" if inline else "attachment",
        stat_result=stat,
        headers={
            "Cache-Control": "private, no-cache",
            "ETag": f'"{etag}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
    if on_sent is not None:
        return DeliveredFileResponse(path, on_sent=on_sent, **options)
    return RevalidatedFileResponse(path, **options)


def _static_head() -> str:
    """Link every stylesheet and script of ``ui/static`` into the Gradio page."""
    if not STATIC_DIR.is_dir():
        return ""
    tags = []
    for path in sorted(STATIC_DIR.iterdir()):
        url = f"{STATIC_PREFIX}/{path.name}"
        if path.suffix == ".css":
            tags.append(f'<link rel="stylesheet" href="{url}">')
        elif path.suffix == ".js":
            tags.append(f'<script src="{url}"></script>')
    return "\n".join(tags)


def create_app(wb: "Workbench", *, secret: bytes | None = None, settings: "Settings | None" = None) -> FastAPI:
    """The whole web app for one ``Workbench``: login, sessions, media, JSON API, Gradio UI.

    ``secret`` signs the session cookies; by default it is kept in ``wb.data_dir``. The
    sessions themselves live in the database, so both survive a restart. ``settings`` gives
    the cookie's ``Secure`` rule and the allowed origins (default: the environment's).
    """
    from workbench.config import Settings

    settings = settings or Settings.from_env(data_dir=wb.data_dir)
    # Imported here, not at the top: the pages and work_api import require_actor from here.
    from workbench.ui.app import APP_CSS, APP_THEME
    from workbench.ui.work_api import router as work_router

    signer = SessionSigner(secret if secret is not None else load_secret(Path(wb.data_dir)),
                           max_age=int(wb.policy.session_lifetime.total_seconds()))
    app = FastAPI(title="workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, limit_for=body_limits(wb.policy))
    app.add_middleware(SessionGate, signer=signer, wb=wb)
    # Added last, so it runs first: a cross-site request is refused before anything else.
    app.add_middleware(SameOriginOnly, allowed_origins=settings.allowed_origins)
    app.add_exception_handler(WorkbenchError, _workbench_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        if current_actor(request) is not None:
            return RedirectResponse("/", status_code=303)
        return HTMLResponse(login_page())

    # A plain ``def``: FastAPI runs it in a worker thread, so argon2 never blocks the event loop.
    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: str = Form(""), password: str = Form("")) -> Response:
        try:
            actor = auth_handlers.sign_in(workbench_of(request), username, password, client=client_address(request))
            session_token = workbench_of(request).open_session(actor)
        except (AuthenticationFailed, TooManyAttempts, PermissionDenied) as error:
            page = login_page(login_error=str(error), username=username)
            return HTMLResponse(page, status_code=_error_status(error), headers=_retry_after(error))
        # Signing in again in the same browser replaces its session rather than adding one.
        _close_browser_session(request, signer)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            signer.issue(session_token),
            max_age=signer.max_age,
            httponly=True,
            samesite="lax",
            secure=_cookie_secure(settings.cookie_secure, request),
        )
        return response

    @app.api_route("/logout", methods=["GET", "POST"])
    def logout(request: Request) -> Response:
        # The page's "Sign out" is a link (a GET); a link on another site must not sign anyone out.
        if request.headers.get("sec-fetch-site") == "cross-site":
            return RedirectResponse("/", status_code=303)
        _close_browser_session(request, signer)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.post("/apply", response_class=HTMLResponse)
    async def apply(
        request: Request,
        name: str = Form(""),
        username: str = Form(""),
        password: str = Form(""),
        language: str = Form(""),
        bank_holder: str = Form(""),
        document: UploadFile | None = File(None),
    ) -> Response:
        form = {"name": name, "username": username, "language": language, "bank_holder": bank_holder}
        wb = workbench_of(request)
        # Read one byte past the limit so the store sees an oversized file and refuses it.
        content = await document.read(wb.policy.max_document_bytes + 1) if document is not None else b""
        try:
            # Hashing the password and writing the file stay off the event loop. A taken
            # username is answered like any received application (no enumeration).
            await run_in_threadpool(
                wb.submit_application,
                username=username.strip(),
                password=password,
                name=name,
                language=language,
                document_name=(document.filename or "") if document is not None else "",
                document=content,
                bank_holder=bank_holder,
                client=client_address(request),
            )
        except WorkbenchError as error:
            page = login_page(apply_error=str(error), apply_form=form)
            return HTMLResponse(page, status_code=_error_status(error), headers=_retry_after(error))
        return HTMLResponse(login_page(apply_done=True))

    @app.get("/media/segment/{segment_id}.wav")
    def segment_audio(
        segment_id: int,
        variant: Literal["clean", "original"] = "clean",
        actor: "Actor" = Depends(require_actor),
    ) -> FileResponse:
        # Uncached, so every play is a request: the server records what it sent to the
        # reviewer (their listening is credited only within it) and never serves stale cuts.
        audio = wb.segment_audio(actor, segment_id, variant=variant)
        return _file_response(audio.path, on_sent=None if not audio.reviewing else (
            lambda first, stop, size: wb.record_audio_sent(actor, audio.segment_id, bounds=audio.bounds,
                                                           sent=audio.span_of_bytes(first, stop, size))))

    @app.get("/media/spectrogram/{segment_id}.png")
    def segment_spectrogram(segment_id: int, actor: "Actor" = Depends(require_actor)) -> FileResponse:
        return _file_response(wb.segment_spectrogram_path(actor, segment_id))

    @app.get("/media/document/{application_id}")
    def application_document(application_id: int, actor: "Actor" = Depends(require_actor)) -> FileResponse:
        path = wb.application_document(actor, application_id)
        return _file_response(path, download_name=path.name)

    app.include_router(work_router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR, check_dir=False), name="ui-static")
    # Everything else is the Gradio UI: each user's own app, behind GradioPages' checks.
    pages = GradioPages(wb, auth_dependency=session_username, show_error=False, ssr_mode=False,
                        footer_links=[], head=_static_head(), css=APP_CSS, theme=APP_THEME)
    app.mount("/", pages)
    serving = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        async with serving(app) as state:
            try:
                yield state
            finally:
                await pages.aclose()

    app.router.lifespan_context = lifespan
    return app


# Bodies larger than this are refused while they stream in (``BodyLimit``): a Gradio upload
# batch at most one clip's limit, an application one document's, anything else 1 MB.
DEFAULT_BODY_LIMIT = 1024**2
FORM_OVERHEAD = 64 * 1024


def body_limits(policy: "Policy") -> Callable[[str], int]:
    def limit_for(path: str) -> int:
        if path == "/gradio_api/upload":
            return policy.max_upload_bytes + FORM_OVERHEAD
        if path == "/apply":
            return policy.max_document_bytes + FORM_OVERHEAD
        return DEFAULT_BODY_LIMIT

    return limit_for


def start_queue_worker(settings: "Settings") -> subprocess.Popen:
    """``workbench worker`` in a child process over the same store, so uploads get processed.
    It exits when this process dies, however it dies (``--parent-pid``, workbench/lifeline.py)."""
    env = dict(os.environ)
    env["WORKBENCH_DATA_DIR"] = str(settings.data_dir)
    env["WORKBENCH_DATABASE_URL"] = settings.database_url
    env["WORKBENCH_QUEUE_URL"] = settings.queue_url
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", "worker", "--parent-pid", str(os.getpid())],
                            env=env)


def serve_forever(settings: "Settings", *, host: str, port: int, start_worker: bool) -> None:
    """Open the store, serve the app until interrupted, with the queue worker supervised
    beside it (restarted when it dies, workbench/supervisor.py) and stopped on exit."""
    import logging

    import uvicorn

    from workbench.workflow.service import Workbench

    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
    wb = Workbench.open(database_url=settings.database_url, data_dir=settings.data_dir)
    app = create_app(wb, settings=settings)
    worker = WorkerSupervisor(lambda: start_queue_worker(settings)).start() if start_worker else None
    # uvicorn shuts down gracefully on SIGTERM and then raises the signal again; exit through
    # Python then (as Ctrl+C does), so the worker below is stopped instead of orphaned.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print(f"Serving on http://{host}:{port}/  (Ctrl+C stops)", flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", **proxy_options(settings))
    finally:
        if worker is not None:
            worker.stop()


def proxy_options(settings: "Settings") -> dict:
    """uvicorn's proxy options: X-Forwarded-For/-Proto are believed only from the proxies in
    ``WORKBENCH_TRUSTED_PROXIES`` (uvicorn's own default would believe 127.0.0.1)."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxies}


def _exit_on_sigterm(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


# --- the login page --------------------------------------------------------------------

LOGIN_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif;
       color: #1f2933; background: #f4f6f8; }
main { max-width: 960px; margin: 6vh auto; padding: 0 20px; display: grid; gap: 28px;
       grid-template-columns: minmax(0, 1fr) minmax(0, 1.3fr); }
@media (max-width: 760px) { main { grid-template-columns: 1fr; } }
header { grid-column: 1 / -1; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 14px; }
header p, .hint { color: #52606d; margin: 0; }
section { background: #fff; border: 1px solid #dde3e9; border-radius: 10px; padding: 24px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
input, select { width: 100%; padding: 9px 11px; font: inherit; border: 1px solid #c3ccd5;
                border-radius: 6px; background: #fff; }
input:focus, select:focus { outline: 2px solid #3b82f6; outline-offset: 0; border-color: #3b82f6; }
button { margin-top: 18px; width: 100%; padding: 10px; font: inherit; font-weight: 600;
         border: 0; border-radius: 6px; background: #2563eb; color: #fff; cursor: pointer; }
button.secondary { background: #e7ecf2; color: #1f2933; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 14px; }
.error { background: #fdecec; color: #8a1c1c; border: 1px solid #f5c2c2; padding: 9px 12px;
         border-radius: 6px; margin-bottom: 6px; }
.done { background: #e8f5ec; color: #1d5b32; border: 1px solid #b9e0c5; padding: 9px 12px;
        border-radius: 6px; margin-bottom: 6px; }
"""


def _option(code: str, label: str, selected: str) -> str:
    chosen = " selected" if code == selected else ""
    return f'<option value="{html.escape(code)}"{chosen}>{html.escape(label)}</option>'


def login_page(
    *,
    login_error: str = "",
    username: str = "",
    apply_error: str = "",
    apply_form: dict[str, str] | None = None,
    apply_done: bool = False,
) -> str:
    """The sign-in form beside the application form, as one self-contained HTML page."""
    form = {key: html.escape(value) for key, value in (apply_form or {}).items()}
    languages = "".join(
        _option(code, name, (apply_form or {}).get("language", ""))
        for code, name in LANGUAGE_NAMES.items()
    )
    login_message = f'<p class="error" role="alert">{html.escape(login_error)}</p>' if login_error else ""
    if apply_done:
        apply_message = (
            '<p class="done" role="status">Thank you. Your application was received; an '
            "administrator will review it and you can sign in once it is approved. If you cannot "
            "sign in after a few days, your username may already be in use: apply again with another "
            "one.</p>"
        )
    elif apply_error:
        apply_message = f'<p class="error" role="alert">{html.escape(apply_error)}</p>'
    else:
        apply_message = ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · workbench</title><style>{LOGIN_CSS}</style></head>
<body><main>
<header><h1>Speech data workbench</h1>
<p>Transcribe, review and prepare speech recordings.</p></header>
<section aria-labelledby="signin">
  <h2 id="signin">Sign in</h2>
  {login_message}
  <form id="signin-form" method="post" action="/login">
    <label for="login-username">Username</label>
    <input id="login-username" name="username" autocomplete="username" required autofocus
           value="{html.escape(username)}">
    <label for="login-password">Password</label>
    <input id="login-password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
  </form>
</section>
<section aria-labelledby="apply">
  <h2 id="apply">Apply to work with us</h2>
  <p class="hint">Transcribers and reviewers work in one language. We check your identity
  document before the account opens.</p>
  {apply_message}
  <form id="apply-form" method="post" action="/apply" enctype="multipart/form-data">
    <div class="row">
      <div><label for="apply-name">Full name</label>
        <input id="apply-name" name="name" required value="{form.get('name', '')}"></div>
      <div><label for="apply-language">Language</label>
        <select id="apply-language" name="language" required>{languages}</select></div>
    </div>
    <div class="row">
      <div><label for="apply-username">Username</label>
        <input id="apply-username" name="username" autocomplete="off" required
               value="{form.get('username', '')}"></div>
      <div><label for="apply-password">Password</label>
        <input id="apply-password" name="password" type="password" autocomplete="new-password"
               required></div>
    </div>
    <label for="apply-bank">Bank account holder</label>
    <input id="apply-bank" name="bank_holder" required value="{form.get('bank_holder', '')}">
    <label for="apply-document">Identity document (PDF or image)</label>
    <input id="apply-document" name="document" type="file" accept=".pdf,.png,.jpg,.jpeg,.webp" required>
    <button type="submit" class="secondary">Send application</button>
  </form>
</section>
</main></body></html>"""
