"""Shared fixtures: a real SQLite file and a real PostgreSQL database per test.

``scripts/test`` starts a throwaway PostgreSQL cluster and exports
``WORKBENCH_TEST_POSTGRES_URL``. Without it (a quick local run) the PostgreSQL cases are
skipped; under CI (``CI=true``) a missing server is an error, never a silent skip.
"""

from __future__ import annotations

import os
import uuid

import pytest

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


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    admin_url = _postgres_admin_url()
    name = "t_" + uuid.uuid4().hex[:12]
    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(admin_url, name)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path):
    """A real SQLite file in the test's own directory."""
    return f"sqlite:///{tmp_path / 'workbench.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request):
    """Runs a test once on a SQLite file and once on a real PostgreSQL database."""
    return request.getfixturevalue(f"{request.param}_url")
