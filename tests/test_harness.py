"""The test harness itself: both databases are real and reachable."""

import sqlalchemy as sa


def test_each_database_accepts_a_connection(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select 1 + 1")).scalar_one() == 2
    engine.dispose()
