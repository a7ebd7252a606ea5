"""The worker's light earnings page (``/work/earnings``, linked from the queue page): what is
coming (work waiting for review, accepted work by payday, the minimum payout and what carries
over) and the last paydays, as a static shell, ``static/work/earnings.js`` and one JSON read.

It answers for the signed-in worker only: the route takes no name or id, so there is no
other worker's earnings to ask for. The figures are ``pay.service.coming``'s (the engine's
own settlement rules, run dry for one person); the route only shapes them. The Gradio
"My earnings" tab keeps the full statement and time on task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from workbench.ui import i18n
from workbench.ui.handlers.auth import visible_pages
from workbench.ui.handlers.earnings import coming_json
from workbench.ui.queue_page import NO_STORE, work_shell
from workbench.ui.language import request_language
from workbench.ui.session import require_actor, workbench_of
from workbench.workflow.errors import PermissionDenied

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

PATH = "/work/earnings"

router = APIRouter()

def main_html(tr) -> str:
    """The page's two panels (``tr``: an ``html_translator``); earnings.js fills them."""
    return f"""<main class="queues">
<section class="panel" id="coming" aria-labelledby="coming-title">
  <h2 id="coming-title">{tr('What is coming')}</h2>
  <p class="offer" id="waiting">{tr('Loading…')}</p>
  <ul class="tasks paydays" id="paydays" aria-label="{tr('Coming paydays')}"></ul>
  <p class="offer" id="rules"></p>
</section>
<section class="panel" id="paid-panel" aria-labelledby="paid-title">
  <h2 id="paid-title">{tr('Last paydays')}</h2>
  <table class="paid" id="paid" aria-label="{tr('Last paydays')}"></table>
  <p class="offer"><a href="/">{tr('Full statement and time on task')}</a></p>
</section>
</main>"""


def paid_worker(actor: "Actor") -> "Actor":
    """The actor, if their roles are paid ones (transcriber, reviewer); refused otherwise."""
    if not visible_pages(actor)["earnings"]:
        raise PermissionDenied("Only transcribers and reviewers are paid: there are no earnings to show.")
    return actor


@router.get(PATH, response_class=HTMLResponse)
def get_earnings_page(request: Request, actor: "Actor" = Depends(require_actor)) -> HTMLResponse:
    paid_worker(actor)
    language = request_language(request)
    tr = i18n.html_translator(language)
    links = f'<a href="/work">{tr("My work")}</a><a href="/">{tr("Guideline")}</a>'
    page = work_shell(actor, language, title=tr("My earnings"), links=links, main=main_html(tr),
                      script="earnings.js", path=PATH)
    return HTMLResponse(page, headers=NO_STORE)


@router.get("/api/work/earnings")
def get_earnings(request: Request, response: Response, actor: "Actor" = Depends(require_actor)) -> Any:
    response.headers.update(NO_STORE)
    return coming_json(workbench_of(request), paid_worker(actor), request_language(request))
