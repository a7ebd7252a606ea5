"""The worker's landing page: their queue, "take the next task", the review queue and their
earnings, as a light page like the task pages (a static HTML shell, ``static/work/queue.js``
and the JSON routes below) instead of a Gradio page.

Loading it costs a session read and one store read per queue; it runs no Gradio event, so it
never waits behind another user's. "Take the next task" is the task pages' own claim route
(``POST /api/work/tasks/claim``, ``work_api``). The Gradio tabs stay at ``/`` (the guideline,
and the admin pages); a transcriber or reviewer lands here on signing in
(``handlers.auth.landing``).

It stays live without a Refresh click: while its tab is visible, queue.js re-reads the queues
every ``POLL_SECONDS`` with ``If-None-Match``, so a task the reviewer returned (or a newly
offered one) shows up by itself, and an unchanged queue answers ``304`` with no body. The tag
is a hash of the answer, the same from every server process, so polls may land on any of them.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse

from workbench.ui.handlers import reviewer as review
from workbench.ui.handlers import transcriber as transcribe
from workbench.ui.handlers.auth import visible_pages
from workbench.ui.session import require_actor, workbench_of
from workbench.ui.work_api import import_map, versioned_assets

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

PATH = "/work"
# Never kept by the browser (Chromium's Back reuses even stale cached answers): "back" from
# a task page shows the queue as it is now.
NO_STORE = {"Cache-Control": "no-store"}
# How often an open queue page re-reads its queues while its tab is visible: a returned or
# newly offered task shows up by itself. An unchanged queue answers 304 with no body.
POLL_SECONDS = 20

router = APIRouter()

TRANSCRIBE_SECTION = """
<section class="panel" id="transcribe" aria-labelledby="transcribe-title">
  <h2 id="transcribe-title">My tasks</h2>
  <p class="offer" id="offer">Loading…</p>
  <p><button class="btn primary" id="take-next" type="button" disabled>Take the next task</button>
  <span class="take-error" id="take-error" role="alert"></span></p>
  <ul class="tasks" id="my-tasks" aria-label="My tasks (returned first)"></ul>
</section>"""

REVIEW_SECTION = """
<section class="panel" id="review" aria-labelledby="review-title">
  <h2 id="review-title">Submitted tasks in my language</h2>
  <p class="offer" id="review-offer">Loading…</p>
  <ul class="tasks" id="review-tasks" aria-label="Submitted tasks in my language"></ul>
</section>"""


def queue_page(actor: "Actor") -> str:
    """The page's HTML: a section per queue the actor's roles give them; queue.js fills them."""
    visible = visible_pages(actor)
    sections = (TRANSCRIBE_SECTION if visible["transcribe"] else "") + (REVIEW_SECTION if visible["review"] else "")
    if not sections:
        sections = '<section class="panel"><p>Your account has no queue. <a href="/">Open the workbench</a>.</p></section>'
    links = ('<a href="/work/earnings">My earnings</a>' if visible["earnings"] else '') + '<a href="/">Guideline</a>'
    return work_shell(actor, title="My work", links=links, main=f'<main class="queues">{sections}\n</main>',
                      script="queue.js", poll=True)


def work_shell(actor: "Actor", *, title: str, links: str, main: str, script: str, poll: bool = False) -> str:
    """A light worker page (the queue, the earnings): the bar with who is signed in, a
    banner, ``main`` and its module ``script``. ``poll``: the page re-reads its queues every
    ``POLL_SECONDS`` while visible (queue.js)."""
    assets = versioned_assets()
    polling = f' data-poll-seconds="{POLL_SECONDS}"' if poll else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Speech data workbench</title>
<link rel="stylesheet" href="{assets.format('work.css')}">
</head>
<body class="queue-page"{polling}>
<header class="bar">
  <h1>Speech data workbench</h1><span class="spacer"></span>
  <nav class="links">{links}</nav>
  <span class="who">Signed in as <strong>{escape(actor.name)}</strong> ({escape(actor.username)})</span>
  <a href="/logout">Sign out</a>
</header>
<p class="banner" id="banner" role="status"></p>
{main}
<script type="importmap">{import_map(assets)}</script>
<script type="module" src="{assets.format(script)}"></script>
</body></html>"""


def etagged(request: Request, body: Any) -> Response:
    """``body`` as JSON with an ETag of its bytes; ``304 Not Modified`` (no body) when the
    page's ``If-None-Match`` names it. The tag is the answer's own hash, so every server
    process gives the same tag for the same queue: no per-process memory."""
    content = json.dumps(jsonable_encoder(body), ensure_ascii=False, separators=(",", ":")).encode()
    tag = f'"{hashlib.blake2b(content, digest_size=12).hexdigest()}"'
    headers = {**NO_STORE, "ETag": tag}
    if tag in (value.strip() for value in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)


@router.get(PATH, response_class=HTMLResponse)
def get_queue_page(actor: "Actor" = Depends(require_actor)) -> HTMLResponse:
    return HTMLResponse(queue_page(actor), headers=NO_STORE)


@router.get("/api/work/queue")
def get_queue(request: Request, actor: "Actor" = Depends(require_actor)) -> Response:
    return etagged(request, transcribe.queue_json(workbench_of(request), actor))


@router.get("/api/work/review-queue")
def get_review_queue(request: Request, actor: "Actor" = Depends(require_actor)) -> Response:
    return etagged(request, review.review_queue_json(workbench_of(request), actor))
