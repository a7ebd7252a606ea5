"""The transcriber's and reviewer's task views: their pages and the JSON endpoints their
JavaScript (``ui/static/work/``) talks to.

Each endpoint is one handler call for the signed-in actor (``require_actor``); the Workbench
checks role, language and ownership. Errors keep the app's ``{"detail": message}`` shape;
two carry more, so the page can act on them: a stale save answers 409 with the stored
segment as ``current``, and a submit blocked by guideline errors answers 422 with every
``problems``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, StrictInt

from workbench.ui import i18n, vendor
from workbench.ui.handlers import activity
from workbench.ui.handlers import reviewer as review
from workbench.ui.handlers import transcriber as transcribe
from workbench.ui.language import request_language
from workbench.ui.session import require_actor, workbench_of
from workbench.workflow.errors import GuidelineViolation, StaleVersion

if TYPE_CHECKING:
    from workbench.workflow.domain import Actor

STATIC_PREFIX = "/ui-static"  # where ui/static is served (ui/server.py mounts it)
ASSETS = Path(__file__).parent / "static" / "work"
ASSET_URL = f"{STATIC_PREFIX}/work"

router = APIRouter()


class TextEdit(BaseModel):
    # Nothing but these: a save's author, role and kind are the Workbench's to set, never the
    # page's (a transcriber must not pass a revision off as a machine draft).
    model_config = ConfigDict(extra="forbid")

    text: str
    base_version: int
    # Characters the page saw typed since the last save (effort measured against drafts);
    # the Workbench refuses a count out of range with a 422.
    typed_chars: StrictInt | None = None


class NoSpeech(BaseModel):
    reason: str = "no speech"
    base_version: int


class SplitAt(BaseModel):
    at: float
    # The text before and after the caret, typed on ``base_version``: the first half keeps
    # the one, the new second half starts with the other. Without them the first keeps all.
    texts: tuple[str, str] | None = None
    base_version: int | None = None


class Boundary(BaseModel):
    # The edge ("start" or "end") and where it goes, in seconds on the clip; the Workbench
    # refuses an unknown edge, junk times, overlaps and spans off the clip with a 422.
    model_config = ConfigDict(extra="forbid")

    edge: str
    to: float
    base_version: int


class Play(BaseModel):
    # [start, end] seconds into the segment, as the player played them; the Workbench
    # refuses junk (NaN, negative, reversed, past the end, too many) with a 422.
    intervals: list[tuple[float, float]]


class Activity(BaseModel):
    # [start, end] milliseconds of the page's own clock (activity.js); the Workbench refuses
    # junk and too many spans with a 422, and credits no more than the wall clock allows.
    spans: list[tuple[float, float]]


class Acceptance(BaseModel):
    text: str | None = None


class Comment(BaseModel):
    comment: str


def _answer(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs a handler; the two refusals the page acts on carry what it needs to act."""
    try:
        return call(*args, **kwargs)
    except StaleVersion as error:
        current = error.current.to_dict()
        return JSONResponse({"detail": str(error), "current": current}, status_code=409)
    except GuidelineViolation as error:
        language = kwargs.get("language", i18n.DEFAULT)
        problems = [transcribe.problem_json(problem, language) for problem in error.problems]
        return JSONResponse({"detail": str(error), "problems": problems}, status_code=422)


# --- pages ------------------------------------------------------------------------------

def page_actions(role: str, tr) -> str:
    """The header's buttons of a task page (``tr``: an ``html_translator``)."""
    if role == "transcriber":
        return (f'<button class="btn small" id="wrong-language" type="button" '
                f'title="{tr("The whole clip is in another language")}">{tr("Wrong language")}</button>'
                f'<button class="btn" id="check" type="button">{tr("Check")}</button>'
                f'<button class="btn primary" id="submit" type="button">{tr("Submit for review")}</button>')
    return (f'<button class="btn ok" id="accept-all" type="button">{tr("Accept all played")}</button>'
            f'<button class="btn primary" id="finish" type="button">{tr("Finish review")}</button>')


def import_map(assets: str) -> str:
    """Every module of the task view at its versioned URL: the modules import each other by
    plain relative paths, and the map makes those fetch the current files after an upgrade."""
    modules = sorted(path.name for path in ASSETS.glob("*.js"))
    imports = {f"{ASSET_URL}/{name}": assets.format(name) for name in modules}
    # The npm libraries by bare name (ui/vendor.py), when installed: timeline_view.js imports them.
    return json.dumps({"imports": {**imports, **vendor.import_map_entries()}})


def versioned_assets() -> str:
    """The URL template (``.format(name)``) of a file of ``static/work`` at its current
    version: a new URL after an upgrade, so no browser keeps an old script."""
    version = max(int(path.stat().st_mtime) for path in ASSETS.iterdir())
    return f"{ASSET_URL}/{{}}?v={version}"


def task_page(role: Literal["transcriber", "reviewer"], task_id: int, language: str = i18n.DEFAULT) -> str:
    """The task view's HTML shell in ``language``; its script loads the task through the JSON endpoints."""
    assets = versioned_assets()
    tr = i18n.html_translator(language)
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{tr("Task {id}", id=task_id)}</title>
<link rel="stylesheet" href="{assets.format('work.css')}">
</head>
<body data-role="{role}" data-task="{task_id}">
<header class="bar">
  <a class="btn back" id="back" href="/work" target="_top" title="{tr('Back to my queue')}">← {tr('Queue')}</a>
  <h1 id="title">{tr('Loading…')}</h1><span class="meta" id="meta"></span><span class="spacer"></span>
  <span class="progress"><meter id="meter" value="0" max="1"></meter><span id="count"></span></span>
  <span class="save-state" id="save-state" aria-live="polite"></span>
  {page_actions(role, tr)}
</header>
<p class="banner" id="banner" role="status"></p>
<div class="timeline" id="timeline" aria-label="{tr('Whole-clip timeline')}" hidden></div>
<ol class="segments" id="segments" aria-label="{tr('Segments')}"></ol>
<footer class="keys" id="keys" aria-label="{tr('Hotkeys')}"></footer>
{i18n.strings_script(language)}
<script type="importmap">{import_map(assets)}</script>
<script type="module" src="{assets.format(role + '.js')}"></script>
</body></html>"""


@router.get("/work/transcribe/{task_id}", response_class=HTMLResponse)
def transcriber_page(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> str:
    return task_page("transcriber", task_id, request_language(request))


@router.get("/work/review/{task_id}", response_class=HTMLResponse)
def reviewer_page(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> str:
    return task_page("reviewer", task_id, request_language(request))


# --- transcribing -----------------------------------------------------------------------

# The transcriber's "Take the next task" button (static/take-next-task.js). A JSON call, not
# a Gradio event: a claim touches only the store, so many run at once outside Gradio's queue.
@router.post("/api/work/tasks/claim")
def post_claim(request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return transcribe.take_next_task(workbench_of(request), actor)


@router.get("/api/work/tasks/{task_id}")
def get_task(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return transcribe.open_task(workbench_of(request), actor, task_id, request_language(request))


@router.put("/api/work/segments/{segment_id}/text")
def put_text(segment_id: int, edit: TextEdit, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return _answer(transcribe.save_text, workbench_of(request), actor, segment_id, edit.text,
                   base_version=edit.base_version, typed_chars=edit.typed_chars)


@router.post("/api/work/segments/{segment_id}/no-speech")
def post_no_speech(segment_id: int, body: NoSpeech, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return _answer(transcribe.mark_no_speech, workbench_of(request), actor, segment_id, body.reason,
                   base_version=body.base_version)


@router.post("/api/work/segments/{segment_id}/split")
def post_split(segment_id: int, body: SplitAt, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return _answer(transcribe.split_segment, workbench_of(request), actor, segment_id, body.at,
                   texts=body.texts, base_version=body.base_version)


class HintBase(BaseModel):
    model_config = ConfigDict(extra="forbid")  # the server works out the hint; the page only names it

    base_version: StrictInt


@router.post("/api/work/segments/{segment_id}/hint")
def post_hint(segment_id: int, body: HintBase, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return _answer(transcribe.apply_sentence_hint, workbench_of(request), actor, segment_id,
                   base_version=body.base_version)


@router.post("/api/work/segments/{segment_id}/boundary")
def post_boundary(segment_id: int, body: Boundary, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return _answer(transcribe.move_boundary, workbench_of(request), actor, segment_id, body.edge, body.to,
                   base_version=body.base_version)


@router.post("/api/work/segments/{segment_id}/merge")
def post_merge(segment_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return transcribe.merge_with_next(workbench_of(request), actor, segment_id)


@router.get("/api/work/tasks/{task_id}/problems")
def get_problems(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return transcribe.task_problems(workbench_of(request), actor, task_id, request_language(request))


@router.post("/api/work/tasks/{task_id}/submit")
def post_submit(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return _answer(transcribe.submit_task, workbench_of(request), actor, task_id,
                   language=request_language(request))


# The transcriber's "wrong language for the whole clip" (static/work/wrong_language.js).
@router.post("/api/work/tasks/{task_id}/wrong-language")
def post_wrong_language(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return transcribe.send_back_wrong_language(workbench_of(request), actor, task_id)


# --- reviewing --------------------------------------------------------------------------

# A POST: it takes the task, so a link on another site must not be able to start it.
@router.post("/api/work/review/{task_id}")
def post_review(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return review.open_review(workbench_of(request), actor, task_id)


@router.post("/api/work/segments/{segment_id}/play")
def post_play(segment_id: int, body: Play, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return review.record_play(workbench_of(request), actor, segment_id, body.intervals)


@router.post("/api/work/segments/{segment_id}/accept")
def post_accept(segment_id: int, body: Acceptance, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return review.accept_segment(workbench_of(request), actor, segment_id, text=body.text)


@router.post("/api/work/segments/{segment_id}/return")
def post_return(segment_id: int, body: Comment, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return review.return_segment(workbench_of(request), actor, segment_id, body.comment)


@router.post("/api/work/tasks/{task_id}/accept-all-played")
def post_accept_all(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return review.accept_all_played(workbench_of(request), actor, task_id)


@router.post("/api/work/tasks/{task_id}/finish")
def post_finish(task_id: int, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return review.finish_review(workbench_of(request), actor, task_id)


# --- time on task -----------------------------------------------------------------------

@router.post("/api/work/tasks/{task_id}/activity")
def post_activity(task_id: int, body: Activity, request: Request, actor: "Actor" = Depends(require_actor)) -> Any:
    return activity.record_activity(workbench_of(request), actor, task_id, body.spans)
