"""The web answer to a ``Workbench`` refusal: its HTTP status and a ``{"detail": ...}`` body."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from workbench.ui import i18n
from workbench.ui.language import request_language
from workbench.workflow.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QueueUnavailable,
    TooManyAttempts,
    WorkbenchError,
    Worded,
)

ERROR_STATUS: dict[type[WorkbenchError], int] = {
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    NotFound: 404,
    InvalidInput: 422,
    TooManyAttempts: 429,
    QueueUnavailable: 503,
}


def tr(message: str) -> str:
    """Marks a refusal for the catalogue (gettext's ``N_``); ``refusal`` translates it."""
    return message


# The workflow's refusals a worker meets on the sign-in page and the task pages, word for
# word as it raises them: answered in the reader's language (any other message in English).
WORKER_REFUSALS = (
    tr("Wrong username or password."),
    tr("Your session has ended. Please sign in again."),
    tr("Your application was not approved, so this account cannot sign in."),
    tr("Your application is still being reviewed; you can sign in once it is approved."),
    tr("This account has been closed, so it cannot sign in; ask an admin."),
    tr("This account cannot sign in."),
    tr("Your account is not approved yet."),
    tr("Your account has no language; ask an admin."),
    tr("Your account no longer exists."),
    tr("You cannot review your own work."),
    tr("Only a reviewer can do this."),
    tr("Only a transcriber can do this."),
    tr("Sign in first."),
    tr("Give your name."),
    tr("The password must not contain your username."),
    tr("A username is 2-64 letters, digits, '.', '_' or '-', starting with a letter or digit."),
    tr("We cannot take more applications right now; please try again in a few days."),
)


def refusal(error: WorkbenchError, language: str) -> str:
    """The refusal's message in ``language`` when it was ``worded`` (its template and params,
    a worded param translated too) or is one of ``WORKER_REFUSALS``."""
    if error.template:
        return i18n.translate(language, error.template, **{
            name: i18n.translate(language, value.template, **value.params) if isinstance(value, Worded) else value
            for name, value in error.params.items()})
    message = str(error)
    return i18n.translate(language, message) if message in WORKER_REFUSALS else message


def retry_after(error: WorkbenchError) -> dict[str, str]:
    wait = getattr(error, "retry_after", None)
    return {"Retry-After": str(int(wait))} if wait else {}


def error_status(error: WorkbenchError) -> int:
    for kind, status in ERROR_STATUS.items():
        if isinstance(error, kind):
            return status
    return 409


async def workbench_error(request: Request, error: WorkbenchError) -> JSONResponse:
    return JSONResponse({"detail": refusal(error, request_language(request))}, status_code=error_status(error))


async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422, as one readable ``detail``. The input is never echoed: NaN or an
    unpaired surrogate in it cannot be written as JSON (FastAPI's default answer was a 500)."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return JSONResponse({"detail": f"Invalid request: {problems}"}, status_code=422)
