"""The test harness itself: both databases are real and reachable, and a run without one says so."""

import sqlalchemy as sa


def test_each_database_accepts_a_connection(database_url):
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select 1 + 1")).scalar_one() == 2
    engine.dispose()


def _run_harness_without_postgres(**env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    env = {key: value for key, value in os.environ.items() if key not in ("WORKBENCH_TEST_POSTGRES_URL", "CI")} | env
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_harness.py",
                           "-k", "accepts_a_connection"], cwd=repo, env=env, capture_output=True, text=True)


def test_a_run_without_postgresql_ends_with_a_warning_and_under_ci_fails():
    quick = _run_harness_without_postgres()
    assert quick.returncode == 0, quick.stdout
    assert "WARNING: 1 PostgreSQL case(s) were SKIPPED" in quick.stdout
    ci = _run_harness_without_postgres(CI="true")
    assert ci.returncode != 0 and "WORKBENCH_TEST_POSTGRES_URL is not set" in ci.stdout
