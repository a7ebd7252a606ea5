"""The worker's landing page: their queue, "take the next task", the review queue and their
earnings, as a light page like the task pages (a static HTML shell, ``static/work/queue.js``
and the JSON routes below) instead of a Gradio page.

Loading it costs a session read and one store read per queue; it runs no Gradio event, so it
never waits behind another user's. "Take the next task" is the task pages' own claim route
(``POST /api/work/tasks/claim``, ``work_api``). The Gradio tabs stay at ``/`` (the guideline,
and the admin pages); a transcriber or reviewer lands here on signing in
(``handlers.auth.landing``).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from workbench.ui.handlers import reviewer as review
from workbench.ui.handlers import transcriber as transcribe
from workbench.ui.handlers.auth import visible_pages
from workbench.ui.quality_notices import notices_html
from workbench.ui.session import require_actor, workbench_of
from workbench.ui.work_api import import_map, versioned_assets

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

PATH = "/work"
# Never kept by the browser (Chromium's Back reuses even stale cached answers): "back" from
# a task page shows the queue as it is now.
NO_STORE = {"Cache-Control": "no-store"}

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


def queue_page(actor: "Actor", notices: str = "") -> str:
    """The page's HTML: a section per queue the actor's roles give them; queue.js fills them.
    ``notices``: the quality rules' banners (``quality_notices``), already HTML."""
    visible = visible_pages(actor)
    assets = versioned_assets()
    sections = (TRANSCRIBE_SECTION if visible["transcribe"] else "") + (REVIEW_SECTION if visible["review"] else "")
    if not sections:
        sections = '<section class="panel"><p>Your account has no queue. <a href="/">Open the workbench</a>.</p></section>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>My work · Speech data workbench</title>
<link rel="stylesheet" href="{assets.format('work.css')}">
</head>
<body class="queue-page">
<header class="bar">
  <h1>Speech data workbench</h1><span class="spacer"></span>
  <nav class="links">{'<a href="/">My earnings</a>' if visible["earnings"] else ''}<a href="/">Guideline</a></nav>
  <span class="who">Signed in as <strong>{escape(actor.name)}</strong> ({escape(actor.username)})</span>
  <a href="/logout">Sign out</a>
</header>
<p class="banner" id="banner" role="status"></p>{notices}
<main class="queues">{sections}
</main>
<script type="importmap">{import_map(assets)}</script>
<script type="module" src="{assets.format('queue.js')}"></script>
</body></html>"""


@router.get(PATH, response_class=HTMLResponse)
def get_queue_page(request: Request, actor: "Actor" = Depends(require_actor)) -> HTMLResponse:
    return HTMLResponse(queue_page(actor, notices_html(workbench_of(request), actor)), headers=NO_STORE)


@router.get("/api/work/queue")
def get_queue(request: Request, response: Response, actor: "Actor" = Depends(require_actor)) -> Any:
    response.headers.update(NO_STORE)
    return transcribe.queue_json(workbench_of(request), actor)


@router.get("/api/work/review-queue")
def get_review_queue(request: Request, response: Response, actor: "Actor" = Depends(require_actor)) -> Any:
    response.headers.update(NO_STORE)
    return review.review_queue_json(workbench_of(request), actor)
