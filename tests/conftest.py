"""Shared fixtures: a real SQLite file and a real PostgreSQL database per test, and a real
Redis database for the queue.

``scripts/test`` starts a throwaway PostgreSQL cluster and a throwaway Redis server and
exports ``WORKBENCH_TEST_POSTGRES_URL`` and ``WORKBENCH_TEST_REDIS_URL``. Without them (a
quick local run) the PostgreSQL and Redis cases are skipped, and the run ends with a
WARNING line counting them; under CI (``CI=true``) a missing server is an error, never a skip.
The worlds tests build (people, clips, reviews) come from ``tests/builders.py``.
"""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest

from tests.builders import SPANS, SettableClock, add_admin, add_people, cheap_policy, open_workbench, processed_clip

POSTGRES_URL_ENV = "WORKBENCH_TEST_POSTGRES_URL"


def _postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_URL_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_URL_ENV} is not set: run the suite through scripts/test")
        pytest.skip(f"{POSTGRES_URL_ENV} not set (scripts/test starts a throwaway server)")
    return url


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    base = base.rsplit("/", 1)[0] + "/" + name
    return f"{base}?{query}" if query else base


@contextlib.contextmanager
def _fresh_postgres_database(prefix: str):
    """Creates an empty database on the throwaway server, yields its URL, drops it after."""
    import psycopg

    admin_url = _postgres_admin_url()
    name = prefix + uuid.uuid4().hex[:12]
    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with _fresh_postgres_database("t_") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    """A real SQLite file in the test's own directory."""
    return f"sqlite:///{tmp_path / 'workbench.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request):
    """Runs a test once on a SQLite file and once on a real PostgreSQL database."""
    return request.getfixturevalue(f"{request.param}_url")


# --- workflow fixtures: a Workbench per backend, people, a settable clock -----------------


class _NeverHeldBack:
    """The holdback's draw, pinned so that no ordinary task is held back from drafts."""

    @staticmethod
    def random() -> float:
        return 1.0


@pytest.fixture(scope="session", autouse=True)
def no_draft_holdback():
    """A test that drafts a task expects its drafts: no ordinary task is held back from
    drafts (workflow/holdback.py) unless the test swaps the draw back in, as
    tests/test_holdback.py does. Session-wide, so module fixtures (the demo) are pinned too."""
    from workbench.workflow.holdback import Holdback

    drawn = Holdback.holdback_random
    Holdback.holdback_random = _NeverHeldBack()
    yield
    Holdback.holdback_random = drawn



@pytest.fixture
def wb_clock():
    from datetime import datetime, timezone

    return SettableClock(datetime(2026, 3, 2, 4, 59, tzinfo=timezone.utc))


@pytest.fixture
def wb(database_url, tmp_path, wb_clock):
    """A Workbench on a fresh database (once per backend) and data directory. Imports are
    queued but not run (``wb.queue.queued``); password hashing is cheap."""
    from workbench.queue import RecordingQueue

    workbench = open_workbench(tmp_path / "data", database_url=database_url, clock=wb_clock, queue=RecordingQueue())
    yield workbench
    workbench.close()


@pytest.fixture
def wb_reopen(wb, database_url, wb_clock):
    """``wb_reopen(**policy)``: another Workbench on the same database and data directory
    (another process, or other rules), cheap hashing unless overridden; closed afterwards."""
    opened = []

    def reopen(**policy):
        opened.append(open_workbench(wb.data_dir, database_url=database_url, clock=wb_clock, queue=wb.queue,
                                     policy=cheap_policy(**policy)))
        return opened[-1]

    yield reopen
    for workbench in opened:
        workbench.close()


@pytest.fixture
def wb_people(wb):
    """admin; ko transcribers tina and tom; ko reviewer rita; ko reviewer+transcriber bo;
    en transcriber ed and en reviewer eve. Every password is ``builders.PASSWORD``."""
    from types import SimpleNamespace

    admin = add_admin(wb)
    cast = {"tina": ({"transcriber"}, "ko"), "tom": ({"transcriber"}, "ko"), "rita": ({"reviewer"}, "ko"),
            "bo": ({"reviewer", "transcriber"}, "ko"), "ed": ({"transcriber"}, "en"), "eve": ({"reviewer"}, "en")}
    return SimpleNamespace(admin=admin, **add_people(wb, admin, cast))


@pytest.fixture
def wb_clip(wb, wb_people):
    """``wb_clip(spans=[(0, 2), ...], language="ko", priority=0)`` registers a processed clip
    (no audio) and returns its task id."""

    def register(spans=SPANS, *, language="ko", priority=0, project="acme"):
        return processed_clip(wb, wb_people.admin, filename=f"clip-{language}-{priority}.wav", language=language,
                              project=project, spans=spans, priority=priority)

    return register


# --- module fixtures: one database per module, for tests that only read it ----------------


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_database_url(request, tmp_path_factory):
    """Like ``database_url``, but shared by the tests of one module on each backend: for
    modules that build a store once and then only read it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'workbench.db'}"
        return
    with _fresh_postgres_database("m_") as url:
        yield url


# --- Redis queue fixtures: a real Redis server, one clean database per test ------------------

REDIS_URL_ENV = "WORKBENCH_TEST_REDIS_URL"
# The tests' own database number on the throwaway server, away from the default 0.
REDIS_TEST_DB = 1


@pytest.fixture
def redis_url():
    """``redis://host:port/1`` on the throwaway server ``scripts/test`` starts, emptied
    before and after the test (skipped without the server, an error under CI)."""
    import redis

    server = os.environ.get(REDIS_URL_ENV, "")
    if not server:
        if os.environ.get("CI"):
            pytest.fail(f"{REDIS_URL_ENV} is not set: run the suite through scripts/test")
        pytest.skip(f"{REDIS_URL_ENV} not set (scripts/test starts a throwaway server)")
    url = f"{server.rstrip('/')}/{REDIS_TEST_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


# --- forked children: which the test made, and whether they are gone -------------------------

class Forks(list):
    """The pids of the children ``os.fork`` made during a test."""

    def gone(self) -> bool:
        """Every one has exited and been reaped (a zombie still answers signal 0)."""
        for pid in self:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            return False
        return True


@pytest.fixture
def forks(monkeypatch) -> Forks:
    made, fork = Forks(), os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return made


# --- a run without PostgreSQL or Redis says so at its end, not only in a row of "s" ---------

SERVICES = {POSTGRES_URL_ENV: "PostgreSQL", REDIS_URL_ENV: "Redis"}


def pytest_terminal_summary(terminalreporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    for env, service in SERVICES.items():
        missed = sum(1 for report in skipped if env in str(report.longrepr))
        if missed:
            terminalreporter.write_line(
                f"WARNING: {missed} {service} case(s) were SKIPPED because {env} is not set: this run says "
                f"nothing about {service}. scripts/test starts a throwaway server; under CI=true it is an error.",
                yellow=True, bold=True)
