"""Cross-site request refusal: only pages of the workbench itself may change anything.

A browser sends the session cookie with a request another site makes it send (a form posted
to us, a ``fetch`` from a page elsewhere, a WebSocket opened by it). ``SameOriginOnly``
refuses, with 403 and before anything runs, every request that may change state (any
method but GET, HEAD and OPTIONS, and every WebSocket handshake, Gradio's queue included)
whose ``Origin``, or ``Referer`` when a browser sent no ``Origin``, is not an allowed origin:

- the app's own origin, the scheme and ``Host`` of the request as the server received it
  (behind a proxy that is what the proxy forwards; see ``WORKBENCH_TRUSTED_PROXIES``);
- each origin in ``WORKBENCH_ALLOWED_ORIGINS`` (the public address behind a proxy that
  rewrites ``Host`` or ends TLS, e.g. ``https://workbench.example.org``).

``Origin: null`` (sandboxed frames, privacy redirects) is refused. A request with neither
header is let through: browsers always send ``Origin`` on cross-origin requests that are
not GET/HEAD, so such a request comes from a script or a tool, which holds no victim's
cookie. GET requests change nothing in the workbench (the review that takes a task is a
POST; ``/logout`` ignores a link followed from another site, ``Sec-Fetch-Site: cross-site``),
so a link on another site starts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse

from workbench.config import origin_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_HTTP_SCHEME = {"ws": "http", "wss": "https"}


class SameOriginOnly:
    """ASGI middleware refusing cross-site requests that may change state (module docstring)."""

    def __init__(self, app, *, allowed_origins: Iterable[str] = ()):
        self.app = app
        self.allowed = frozenset(allowed_origins)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or scope.get("method") in SAFE_METHODS:
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        claimed = headers.get("origin")
        if claimed is None and headers.get("referer") is not None:
            claimed = origin_of(headers["referer"]) or "null"
        if claimed is None or claimed.lower() in self._allowed_for(scope, headers):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        response = PlainTextResponse("Cross-site request refused: this page is not part of the workbench.",
                                     status_code=403)
        await response(scope, receive, send)

    def _allowed_for(self, scope, headers: Headers) -> frozenset[str]:
        host = headers.get("host")
        if not host:
            return self.allowed
        scheme = _HTTP_SCHEME.get(scope["scheme"], scope["scheme"])
        return self.allowed | {f"{scheme}://{host.lower()}"}
