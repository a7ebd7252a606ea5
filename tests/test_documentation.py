"""Promises the README keeps: every command a user can type is documented there."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from workbench.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _command_paths(command, prefix: tuple[str, ...] = ()) -> list[str]:
    # typer ships its own click, so a group is recognised by having sub-commands.
    if getattr(command, "commands", None):
        paths = []
        for name, sub in command.commands.items():
            paths += _command_paths(sub, (*prefix, name))
        return paths
    return [" ".join(prefix)]


COMMANDS = _command_paths(typer.main.get_command(app))


def test_the_cli_has_the_commands_the_issues_name():
    for expected in ["process", "worker", "export", "serve", "demo", "users add", "users approve",
                     "users list", "clips import", "tasks list", "pay settle", "pay statement"]:
        assert expected in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command):
    assert f"workbench {command}" in README, f"README never shows `workbench {command}`"
