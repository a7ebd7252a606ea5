"""A file response that says which bytes actually went out, once they all did.

Starlette's ``FileResponse`` answers Range requests (browsers need them to seek in audio).
``DeliveredFileResponse`` watches the messages it sends: when the last body message of a
200 or single-range 206 response has been handed to the server, it calls
``on_sent(first, stop, size)`` with the byte span ``[first, stop)`` of the ``size``-byte
file. A response cut short (the client went away), a HEAD, a 416 or a multi-range answer
reports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class DeliveredFileResponse(FileResponse):
    def __init__(self, path, *, on_sent: Callable[[int, int, int], object], **kwargs) -> None:
        super().__init__(path, **kwargs)
        self.on_sent = on_sent

    async def __call__(self, scope, receive, send) -> None:
        span: list[int] = []
        finished = False

        async def watching(message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start":
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]}
                span[:] = _sent_span(message["status"], headers)
            await send(message)
            if message["type"] == "http.response.pathsend" or (
                    message["type"] == "http.response.body" and not message.get("more_body", False)):
                finished = True

        await super().__call__(scope, receive, watching)
        if finished and span and scope.get("method", "GET").upper() == "GET":
            await run_in_threadpool(self.on_sent, *span)


def _sent_span(status: int, headers: dict[str, str]) -> list[int]:
    """``[first, stop, size]`` of a whole-file or single-range answer, else empty."""
    if status == 200 and "content-length" in headers:
        size = int(headers["content-length"])
        return [0, size, size]
    match = _CONTENT_RANGE.fullmatch(headers.get("content-range", ""))
    if status == 206 and match:
        first, last, size = map(int, match.groups())
        return [first, last + 1, size]
    return []
