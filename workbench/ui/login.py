"""The sign-in page: our own login form beside the application form, and its routes
(sign in, sign out, apply). The session these open is ``ui/session``'s business.
"""

from __future__ import annotations

import asyncio
import functools
import html
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from workbench.ui.errors import error_status, retry_after
from workbench.ui.handlers import auth as auth_handlers
from workbench.ui.session import (
    SESSION_COOKIE,
    SessionSigner,
    client_address,
    close_browser_session,
    cookie_secure,
    current_actor,
    workbench_of,
)
from workbench.ui.wiring import LANGUAGE_NAMES
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


def _sign_in(wb: "Workbench", username: str, password: str, client: str) -> tuple[str, str]:
    """Check the password and open a session: the new session's token and where the user lands."""
    actor = auth_handlers.sign_in(wb, username, password, client=client)
    return wb.open_session(actor), auth_handlers.landing(actor)


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
        return HTMLResponse(login_page())

    @routes.post("/login", response_class=HTMLResponse)
    async def login(request: Request, username: str = Form(""), password: str = Form("")) -> Response:
        try:
            session_token, landing = await passwords.run(_sign_in, workbench_of(request), username, password,
                                                client_address(request))
        except (AuthenticationFailed, TooManyAttempts, PermissionDenied) as error:
            page = login_page(login_error=str(error), username=username)
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
    async def apply(
        request: Request,
        name: str = Form(""),
        username: str = Form(""),
        password: str = Form(""),
        language: str = Form(""),
        bank_holder: str = Form(""),
        document: UploadFile | None = File(None),
    ) -> Response:
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
            page = login_page(apply_error=str(error), apply_form=form)
            return HTMLResponse(page, status_code=error_status(error), headers=retry_after(error))
        return HTMLResponse(login_page(apply_done=True))

    return routes


LOGIN_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif;
       color: #1f2933; background: #f4f6f8; }
main { max-width: 960px; margin: 6vh auto; padding: 0 20px; display: grid; gap: 28px;
       grid-template-columns: minmax(0, 1fr) minmax(0, 1.3fr); }
@media (max-width: 760px) { main { grid-template-columns: 1fr; } }
header { grid-column: 1 / -1; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 14px; }
header p, .hint { color: #52606d; margin: 0; }
section { background: #fff; border: 1px solid #dde3e9; border-radius: 10px; padding: 24px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
input, select { width: 100%; padding: 9px 11px; font: inherit; border: 1px solid #c3ccd5;
                border-radius: 6px; background: #fff; }
input:focus, select:focus { outline: 2px solid #3b82f6; outline-offset: 0; border-color: #3b82f6; }
button { margin-top: 18px; width: 100%; padding: 10px; font: inherit; font-weight: 600;
         border: 0; border-radius: 6px; background: #2563eb; color: #fff; cursor: pointer; }
button.secondary { background: #e7ecf2; color: #1f2933; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 14px; }
.error { background: #fdecec; color: #8a1c1c; border: 1px solid #f5c2c2; padding: 9px 12px;
         border-radius: 6px; margin-bottom: 6px; }
.done { background: #e8f5ec; color: #1d5b32; border: 1px solid #b9e0c5; padding: 9px 12px;
        border-radius: 6px; margin-bottom: 6px; }
"""


def _option(code: str, label: str, selected: str) -> str:
    chosen = " selected" if code == selected else ""
    return f'<option value="{html.escape(code)}"{chosen}>{html.escape(label)}</option>'


def login_page(
    *,
    login_error: str = "",
    username: str = "",
    apply_error: str = "",
    apply_form: dict[str, str] | None = None,
    apply_done: bool = False,
) -> str:
    """The sign-in form beside the application form, as one self-contained HTML page."""
    form = {key: html.escape(value) for key, value in (apply_form or {}).items()}
    languages = "".join(
        _option(code, name, (apply_form or {}).get("language", ""))
        for code, name in LANGUAGE_NAMES.items()
    )
    login_message = f'<p class="error" role="alert">{html.escape(login_error)}</p>' if login_error else ""
    if apply_done:
        apply_message = (
            '<p class="done" role="status">Thank you. Your application was received; an '
            "administrator will review it and you can sign in once it is approved. If you cannot "
            "sign in after a few days, your username may already be in use: apply again with another "
            "one.</p>"
        )
    elif apply_error:
        apply_message = f'<p class="error" role="alert">{html.escape(apply_error)}</p>'
    else:
        apply_message = ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · workbench</title><style>{LOGIN_CSS}</style></head>
<body><main>
<header><h1>Speech data workbench</h1>
<p>Transcribe, review and prepare speech recordings.</p></header>
<section aria-labelledby="signin">
  <h2 id="signin">Sign in</h2>
  {login_message}
  <form id="signin-form" method="post" action="/login">
    <label for="login-username">Username</label>
    <input id="login-username" name="username" autocomplete="username" required autofocus
           value="{html.escape(username)}">
    <label for="login-password">Password</label>
    <input id="login-password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
  </form>
</section>
<section aria-labelledby="apply">
  <h2 id="apply">Apply to work with us</h2>
  <p class="hint">Transcribers and reviewers work in one language. We check your identity
  document before the account opens.</p>
  {apply_message}
  <form id="apply-form" method="post" action="/apply" enctype="multipart/form-data">
    <div class="row">
      <div><label for="apply-name">Full name</label>
        <input id="apply-name" name="name" required value="{form.get('name', '')}"></div>
      <div><label for="apply-language">Language</label>
        <select id="apply-language" name="language" required>{languages}</select></div>
    </div>
    <div class="row">
      <div><label for="apply-username">Username</label>
        <input id="apply-username" name="username" autocomplete="off" required
               value="{form.get('username', '')}"></div>
      <div><label for="apply-password">Password</label>
        <input id="apply-password" name="password" type="password" autocomplete="new-password"
               required></div>
    </div>
    <label for="apply-bank">Bank account holder</label>
    <input id="apply-bank" name="bank_holder" required value="{form.get('bank_holder', '')}">
    <label for="apply-document">Identity document (PDF or image)</label>
    <input id="apply-document" name="document" type="file" accept=".pdf,.png,.jpg,.jpeg,.webp" required>
    <button type="submit" class="secondary">Send application</button>
  </form>
</section>
</main></body></html>"""
