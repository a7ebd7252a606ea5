"""Sessions at the web edge: the signed cookie, the gate every request passes, and the
helpers routes use to learn who is signed in.

The session cookie carries a signed random token, never the username; the token opens a
session only while the ``Workbench`` knows it as live (not signed out, expired or closed).
Without one a request reaches only the login page, the application form and logout
(``SessionGate``); every other path redirects to ``/login`` (pages) or answers 401.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from workbench.ui import i18n
from workbench.workflow.files import write_atomically

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.service import Workbench

SESSION_COOKIE = "workbench_session"
SECRET_FILE = "session-secret.key"
PUBLIC_PATHS = frozenset({"/login", "/apply", "/logout", "/language", "/favicon.ico"})
# The app's own scripts and stylesheets: they still need a live session, but a page pulls a
# dozen or more at once, so a session seen live within ASSET_SESSION_SECONDS opens them
# without another database read (``answered_by_assets`` says which paths). Only these; every
# API, media and page request reads it.
ASSET_SESSION_SECONDS = 10.0
ASSET_SESSION_ENTRIES = 10_000


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
        self._live_for_assets = LiveSessions(ASSET_SESSION_SECONDS, ASSET_SESSION_ENTRIES)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        request = Request(scope)
        token = self.signer.session_token(request.cookies.get(SESSION_COOKIE))
        actor = None
        username = self._live_for_assets.get(token) if token and answered_by_assets(scope["path"]) else None
        if token and username is None:
            # One database read finds the session and who it is; keep it off the event loop.
            actor = await run_in_threadpool(self.wb.session_actor, token)
            username = actor.username if actor is not None else None
            if username is not None:
                self._live_for_assets.put(token, username)
        # Mounted apps (Gradio) see their own request.app: hand them the session via the scope.
        scope.setdefault("state", {}).update(session_username=username, session_actor=actor, workbench=self.wb)
        if username is not None or scope["path"] in PUBLIC_PATHS:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        if scope["method"] == "GET" and "text/html" in request.headers.get("accept", ""):
            response: Response = RedirectResponse("/login", status_code=303)
        else:
            response = JSONResponse({"detail": not_signed_in(request)}, status_code=401)
        await response(scope, receive, send)


def answered_by_assets(path: str) -> bool:
    """Whether ``path`` is one the asset routes answer themselves: anything under
    ``/ui-static/`` (a mount keeps all of it) or one file name under ``/ui-vendor/``. Any
    other path, ``/ui-vendor/../x`` included, falls through to routes that need the full
    session, so it never trusts ``LiveSessions``."""
    if ".." in path:
        return False
    if path.startswith("/ui-static/"):
        return True
    name = path[len("/ui-vendor/"):] if path.startswith("/ui-vendor/") else ""
    return bool(name) and "/" not in name


class LiveSessions:
    """Tokens seen live in the last ``seconds`` (their username), at most ``entries`` of them.
    Only what is cheap to be wrong about may trust it: a session revoked a moment ago can
    still fetch the app's public scripts for up to ``seconds``, nothing else."""

    def __init__(self, seconds: float, entries: int):
        self.seconds = seconds
        self.entries = entries
        self._seen: dict[str, tuple[float, str]] = {}

    def get(self, token: str) -> str | None:
        seen = self._seen.get(token)
        return seen[1] if seen is not None and seen[0] > time.monotonic() else None

    def put(self, token: str, username: str) -> None:
        if len(self._seen) >= self.entries:
            now = time.monotonic()
            self._seen = {key: value for key, value in self._seen.items() if value[0] > now}
            if len(self._seen) >= self.entries:
                self._seen.clear()
        self._seen[token] = (time.monotonic() + self.seconds, username)


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
        raise HTTPException(status_code=401, detail=not_signed_in(request))
    return actor


def not_signed_in(request: Request) -> str:
    """A 401's ``detail`` in the language of the browser that made ``request`` (nobody signed in)."""
    from workbench.ui.language import language_of  # it imports this module

    tr = i18n.translator(language_of(None, request.cookies, request.headers))
    return tr("Not signed in")


def close_browser_session(request: Request, signer: SessionSigner) -> None:
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


def cookie_secure(rule: str, request: Request) -> bool:
    """``WORKBENCH_COOKIE_SECURE``: always, never, or (auto) when the request came over https
    as the server sees it (behind a proxy, only a trusted proxy's X-Forwarded-Proto says so)."""
    return rule == "always" or (rule == "auto" and request.url.scheme == "https")
