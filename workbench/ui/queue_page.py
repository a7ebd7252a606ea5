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
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse

from workbench.ui import i18n
from workbench.ui.handlers import reviewer as review
from workbench.ui.handlers import transcriber as transcribe
from workbench.ui.handlers.auth import visible_pages
from workbench.ui.language import picker_html, request_language
from workbench.ui.quality_notices import notices_html
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
    # Filled (and shown) by second_looks.js only when their JSON lists something.
    second_looks = f"""
<section class="panel" id="checks" aria-labelledby="checks-title" hidden>
  <h2 id="checks-title">{tr('Checks for you')}</h2>
  <p class="offer">{tr('Accepted segments drawn for a second look: was the acceptance right?')}</p>
  <ul class="tasks" id="check-list"></ul>
</section>
<section class="panel" id="disputes" aria-labelledby="disputes-title" hidden>
  <h2 id="disputes-title">{tr('Disputes')}</h2>
  <p class="offer">{tr('Two transcribers wrote this span differently: pick one text or write a third.')}</p>
  <ul class="tasks" id="dispute-list"></ul>
</section>"""
    sections = (transcribe if visible["transcribe"] else "") + (review + second_looks if visible["review"] else "")
    no_queue = tr("Your account has no queue.")
    return sections or f'<section class="panel"><p>{no_queue} <a href="/">{tr("Open the workbench")}</a>.</p></section>'


def queue_page(actor: "Actor", language: str = i18n.DEFAULT, notices: str = "") -> str:
    """The page's HTML in ``language``: a section per queue the actor's roles give them;
    queue.js fills them. ``notices``: the quality rules' banners (``quality_notices``),
    already HTML."""
    tr = i18n.html_translator(language)
    visible = visible_pages(actor)
    earnings = f'<a href="/work/earnings">{tr("My earnings")}</a>' if visible["earnings"] else ""
    links = earnings + f'<a href="/">{tr("Guideline")}</a>'
    return work_shell(actor, language, title=tr("My work"), links=links,
                      main=f'{notices}<main class="queues">{_sections(tr, visible)}\n</main>', script="queue.js",
                      path=PATH, poll=True)


def work_shell(actor: "Actor", language: str, *, title: str, links: str, main: str, script: str, path: str,
               poll: bool = False) -> str:
    """A light worker page (the queue, the earnings) in ``language``: the bar with who is
    signed in and the language picker (coming back to ``path``), a banner, ``main`` (already
    HTML) and its module ``script``. ``title`` is already escaped. ``poll``: the page re-reads
    its queues every ``POLL_SECONDS`` while visible (queue.js)."""
    tr = i18n.html_translator(language)
    assets = versioned_assets()
    polling = f' data-poll-seconds="{POLL_SECONDS}"' if poll else ""
    who = tr("Signed in as {name} ({username})", name=actor.name, username=actor.username)
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {tr('Speech data workbench')}</title>
<link rel="stylesheet" href="{assets.format('work.css')}">
</head>
<body class="queue-page"{polling}>
<header class="bar">
  <h1>{tr('Speech data workbench')}</h1><span class="spacer"></span>
  <nav class="links">{links}</nav>
  {picker_html(language, path)}
  <span class="who">{who}</span>
  <a href="/logout">{tr('Sign out')}</a>
</header>
<p class="banner" id="banner" role="status"></p>
{main}
{i18n.strings_script(language)}
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
def get_queue_page(request: Request, actor: "Actor" = Depends(require_actor)) -> HTMLResponse:
    language = request_language(request)
    notices = notices_html(workbench_of(request), actor, language)
    return HTMLResponse(queue_page(actor, language, notices), headers=NO_STORE)


@router.get("/api/work/queue")
def get_queue(request: Request, actor: "Actor" = Depends(require_actor)) -> Response:
    return etagged(request, transcribe.queue_json(workbench_of(request), actor, request_language(request)))


@router.get("/api/work/review-queue")
def get_review_queue(request: Request, actor: "Actor" = Depends(require_actor)) -> Response:
    return etagged(request, review.review_queue_json(workbench_of(request), actor, request_language(request)))
