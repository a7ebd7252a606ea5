"""The admin CLI: users add|approve|deactivate|reactivate|list, clips import|list|retry, tasks list, audit."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "ko_call.mp3"

# Input validation happens before any query, so one backend is enough for these tables.
ONE_BACKEND = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)



@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    """``cli("users", "list")`` runs the command on a fresh store; returns the result."""
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", database_url)
    monkeypatch.delenv("WORKBENCH_QUEUE_URL", raising=False)
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return run


def add_admin(cli):
    return cli("users", "add", "root", "--name", "Root", "--role", "admin", "--password", "quiet-lantern-57")


def test_the_first_account_bootstraps_an_admin_then_admins_add_workers(cli):
    assert add_admin(cli).output == "created root (admin)\n"
    added = cli("users", "add", "bo", "--name", "Bo", "--role", "reviewer", "--role", "transcriber",
                "--language", "ko", "--password", "quiet-lantern-57")
    assert added.exit_code == 0 and "created bo (reviewer, transcriber, ko)" in added.output
    listed = cli("users", "list")
    assert listed.output == ("bo               reviewer,transcriber   ko  approved  grade new  max 2 held 0 "
                             "returned - penalties 0 (0 won)\n")


def test_the_password_can_be_typed_at_a_prompt(cli):
    result = cli("users", "add", "root", "--name", "Root", "--role", "admin", input="quiet-lantern-57\nquiet-lantern-57\n")
    assert result.exit_code == 0 and "created root" in result.output


@ONE_BACKEND
@pytest.mark.parametrize("args, message", [
    (["clips", "import", str(SAMPLE), "--language", "fr", "--project", "acme"], "Unknown language"),
    (["users", "approve", "nobody"], "No user"),
    (["clips", "retry", "7"], "No clip 7"),
    (["tasks", "list", "--state", "done"], "Unknown task state"),
    (["tasks", "release", "3", "--reason", "left"], "No task 3"),
    (["users", "add", "x", "--name", "X", "--role", "transcriber", "--password", "quiet-lantern-57"], "language"),
])
def test_bad_input_is_a_one_line_error_and_exit_1(cli, args, message):
    add_admin(cli)
    result = cli(*args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_commands_need_an_admin_account(cli):
    result = cli("clips", "list")
    assert result.exit_code == 2 and "no admin account" in result.output


def test_import_queues_clips_and_lists_show_them(cli):
    add_admin(cli)
    imported = cli("clips", "import", str(SAMPLE), "--language", "ko", "--project", "acme", "--priority", "2")
    assert imported.exit_code == 0 and imported.output == "clip 1: ko_call.mp3 queued\n"
    assert cli("clips", "list").output == "    1 queued     ko acme             ko_call.mp3 0 segments \n"
    assert cli("tasks", "list").output == ""


def test_an_application_is_approved_from_the_cli(cli, database_url, tmp_path):
    from workbench.worker import open_queued

    add_admin(cli)
    wb = open_queued(database_url=database_url, data_dir=tmp_path / "data")
    wb.submit_application(username="minji", password="quiet-lantern-57", name="김민지", language="ko",
                          document_name="topik.pdf", document=b"%PDF", bank_holder="김민지")
    wb.close()
    assert "pending application #1: minji" in cli("users", "list").output
    assert cli("users", "approve", "minji").output == "minji: approved\n"
    assert cli("users", "approve", "minji").exit_code == 1


def test_an_account_is_closed_and_reopened_from_the_cli(cli):
    add_admin(cli)
    cli("users", "add", "mina", "--name", "Mina", "--role", "transcriber", "--language", "ko", "--password", "quiet-lantern-57")
    closed = cli("users", "deactivate", "mina", "--reason", "left the project")
    assert closed.output == "mina: deactivated; sessions ended: 0; tasks offered again: none\n"
    assert "deactivated" in cli("users", "list").output
    refused = cli("users", "deactivate", "mina", "--reason", "again")
    assert refused.exit_code == 1 and "only an approved account can be closed" in refused.output
    assert cli("users", "reactivate", "mina", "--reason", "back in January").output == "mina: approved\n"


def test_the_audit_log_is_read_from_the_cli(cli):
    add_admin(cli)
    cli("users", "add", "mina", "--name", "Mina", "--role", "transcriber", "--language", "ko", "--password", "quiet-lantern-57")
    cli("users", "deactivate", "mina", "--reason", "left the project")
    lines = cli("audit", "--limit", "2").output.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[2:4] == ["root", "user.deactivated"]
    assert lines[0].endswith("reason: left the project; sessions: 0")
    assert cli("audit", "--task", "9").exit_code == 1  # no such task


def test_a_worker_process_processes_what_was_imported(sqlite_url, tmp_path):
    import os
    import subprocess
    import sys
    import time

    from workbench.worker import open_queued

    env = os.environ | {"WORKBENCH_DATA_DIR": str(tmp_path / "data"), "WORKBENCH_DATABASE_URL": sqlite_url}
    env.pop("WORKBENCH_QUEUE_URL", None)
    wb = open_queued(database_url=sqlite_url, data_dir=tmp_path / "data")
    admin = wb.create_user(None, username="root", password="quiet-lantern-57", name="Root", roles={"admin"})
    clip = wb.import_clip(admin, filename=SAMPLE.name, source=SAMPLE, language="ko", project="acme")
    worker = subprocess.Popen([sys.executable, "-m", "workbench.cli", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while wb.clip(admin, clip.id).status in ("queued", "processing") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    done = wb.clip(admin, clip.id)
    assert (done.status, done.error) == ("ready", None) and done.segment_count >= 1
    wb.close()
