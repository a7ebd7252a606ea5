"""The sign-in page: our own login form beside the application form, and its routes
(sign in, sign out, apply). The session these open is ``ui/session``'s business.
"""

from __future__ import annotations

import asyncio
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from workbench.ui.errors import error_status, refusal, retry_after
from workbench.ui.handlers import auth as auth_handlers
from workbench.ui import i18n
from workbench.ui.language import COOKIE_AGE, request_language
from workbench.ui.login_page import login_page
from workbench.ui.session import (
    SESSION_COOKIE,
    SessionSigner,
    client_address,
    close_browser_session,
    cookie_secure,
    current_actor,
    workbench_of,
)
from workbench.workflow.errors import AuthenticationFailed, PermissionDenied, TooManyAttempts, WorkbenchError

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.workflow.service import Workbench

# Checking or hashing a password costs about 150 ms of CPU (argon2id at its recommended
# cost, ``Policy.password_time_cost``). Sign-ins and applications do it in a pool of their
# own, one thread per core: a burst of them waits its turn there instead of taking the
# threads every other route shares (anyio's 40), so nobody's save queues behind strangers'
# sign-ins, and more threads than cores would only make each sign-in slower.
PASSWORD_THREADS = os.cpu_count() or 1
PASSWORD_THREAD_NAME = "workbench-password"


class PasswordPool:
    """The bounded pool password work runs in; ``await pool.run(call, *args)``. Its threads
    start with the first call after each ``close()`` (the app's shutdown): an app may be
    served, stopped and served again."""

    def __init__(self, threads: int = PASSWORD_THREADS):
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix=PASSWORD_THREAD_NAME)
        return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


def _sign_in(wb: "Workbench", username: str, password: str, client: str) -> tuple[str, str, str | None]:
    """Check the password and open a session: the new session's token, where the user lands
    and the interface language they chose (if any)."""
    actor = auth_handlers.sign_in(wb, username, password, client=client)
    return wb.open_session(actor), auth_handlers.landing(actor), actor.ui_language


def router(signer: SessionSigner, settings: "Settings", passwords: PasswordPool) -> APIRouter:
    """``/login``, ``/logout`` and ``/apply``; ``signer`` signs the cookie a sign-in sets,
    ``settings`` gives its ``Secure`` rule, ``passwords`` is where passwords are checked
    and hashed."""
    routes = APIRouter()

    @routes.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        actor = current_actor(request)
        if actor is not None:
            return RedirectResponse(auth_handlers.landing(actor), status_code=303)
        return HTMLResponse(login_page(language=request_language(request)))

    @routes.post("/login", response_class=HTMLResponse)
    async def login(request: Request, username: str = Form(""), password: str = Form("")) -> Response:
        try:
            session_token, landing, chosen = await passwords.run(_sign_in, workbench_of(request), username, password,
                                                client_address(request))
        except (AuthenticationFailed, TooManyAttempts, PermissionDenied) as error:
            language = request_language(request)
            page = login_page(language=language, login_error=refusal(error, language), username=username)
            return HTMLResponse(page, status_code=error_status(error), headers=retry_after(error))
        # Signing in again in the same browser replaces its session rather than adding one.
        await run_in_threadpool(close_browser_session, request, signer)
        response = RedirectResponse(landing, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            signer.issue(session_token),
            max_age=signer.max_age,
            httponly=True,
            samesite="lax",
            secure=cookie_secure(settings.cookie_secure, request),
        )
        if chosen is not None:  # this browser's pages (the Gradio ones too) follow the user's choice
            response.set_cookie(i18n.COOKIE, chosen, max_age=COOKIE_AGE, samesite="lax",
                                secure=cookie_secure(settings.cookie_secure, request))
        return response

    @routes.api_route("/logout", methods=["GET", "POST"])
    def logout(request: Request) -> Response:
        # The page's "Sign out" is a link (a GET); a link on another site must not sign anyone out.
        if request.headers.get("sec-fetch-site") == "cross-site":
            return RedirectResponse("/", status_code=303)
        close_browser_session(request, signer)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @routes.post("/apply", response_class=HTMLResponse)
    async def apply(request: Request, name: str = Form(""), username: str = Form(""), password: str = Form(""),
                    language: str = Form(""), bank_holder: str = Form(""),
                    document: UploadFile | None = File(None)) -> Response:
        return await _apply(passwords, request, name=name, username=username, password=password,
                            language=language, bank_holder=bank_holder, document=document)

    return routes


async def _apply(passwords: PasswordPool, request: Request, *, name: str, username: str, password: str,
                 language: str, bank_holder: str, document: UploadFile | None) -> Response:
    """``POST /apply``: an application from the login page, answered with the page again."""
    form = {"name": name, "username": username, "language": language, "bank_holder": bank_holder}
    wb = workbench_of(request)
    # Read one byte past the limit so the store sees an oversized file and refuses it.
    content = await document.read(wb.policy.max_document_bytes + 1) if document is not None else b""
    try:
        # Hashing the password and writing the file stay off the event loop, in the
        # password pool. A taken username is answered like any received application
        # (no enumeration).
        await passwords.run(
            wb.submit_application,
            username=username.strip(),
            password=password,
            name=name,
            language=language,
            document_name=(document.filename or "") if document is not None else "",
            document=content,
            bank_holder=bank_holder,
            client=client_address(request),
        )
    except WorkbenchError as error:
        language = request_language(request)
        page = login_page(language=language, apply_error=refusal(error, language), apply_form=form)
        return HTMLResponse(page, status_code=error_status(error), headers=retry_after(error))
    return HTMLResponse(login_page(language=request_language(request), apply_done=True))
