"""Browser fixtures every end-to-end test shares.

``workbench_app`` seeds a demo store in a temporary data directory (``workbench demo
--no-serve``) and runs ``workbench serve`` on a free localhost port; ``serve`` also runs a
``workbench worker`` child, so uploads get processed. One app serves the whole session:
tests that change shared state should use their own clips or tasks.

Chromium is Debian's ``/usr/bin/chromium`` driven through Playwright's sync API.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.builders import PASSWORD, loud_then_quiet
from tests.serving import free_port, wait_until_serving
from workbench.demo import DemoLogin, demo_logins
from workbench.supervisor import stop_process

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 860}
THREE_SPANS = ((0.0, 3.0), (3.0, 6.0), (6.0, 9.0))
REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 120


def pytest_collection_modifyitems(items) -> None:
    """Everything under tests/e2e drives a real browser."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class RunningApp:
    """A served workbench: where it listens, where its data lives, and its demo logins."""

    base_url: str
    data_dir: Path
    env: dict[str, str]
    logins: tuple[DemoLogin, ...]

    def login_for(self, role: str, language: str | None = None) -> DemoLogin:
        return next(x for x in self.logins if x.role == role and x.language == language)


@pytest.fixture(scope="session")
def workbench_app(tmp_path_factory) -> Iterator[RunningApp]:
    data_dir = tmp_path_factory.mktemp("workbench-data")
    env = {key: value for key, value in os.environ.items() if not key.startswith("WORKBENCH_")}
    env.update(WORKBENCH_DATA_DIR=str(data_dir), GRADIO_ANALYTICS_ENABLED="False")
    seeding = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "demo", "--no-serve"],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
    )
    if seeding.returncode != 0:
        raise RuntimeError(f"workbench demo --no-serve failed:\n{seeding.stdout[-3000:]}\n{seeding.stderr[-3000:]}")
    port = free_port()
    log = open(data_dir / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "serve", "--port", str(port)],
        env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_serving(f"{base_url}/login", server, timeout=STARTUP_SECONDS)
        except RuntimeError as error:
            log.flush()
            raise RuntimeError(f"{error}; server log:\n{(data_dir / 'server.log').read_text()[-3000:]}") from None
        yield RunningApp(base_url=base_url, data_dir=data_dir, env=env, logins=tuple(demo_logins()))
    finally:
        stop_process(server, timeout=20)
        log.close()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM_PATH).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM_PATH} is missing: run the suite through scripts/test")
        pytest.skip(f"{CHROMIUM_PATH} is missing (scripts/test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, workbench_app) -> Iterator[Callable[[], object]]:
    """Opens pages in fresh browser contexts (one per user: separate cookies)."""
    contexts = []

    def open_page():
        context = chromium.new_context(base_url=workbench_app.base_url, viewport=VIEWPORT, locale="en-US")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, username: str, password: str, *, gradio: bool = True) -> None:
    """Sign in through the login page and wait until the app shows who is signed in.

    A transcriber or reviewer lands on the light queue page (``/work``); an admin on the
    Gradio app (``/``). With ``gradio`` (what most of these tests drive: the Gradio tabs are
    still there for every role) a worker then opens the Gradio app at ``/``."""
    page.goto("/login")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(re.compile(r"/(work)?$"))
    if gradio and page.url.endswith("/work"):
        page.goto("/")
    page.get_by_text("Signed in as").wait_for()


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, username, password)``: sign in and wait for the app."""
    return sign_in


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where the tests save their screenshots: a temporary folder, so a test run leaves the
    checkout as it was, or README's ``docs/screenshots`` when WORKBENCH_SCREENSHOTS_DIR
    names it (the way to refresh them)."""
    chosen = os.environ.get("WORKBENCH_SCREENSHOTS_DIR")
    directory = Path(chosen).resolve() if chosen else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def store(workbench_app):
    """The served app's store, opened beside it by the test process (jobs run at once)."""
    from workbench.worker import open_immediate

    wb = open_immediate(data_dir=workbench_app.data_dir)
    yield wb
    wb.close()


@pytest.fixture
def own_tasks(store, request, tmp_path) -> Callable[..., tuple]:
    """``own_tasks(prefix, project, *, priority, tasks=1, spans=THREE_SPANS)``: a Korean
    transcriber of this test's own (``<prefix>-<test name>``, password ``builders.PASSWORD``)
    holding ``tasks`` tasks over ``loud_then_quiet`` audio, each a clip ``<test name>-<n>.wav``;
    returns (transcriber, [task ids])."""

    def make(prefix: str, project: str, *, priority: int, tasks: int = 1, spans=THREE_SPANS):
        admin = store.actor("admin")
        name = request.node.name.removeprefix("test_")[:24].rstrip("_")
        me = store.create_user(admin, username=f"{prefix}-{name}", password=PASSWORD, name=name,
                               roles={"transcriber"}, language="ko")
        task_ids = []
        for n in range(tasks):
            store.register_processed_clip(admin, filename=f"{name}-{n}.wav", language="ko", project=project,
                                          duration=9.0, segments=list(spans), priority=priority,
                                          output_dir=loud_then_quiet(tmp_path / f"clip-{n}"))
            task_ids.append(store.claim_next(me).id)
        return me, task_ids

    return make
