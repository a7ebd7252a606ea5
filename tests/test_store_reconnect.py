"""A PostgreSQL server that drops the workbench's connections (a restart, a failover, an
administrator's pg_terminate_backend) costs no request: pooled connections are not pinged
on every checkout any more, so the pool must notice a dropped one another way."""

from __future__ import annotations

import pytest
import sqlalchemy

from tests.builders import signed_in
from workbench.store import db
from workbench.ui.server import create_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url):
    """PostgreSQL only: SQLite has no server to restart."""
    return postgres_url


def drop_every_connection(url: str) -> int:
    """What a restarted server does to the workbench's pooled connections: closes them all."""
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.begin() as connection:
            return len(connection.execute(sqlalchemy.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())
    finally:
        engine.dispose()


def test_a_request_right_after_the_database_dropped_its_connections_is_answered(wb, wb_people, wb_clip,
                                                                               database_url):
    wb_clip()
    task = wb.claim_next(wb_people.tina).id
    browser = signed_in(create_app(wb, secret=b"test-secret-for-signing-sessions"), "tina")
    assert browser.get(f"/api/work/tasks/{task}").status_code == 200
    assert drop_every_connection(database_url) >= 1
    assert browser.get(f"/api/work/tasks/{task}").status_code == 200
    assert browser.get(f"/api/work/tasks/{task}").status_code == 200


def test_a_connection_dropped_while_idle_in_the_pool_is_replaced_before_use(wb, database_url, monkeypatch):
    with wb.store.reading_connection() as connection:
        connection.execute(sqlalchemy.text("SELECT 1"))
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert drop_every_connection(database_url) >= 1
    with wb.store.reading_connection() as connection:
        assert connection.execute(sqlalchemy.text("SELECT 1")).scalar() == 1


def test_a_connection_in_steady_use_is_not_pinged(wb, database_url):
    statements: list[str] = []
    sqlalchemy.event.listen(wb.store.engine, "before_cursor_execute",
                            lambda _c, _cur, statement, *_: statements.append(statement))
    pings = []
    original = wb.store.engine.dialect.do_ping
    wb.store.engine.dialect.do_ping = lambda connection: pings.append(1) or original(connection)
    try:
        for _ in range(5):
            with wb.store.reading_connection() as connection:
                connection.execute(sqlalchemy.text("SELECT 1"))
    finally:
        del wb.store.engine.dialect.do_ping
    assert pings == []
    assert len(statements) == 5
