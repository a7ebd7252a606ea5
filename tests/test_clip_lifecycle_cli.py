"""The clip lifecycle on the command line: `workbench clips import` refuses a file with the
same content as a clip unless --allow-duplicate, and withdraw, correct and reassign work
as on the admin page."""

from __future__ import annotations

from tests.test_cli_admin import SAMPLE, add_admin, cli  # noqa: F401  (the CLI fixture)


def test_import_refuses_the_same_content_twice_unless_allowed_and_imports_the_rest(cli, tmp_path):
    add_admin(cli)
    assert cli("clips", "import", str(SAMPLE), "--language", "ko", "--project", "acme").exit_code == 0
    other = tmp_path / "other.wav"
    other.write_bytes(b"RIFF other bytes")
    again = cli("clips", "import", str(SAMPLE), str(other), "--language", "ko", "--project", "acme")
    assert again.exit_code == 1
    assert "same content as clip #1 (ko_call.mp3, project acme)" in again.output
    assert "--allow-duplicate" in again.output and "clip 2: other.wav queued" in again.output
    assert "Traceback" not in again.output
    forced = cli("clips", "import", str(SAMPLE), "--language", "ko", "--project", "acme", "--allow-duplicate")
    assert forced.exit_code == 0 and forced.output == "clip 3: ko_call.mp3 queued\n"


def test_withdraw_and_correct_from_the_cli_say_what_happened_or_why_not(cli):
    add_admin(cli)
    cli("clips", "import", str(SAMPLE), "--language", "ko", "--project", "acme")
    corrected = cli("clips", "correct", "1", "--language", "en", "--reason", "English speech")
    assert corrected.exit_code == 0 and corrected.output == "clip 1: en acme task -\n"
    assert cli("clips", "withdraw", "1", "--reason", "cancelled").output == "clip 1: withdrawn\n"
    refused = cli("clips", "correct", "1", "--project", "globex", "--reason", "x")
    assert refused.exit_code == 1 and "withdrawn" in refused.output
    assert cli("tasks", "reassign", "1", "--to", "nobody", "--reason", "x").exit_code == 1
