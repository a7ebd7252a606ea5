"""Request bodies are limited while they stream in, before any route spools them to disk.

``BodyLimit`` refuses a declared ``Content-Length`` over the path's limit before reading a
byte, and counts the bytes of every other body (chunked ones too) as the route reads them:
at the first byte over, the route's read fails, nothing more is read, and the answer is 413.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.formparsers import MultiPartException
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from workbench.workflow.policy import Policy


class BodyTooLarge(MultiPartException):
    """Raised into a route reading past its limit.

    A ``MultiPartException``, so that the form parsers (Starlette's, and Gradio's upload
    parser) close and delete the files they had started before giving up.
    """

    def __init__(self, limit: int):
        super().__init__(f"The request body exceeded the maximum allowed size of {limit} bytes.")


def _too_large(limit: int) -> JSONResponse:
    megabytes = limit / 1024**2
    return JSONResponse({"detail": f"The request is too large: at most {megabytes:.1f} MB here."}, status_code=413)


class BodyLimit:
    """ASGI middleware: ``limit_for(path)`` bytes of body at most per request."""

    def __init__(self, app, limit_for: Callable[[str], int]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                return await JSONResponse({"detail": "Bad Content-Length."}, status_code=400)(scope, receive, send)
            if int(declared) > limit:
                return await _too_large(limit)(scope, receive, send)

        received = 0
        exceeded = False
        started = False

        async def counting_receive():
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message):
            nonlocal started
            if exceeded:
                return  # the route's own answer to the failed read is replaced by ours
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(limit)(scope, receive, send)


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
