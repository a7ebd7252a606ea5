"""The web answer to a ``Workbench`` refusal: its HTTP status and a ``{"detail": ...}`` body."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from workbench.workflow.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QueueUnavailable,
    TooManyAttempts,
    WorkbenchError,
)

ERROR_STATUS: dict[type[WorkbenchError], int] = {
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    NotFound: 404,
    InvalidInput: 422,
    TooManyAttempts: 429,
    QueueUnavailable: 503,
}


def retry_after(error: WorkbenchError) -> dict[str, str]:
    wait = getattr(error, "retry_after", None)
    return {"Retry-After": str(int(wait))} if wait else {}


def error_status(error: WorkbenchError) -> int:
    for kind, status in ERROR_STATUS.items():
        if isinstance(error, kind):
            return status
    return 409


async def workbench_error(request: Request, error: WorkbenchError) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=error_status(error))


async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422, as one readable ``detail``. The input is never echoed: NaN or an
    unpaired surrogate in it cannot be written as JSON (FastAPI's default answer was a 500)."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return JSONResponse({"detail": f"Invalid request: {problems}"}, status_code=422)
