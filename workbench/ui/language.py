"""Which language a request's pages are in, and the header's picker that changes it.

The language is the signed-in user's choice (``Actor.ui_language``, kept by
``People.set_ui_language``), else this browser's choice (the ``wb_lang`` cookie the picker
sets, which is all an anonymous reader has), else the browser's ``Accept-Language``, else
English. ``POST /language`` sets it: for the signed-in user themself (there is no way to
name another) and for the browser. An unknown code is refused without being echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from workbench.ui import i18n
from workbench.ui.session import cookie_secure, current_actor, workbench_of

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.workflow.domain import Actor

PATH = "/language"
AUTO = "auto"  # the picker's "follow my browser"
COOKIE_AGE = 365 * 24 * 3600


def language_of(actor: "Actor | None", cookies: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """The pages' language for ``actor`` (None: anonymous) in a browser sending ``cookies``
    and ``headers`` (see the module docstring)."""
    return (
        (i18n.known(actor.ui_language) if actor is not None else None)
        or i18n.known(cookies.get(i18n.COOKIE))
        or i18n.from_accept_language(headers.get("accept-language"))
        or i18n.DEFAULT
    )


def request_language(request: Request) -> str:
    """The language of the pages answering ``request``."""
    return language_of(current_actor(request), request.cookies, request.headers)


def local_path(target: str, default: str) -> str:
    """``target`` if it is a path on this site (never another site's address), else ``default``."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target and len(target) < 512
    return target if ok and all(32 < ord(c) < 127 for c in target) else default


def picker_html(language: str, back_to: str) -> str:
    """The header's small form: the four languages in their own names; choosing one posts it."""
    tr = i18n.html_translator(language)
    options = "".join(
        f'<option value="{code}"{" selected" if code == language else ""}>{name}</option>'
        for code, name in i18n.NATIVE_NAMES.items()
    )
    return (
        f'<form class="language" method="post" action="{PATH}">'
        f'<input type="hidden" name="next" value="{local_path(back_to, "/")}">'
        f'<select name="language" id="language" aria-label="{tr("Language of the pages")}" '
        f'onchange="this.form.submit()">{options}</select>'
        f'<noscript><button type="submit">{tr("Change")}</button></noscript></form>'
    )


def router(settings: "Settings") -> APIRouter:
    routes = APIRouter()

    @routes.post(PATH)
    def choose_language(request: Request, language: str = Form(""), next: str = Form("")) -> Response:
        actor = current_actor(request)
        code = None if language == AUTO else i18n.known(language)
        if code is None and language != AUTO:
            return JSONResponse({"detail": "Unknown language; choose one of " + ", ".join(i18n.NATIVE_NAMES) + "."},
                                status_code=422)
        if actor is not None:
            workbench_of(request).set_ui_language(actor, code)
        response = RedirectResponse(local_path(next, "/work" if actor is not None else "/login"), status_code=303)
        if code is None:
            response.delete_cookie(i18n.COOKIE)
        else:
            response.set_cookie(i18n.COOKIE, code, max_age=COOKIE_AGE, samesite="lax",
                                secure=cookie_secure(settings.cookie_secure, request))
        return response

    return routes
