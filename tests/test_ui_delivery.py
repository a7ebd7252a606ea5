"""The media route's file response reports the bytes that went out, and only once they all
did: driven through the ASGI interface, as the server drives it."""

from __future__ import annotations

import anyio
import pytest

from tests.event_loop import run_in_fresh_loop
from workbench.ui.delivery import DeliveredFileResponse

SIZE = 200_000  # a few 64 KiB chunks


@pytest.fixture
def file(tmp_path):
    path = tmp_path / "segment.flac"
    path.write_bytes(bytes(range(256)) * (SIZE // 256) + b"x" * (SIZE % 256))
    return path


def serve(path, *, method="GET", headers=(), fail_after=None, disconnect=False, spec="2.4"):
    """Runs one response; ``fail_after`` body messages the client goes away (the server's
    send raises); ``disconnect`` has the client hang up as the body starts (ASGI < 2.4)."""
    reported, bodies = [], []
    response = DeliveredFileResponse(path, on_sent=lambda *span: reported.append(span))
    scope = {"type": "http", "method": method, "headers": [(k.encode(), v.encode()) for k, v in headers],
             "asgi": {"spec_version": spec}}

    async def receive():
        if disconnect:
            return {"type": "http.disconnect"}
        await anyio.sleep_forever()

    async def send(message):
        if message["type"] == "http.response.body":
            if fail_after is not None and len(bodies) >= fail_after:
                raise OSError("the client went away")
            bodies.append(message)
            if disconnect:
                await anyio.sleep(1)

    async def run():
        await response(scope, receive, send)

    try:
        run_in_fresh_loop(run)
    except OSError:
        pass
    return reported


@pytest.mark.parametrize(("headers", "expected"), [
    ((), [(0, SIZE, SIZE)]),
    ((("range", "bytes=0-"),), [(0, SIZE, SIZE)]),
    ((("range", "bytes=100-199"),), [(100, 200, SIZE)]),
    ((("range", f"bytes=-{SIZE // 4}"),), [(SIZE - SIZE // 4, SIZE, SIZE)]),
    ((("range", "bytes=0-9,20-29"),), []),  # multipart: not worth crediting
    ((("range", f"bytes={SIZE + 5}-"),), []),  # 416
])
def test_a_complete_response_reports_the_bytes_it_sent(file, headers, expected):
    assert serve(file, headers=headers) == expected


def test_a_download_cut_short_reports_nothing(file):
    assert serve(file, fail_after=1) == []


def test_a_client_hanging_up_reports_nothing(file):
    assert serve(file, disconnect=True, spec="2.3") == []


def test_a_head_request_reports_nothing(file):
    assert serve(file, method="HEAD") == []
