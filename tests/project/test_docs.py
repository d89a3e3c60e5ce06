"""The README documents what the program offers: every command and every setting.

Walks the ``atlas`` click group (commands and sub-commands) and the variables of
:mod:`atlas.config`; each must appear in README.md — a command as ``atlas NAME`` in the
*Command line* block, a variable in the *Configuration* table with its default.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from atlas import config
from atlas.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of a ``## title`` section of the README, up to the next one."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def command_paths(group: click.Group, prefix: str = "atlas") -> list[str]:
    """``atlas NAME`` for every command, ``atlas GROUP SUB`` for every sub-command."""
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append(path)
        if isinstance(command, click.Group):
            found += command_paths(command, path)
    return found


COMMANDS = command_paths(main)
CONFIG_ROWS = {match.group(1): match.group(2) for match in re.finditer(
    r"^\| `(ATLAS_[A-Z_]+)` \| (.*?) \|", section("Configuration"), re.M)}


def test_the_walk_finds_commands_and_sub_commands():
    assert "atlas import" in COMMANDS and "atlas roles grant" in COMMANDS


@pytest.mark.parametrize("path", COMMANDS)
def test_command_is_in_readme_command_line_block(path):
    block = section("Command line")
    assert re.search(rf"^{re.escape(path)}(?![\w-])", block, re.M), (
        f"`{path}` is not shown in README.md's 'Command line' block")


@pytest.mark.parametrize("variable", config.VARIABLES, ids=lambda v: v.name)
def test_variable_is_in_readme_configuration_table(variable):
    assert variable.name in CONFIG_ROWS, (
        f"{variable.name} is read by atlas.config but not listed in README.md's table")


@pytest.mark.parametrize("variable", config.VARIABLES, ids=lambda v: v.name)
def test_configuration_table_shows_the_default(variable):
    shown = variable.default or "(unset)"
    assert shown in CONFIG_ROWS.get(variable.name, ""), (
        f"README.md's row for {variable.name} does not give its default {shown!r}")


def test_configuration_table_lists_only_variables_that_are_read():
    assert set(CONFIG_ROWS) == {v.name for v in config.VARIABLES}


def test_every_atlas_variable_in_the_code_is_declared_in_config():
    """No module reads an ``ATLAS_*`` variable that the configuration does not declare."""
    root = Path(__file__).resolve().parents[2]
    sources = [*root.joinpath("atlas").rglob("*.py"), *root.joinpath("app_pages").rglob("*.py"),
               root / "app.py"]
    mentioned = set()
    for source in sources:
        mentioned |= set(re.findall(r"\bATLAS_[A-Z][A-Z_]*[A-Z]\b", source.read_text("utf-8")))
    declared = {v.name for v in config.VARIABLES}
    assert mentioned - declared <= {"ATLAS_ROLE_PASSWORD"}  # a user-chosen name, documented
