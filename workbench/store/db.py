"""Engines, sessions and schema upgrades.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout,
and every writing transaction starts with ``BEGIN IMMEDIATE``: writers queue up at the
start instead of failing halfway when two of them try to upgrade a read lock at once.
``Store.reading()`` transactions start deferred and run beside a writer.
PostgreSQL is reached through psycopg 3 (``postgresql+psycopg://...``). A pooled connection
is checked with a ping only after it sat idle ``PING_AFTER_IDLE_SECONDS`` (not on every
checkout: that was a round trip per transaction); one that a restarted server dropped while
busy fails its first statement, which makes SQLAlchemy discard the whole pool, and the
session read every request starts with (``Store.read``) tries once more on a fresh one.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATION_LOCK_ID = 0x776F726B  # any constant shared by every workbench process
READ_ONLY_OPTION = "workbench_read_only"
_HOLDS_WRITE_LOCK = "workbench_holds_write_lock"
PING_AFTER_IDLE_SECONDS = 10.0
RECYCLE_SECONDS = 3600  # a connection older than this is replaced (server-side idle limits)
_IDLE_SINCE = "workbench_idle_since"
T = TypeVar("T")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the workbench's connection settings applied."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _configure_sqlite(dbapi_connection, _record) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit
            # transactions start too late for a reliable write lock).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            _enable_wal(cursor)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        # This process's writers queue here, in order, for SQLite's one write lock: waiting in
        # SQLite's busy handler instead means sleeping in steps of up to 100 ms, so under a
        # burst (120 claims at once) most of the time went on sleeping past a free lock.
        # Other processes (the queue worker) still meet at BEGIN IMMEDIATE's busy timeout.
        writing = threading.Lock()

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            # Readers take no lock up front, so in WAL mode they run beside a writer.
            if connection.get_execution_options().get(READ_ONLY_OPTION, False):
                connection.exec_driver_sql("BEGIN DEFERRED")
                return
            if not writing.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise sqlite3.OperationalError("database is locked (by another writer of this process)")
            connection.info[_HOLDS_WRITE_LOCK] = True
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _release(connection)
                raise

        def _release(connection) -> None:
            if connection.info.pop(_HOLDS_WRITE_LOCK, False):
                writing.release()

        event.listen(engine, "commit", _release)
        event.listen(engine, "rollback", _release)
        return engine
    engine = create_engine(url, pool_recycle=RECYCLE_SECONDS)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Before handing out a connection that sat idle in the pool, check it is still open; a
    dropped one is replaced (``DisconnectionError`` makes the pool connect afresh)."""

    @event.listens_for(engine, "checkin")
    def _idle(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the pooled connection was closed") from error


def _enable_wal(cursor) -> None:
    """Switch the file to WAL (a no-op once it is). On a brand-new file, processes switching
    at the same instant can deadlock on the lock upgrade, which SQLite reports at once as
    "database is locked" without waiting; so wait and try again here."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def alembic_config(engine: Engine):
    """An Alembic ``Config`` pointing at our migrations and at ``engine``'s database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade_schema(engine: Engine, revision: str = "heads") -> None:
    """Bring the database to the newest schema (every area's migrations)."""
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # The web app and its workers start together: let one process migrate at a time.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Store:
    """The database of one workbench: an engine and a session factory over it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._reading_engine = engine.execution_options(**{READ_ONLY_OPTION: True})
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(self._reading_engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> "Store":
        store = cls(make_engine(url))
        if upgrade:
            upgrade_schema(store.engine)
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it does not queue behind writers.
        Writing in it is a bug (it could fail with "database is locked")."""
        with self._readers.begin() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """``session()`` without the ORM, for the hot paths that run a few Core statements
        (a claim, a session lookup): one transaction on a plain connection."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """``reading()`` without the ORM: a read-only transaction on a plain connection."""
        with self._reading_engine.begin() as connection:
            yield connection

    def read(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` in ``reading_connection()``; once more if the connection
        turned out dropped (the database server restarted), which also renewed the pool."""
        try:
            with self.reading_connection() as connection:
                return work(connection)
        except exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with self.reading_connection() as connection:
            return work(connection)

    def close(self) -> None:
        self.engine.dispose()
