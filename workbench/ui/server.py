"""The web server: the whole app for one ``Workbench``, assembled (``create_app``).

Its parts live beside it, one job each: ``session`` (the signed cookie, ``SessionGate`` and
the dependencies telling routes who is signed in), ``login`` (the sign-in page and its
routes), ``files`` (permission-checked media and documents), ``work_api`` (the task pages'
JSON), ``errors`` (refusals as HTTP answers), ``body_limit``, ``origin`` and
``gradio_gate`` (the middleware and the Gradio app mounted behind them), and ``serve``
(``workbench serve``). The names tests and the CLI use are importable from here too.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from workbench.ui import earnings_page, files, language, login, queue_page, vendor
from workbench.ui import gradio_i18n
from workbench.ui.app import APP_CSS, APP_THEME
from workbench.ui.body_limit import BodyLimit, body_limits
from workbench.ui.gradio_gate import GradioPages
from workbench.ui.origin import SameOriginOnly
from workbench.ui.errors import invalid_request, workbench_error
from workbench.ui.session import SESSION_COOKIE, SessionGate, SessionSigner, load_secret, session_username  # noqa: F401
from workbench.ui.work_api import STATIC_PREFIX, router as work_router
from workbench.ui.senior_api import router as senior_router
from workbench.ui.double_api import router as double_router
from workbench.workflow import media
from workbench.workflow.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.workflow.service import Workbench

STATIC_DIR = Path(__file__).parent / "static"


def _static_head() -> str:
    """Link every stylesheet and script of ``ui/static`` into the Gradio page."""
    if not STATIC_DIR.is_dir():
        return ""
    tags = []
    for path in sorted(STATIC_DIR.iterdir()):
        url = f"{STATIC_PREFIX}/{path.name}"
        if path.suffix == ".css":
            tags.append(f'<link rel="stylesheet" href="{url}">')
        elif path.suffix == ".js":
            tags.append(f'<script src="{url}"></script>')
    return "\n".join(tags)


class AssetFiles(StaticFiles):
    """``ui/static``. A versioned URL (``?v=``, work_api.versioned_assets) names one version
    of a file for good, so the browser keeps it without asking again; an upgrade changes
    the URL. ``private``: the files are served to signed-in users only."""

    def file_response(self, full_path, stat_result, scope, status_code=200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response


def create_app(wb: "Workbench", *, secret: bytes | None = None, settings: "Settings | None" = None) -> FastAPI:
    """The whole web app for one ``Workbench``: login, sessions, media, JSON API, Gradio UI.

    ``secret`` signs the session cookies; by default it is kept in ``wb.data_dir``. The
    sessions themselves live in the database, so both survive a restart. ``settings`` gives
    the cookie's ``Secure`` rule and the allowed origins (default: the environment's).
    """
    from workbench.config import Settings

    settings = settings or Settings.from_env(data_dir=wb.data_dir)
    signer = SessionSigner(secret if secret is not None else load_secret(Path(wb.data_dir)),
                           max_age=int(wb.policy.session_lifetime.total_seconds()))
    app = FastAPI(title="workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, limit_for=body_limits(wb.policy))
    app.add_middleware(SessionGate, signer=signer, wb=wb)
    # Added last, so it runs first: a cross-site request is refused before anything else.
    app.add_middleware(SameOriginOnly, allowed_origins=settings.allowed_origins)
    app.add_exception_handler(WorkbenchError, workbench_error)
    app.add_exception_handler(RequestValidationError, invalid_request)

    passwords = login.PasswordPool()
    app.include_router(login.router(signer, settings, passwords))
    app.include_router(language.router(settings))
    app.include_router(files.router)
    app.include_router(work_router)
    app.include_router(senior_router)
    app.include_router(double_router)
    app.include_router(vendor.router)
    app.include_router(queue_page.router)
    app.include_router(earnings_page.router)
    app.mount(STATIC_PREFIX, AssetFiles(directory=STATIC_DIR, check_dir=False), name="ui-static")
    # Everything else is the Gradio UI: each user's own app, behind GradioPages' checks.
    pages = GradioPages(wb, auth_dependency=session_username, show_error=False, ssr_mode=False,
                        footer_links=[], head=_static_head(), css=APP_CSS, theme=APP_THEME,
                        i18n=gradio_i18n.translations())
    app.mount("/", pages)
    serving = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        threading.Thread(target=media.warm_up, name="warm-media", daemon=True).start()
        async with serving(app) as state:
            try:
                yield state
            finally:
                passwords.close()
                await pages.aclose()

    app.router.lifespan_context = lifespan
    return app
