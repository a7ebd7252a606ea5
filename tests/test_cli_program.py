"""The `workbench` program itself: one-line errors for what the user can mend, a traceback for
bugs, no database or drafts engine loaded for `workbench process`, and the exit it takes."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from workbench.audio.errors import AudioError
from workbench.cli import main
from workbench.cli.common import fail_cleanly

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = REPO_ROOT / "sample_data" / "ko_call.mp3"


def run_raising(error: BaseException):
    """Run a command that raises ``error`` as the CLI runs it; the CliRunner result."""
    app = typer.Typer()

    @app.command()
    @fail_cleanly
    def command() -> None:
        raise error

    return CliRunner().invoke(app, [])


def database_error():
    from sqlalchemy.exc import OperationalError

    return OperationalError("SELECT 1", {}, Exception("attempt to write a readonly database"))


def drafts_error():
    from workbench.drafts.errors import DraftEngineError

    return DraftEngineError("the whisper engine is not installed: pip install -e .[drafts]")


def queue_error():
    import sqlite3

    return sqlite3.OperationalError("unable to open database file")


@pytest.mark.parametrize(("make", "line"), [
    (lambda: AudioError("clip.mp4: cannot be read as audio"), "error: clip.mp4: cannot be read as audio"),
    (database_error, "error: cannot use the database: attempt to write a readonly database"),
    (drafts_error, "error: the whisper engine is not installed: pip install -e .[drafts]"),
    (queue_error, "error: cannot use the queue's database: unable to open database file"),
    (lambda: PermissionError(13, "Permission denied", "/srv/data"), "error: Permission denied: /srv/data"),
], ids=["audio", "database", "drafts-engine", "queue", "os"])
def test_an_error_the_user_can_mend_is_one_line_and_exit_1(make, line):
    result = run_raising(make())
    assert result.exit_code == 1
    assert result.output.strip() == line


def test_a_bug_is_not_dressed_as_a_user_error():
    result = run_raising(KeyError("segments"))
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)
    assert "error:" not in result.output


def test_workbench_process_loads_neither_the_database_layer_nor_the_drafts_engine(tmp_path):
    # Each costs the command's start a tenth of a second or more, for errors it cannot raise.
    probe = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from workbench.cli import app\n"
        f"result = CliRunner().invoke(app, ['process', {str(SAMPLE)!r}, '--language', 'ko', '--out', {str(tmp_path / 'out')!r}])\n"
        "print(json.dumps([result.exit_code, sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'"
        " or m.startswith('workbench.drafts'))]))\n"
    )
    found = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout.strip().splitlines()[-1]) == [0, []]


def test_the_program_leaves_what_it_imported_to_the_operating_system(monkeypatch):
    # The interpreter's last collection would walk every imported module's objects (0.1 s
    # of `workbench process`'s exit); frozen, it does not look at them.
    monkeypatch.setattr(sys, "argv", ["workbench", "--help"])
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
