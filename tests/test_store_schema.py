"""The store: schema upgraded by Alembic at start-up, SQLite tuned, datetimes aware UTC."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from workbench.store.db import Store
from workbench.store.models import AuditEntry, Base

CONTRACT_TABLES = {"users", "applications", "clips", "tasks", "segments", "revisions", "verdicts", "plays",
                   "penalties", "audit_log", "login_attempts"}


def test_opening_creates_every_contract_table_at_the_initial_revision(database_url):
    store = Store.open(database_url)
    inspector = sa.inspect(store.engine)
    assert CONTRACT_TABLES <= set(inspector.get_table_names())
    with store.engine.connect() as conn:
        versions = {row[0] for row in conn.execute(sa.text("select version_num from alembic_version"))}
    # Later areas chain their revisions on 0001_initial; the head is whichever is newest.
    assert len(versions) == 1
    from alembic.script import ScriptDirectory

    from workbench.store.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(store.engine))
    assert "0001_initial" in {rev.revision for rev in script.iterate_revisions(versions.pop(), "base")}
    store.close()


def test_the_migrations_build_exactly_the_models(database_url):
    store = Store.open(database_url)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    store.close()


def test_opening_again_is_harmless(database_url):
    Store.open(database_url).close()
    store = Store.open(database_url)
    assert CONTRACT_TABLES <= set(sa.inspect(store.engine).get_table_names())
    store.close()


@pytest.mark.parametrize("pragma, expected", [("journal_mode", "wal"), ("foreign_keys", 1),
                                              ("busy_timeout", 30000)])
def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite_url, pragma, expected):
    store = Store.open(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
    store.close()


def test_a_foreign_key_violation_is_refused(sqlite_url):
    store = Store.open(sqlite_url)
    with pytest.raises(sa.exc.IntegrityError):
        with store.session() as session:
            session.add(AuditEntry(at=datetime.now(timezone.utc), actor_id=999, action="x", entity="x", entity_id=1))
    store.close()


def test_datetimes_come_back_aware_utc_whatever_zone_went_in(database_url):
    store = Store.open(database_url)
    seoul = timezone(timedelta(hours=9))
    with store.session() as session:
        session.add(AuditEntry(at=datetime(2026, 3, 2, 14, 0, tzinfo=seoul), action="x", entity="x", entity_id=1))
    with store.session() as session:
        at = session.scalars(sa.select(AuditEntry.at)).one()
    assert at == datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc) and at.tzinfo == timezone.utc
    store.close()


def test_a_naive_datetime_is_refused(sqlite_url):
    store = Store.open(sqlite_url)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        with store.session() as session:
            session.add(AuditEntry(at=datetime(2026, 3, 2, 14, 0), action="x", entity="x", entity_id=1))
    store.close()


def test_processes_starting_together_upgrade_once(database_url):
    """The web app and its worker open the store at the same moment on a fresh database."""
    import threading

    barrier, errors, stores = threading.Barrier(3), [], []

    def start():
        barrier.wait()
        try:
            stores.append(Store.open(database_url))
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(stores) == 3
    for store in stores:
        store.close()


def test_on_sqlite_a_reader_is_not_held_up_by_an_open_write_transaction(sqlite_url):
    store = Store.open(sqlite_url)
    with store.session() as writer:
        writer.add(AuditEntry(at=datetime.now(timezone.utc), action="x", entity="x", entity_id=1))
        writer.flush()
        with store.reading() as reader:
            # The uncommitted row is invisible, and the read does not wait for the writer.
            assert reader.scalars(sa.select(AuditEntry)).all() == []
    with store.reading() as reader:
        assert len(reader.scalars(sa.select(AuditEntry)).all()) == 1
    store.close()
