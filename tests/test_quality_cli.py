"""``workbench quality``: run the sweeps, list the steps, lift one, grant the senior role."""

from __future__ import annotations

from tests.test_cli_admin import add_admin, cli  # noqa: F401 (the fixture)


def test_the_quality_commands_run_list_lift_and_grant_with_clean_errors(cli):  # noqa: F811
    add_admin(cli)
    added = cli("users", "add", "rev", "--name", "Rev", "--role", "reviewer", "--language", "ko",
                "--password", "quiet-lantern-57")
    assert added.exit_code == 0
    ran = cli("quality", "run")
    assert ran.exit_code == 0 and "0 overdue rework task(s) released" in ran.output
    assert cli("quality", "list").output == ""
    granted = cli("quality", "senior", "rev")
    assert granted.exit_code == 0 and granted.output == "rev is a senior reviewer\n"
    assert cli("quality", "senior", "rev", "--revoke").output == "rev is no longer a senior reviewer\n"
    assert cli("quality", "accuracy").output == "rev ko (nothing checked yet): 0/0 confirmed, accuracy -\n"
    assert cli("quality", "accuracy", "--project", "acme", "--user", "rev").output == (
        "rev ko acme: 0/0 confirmed, accuracy -\n")
    missing = cli("quality", "lift", "7", "--reason", "why")
    assert missing.exit_code == 1 and missing.output.startswith("error: There is no suspension 7")
    future = cli("quality", "run", "--day", "2999-01-01")
    assert future.exit_code == 1 and "over" in future.output
    assert cli("quality", "run", "--day", "yesterday").exit_code == 2
