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

from workbench.ui import i18n
from workbench.ui.handlers import reviewer as review
from workbench.ui.handlers import transcriber as transcribe
from workbench.ui.handlers.auth import visible_pages
from workbench.ui.language import picker_html, request_language
from workbench.ui.session import require_actor, workbench_of
from workbench.ui.work_api import import_map, versioned_assets

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

PATH = "/work"
# Never kept by the browser (Chromium's Back reuses even stale cached answers): "back" from
# a task page shows the queue as it is now.
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter()

def _sections(tr, visible: dict[str, bool]) -> str:
    """A section per queue the actor's roles give them (``tr``: an ``html_translator``)."""
    transcribe = f"""
<section class="panel" id="transcribe" aria-labelledby="transcribe-title">
  <h2 id="transcribe-title">{tr('My tasks')}</h2>
  <p class="offer" id="offer">{tr('Loading…')}</p>
  <p><button class="btn primary" id="take-next" type="button" disabled>{tr('Take the next task')}</button>
  <span class="take-error" id="take-error" role="alert"></span></p>
  <ul class="tasks" id="my-tasks" aria-label="{tr('My tasks (returned first)')}"></ul>
</section>"""
    review = f"""
<section class="panel" id="review" aria-labelledby="review-title">
  <h2 id="review-title">{tr('Submitted tasks in my language')}</h2>
  <p class="offer" id="review-offer">{tr('Loading…')}</p>
  <ul class="tasks" id="review-tasks" aria-label="{tr('Submitted tasks in my language')}"></ul>
</section>"""
    sections = (transcribe if visible["transcribe"] else "") + (review if visible["review"] else "")
    no_queue = tr("Your account has no queue.")
    return sections or f'<section class="panel"><p>{no_queue} <a href="/">{tr("Open the workbench")}</a>.</p></section>'


def queue_page(actor: "Actor", language: str = i18n.DEFAULT) -> str:
    """The page's HTML in ``language``: a section per queue the actor's roles give them;
    queue.js fills them."""
    tr = i18n.html_translator(language)
    visible = visible_pages(actor)
    assets = versioned_assets()
    earnings = f'<a href="/">{tr("My earnings")}</a>' if visible["earnings"] else ""
    who = tr("Signed in as {name} ({username})", name=actor.name, username=actor.username)
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{tr('My work')} · {tr('Speech data workbench')}</title>
<link rel="stylesheet" href="{assets.format('work.css')}">
</head>
<body class="queue-page">
<header class="bar">
  <h1>{tr('Speech data workbench')}</h1><span class="spacer"></span>
  <nav class="links">{earnings}<a href="/">{tr('Guideline')}</a></nav>
  {picker_html(language, PATH)}
  <span class="who">{who}</span>
  <a href="/logout">{tr('Sign out')}</a>
</header>
<p class="banner" id="banner" role="status"></p>
<main class="queues">{_sections(tr, visible)}
</main>
{i18n.strings_script(language)}
<script type="importmap">{import_map(assets)}</script>
<script type="module" src="{assets.format('queue.js')}"></script>
</body></html>"""


@router.get(PATH, response_class=HTMLResponse)
def get_queue_page(request: Request, actor: "Actor" = Depends(require_actor)) -> HTMLResponse:
    return HTMLResponse(queue_page(actor, request_language(request)), headers=NO_STORE)


@router.get("/api/work/queue")
def get_queue(request: Request, response: Response, actor: "Actor" = Depends(require_actor)) -> Any:
    response.headers.update(NO_STORE)
    return transcribe.queue_json(workbench_of(request), actor, request_language(request))


@router.get("/api/work/review-queue")
def get_review_queue(request: Request, response: Response, actor: "Actor" = Depends(require_actor)) -> Any:
    response.headers.update(NO_STORE)
    return review.review_queue_json(workbench_of(request), actor, request_language(request))
