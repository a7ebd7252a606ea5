"""Files a signed-in user may fetch (a segment's audio and spectrogram, an applicant's
document): who may see which file is decided by the ``Workbench``, never by a static
directory, and every file goes out as a response the browser must revalidate.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import Headers

from workbench.ui.delivery import DeliveredFileResponse
from workbench.ui.session import require_actor, workbench_of

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor
    from workbench.workflow.media import SegmentAudio

# Documents come from strangers: only formats a browser shows without running code are
# served inline; anything else is a download, and nothing is ever content-sniffed.
INLINE_DOCUMENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})


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


def file_response(path: Path, *, download_name: str | None = None,
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


def heard_audio(audio: "SegmentAudio", record: Callable[..., object]) -> FileResponse:
    """``audio`` served uncached, so every play is a request: ``record(bounds=, sent=)`` is told
    the span of it (seconds into the segment) that reached the listener, whose listening is
    credited only within what was sent."""
    return file_response(audio.path, on_sent=lambda first, stop, size: record(
        bounds=audio.bounds, sent=audio.span_of_bytes(first, stop, size)))


router = APIRouter()


@router.get("/media/segment/{segment_id}.wav")
def segment_audio(
    segment_id: int,
    request: Request,
    variant: Literal["clean", "original"] = "clean",
    actor: "Actor" = Depends(require_actor),
) -> FileResponse:
    # Uncached, so every play is a request: the server records what it sent to the
    # reviewer (their listening is credited only within it) and never serves stale cuts.
    wb = workbench_of(request)
    audio = wb.segment_audio(actor, segment_id, variant=variant)
    if not audio.reviewing:
        return file_response(audio.path)
    return heard_audio(audio, functools.partial(wb.record_audio_sent, actor, audio.segment_id))


@router.get("/media/spectrogram/{segment_id}.png")
def segment_spectrogram(segment_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> FileResponse:
    return file_response(workbench_of(request).segment_spectrogram_path(actor, segment_id))


@router.get("/media/peaks/{task_id}.json")
def clip_peaks(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> FileResponse:
    # The whole-clip timeline's outline (no audio: it never counts as listening).
    return file_response(workbench_of(request).clip_peaks_path(actor, task_id))


@router.get("/media/document/{application_id}")
def application_document(application_id: int, request: Request,
                         actor: "Actor" = Depends(require_actor)) -> FileResponse:
    path = workbench_of(request).application_document(actor, application_id)
    return file_response(path, download_name=path.name)
