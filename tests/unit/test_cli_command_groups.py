"""A command builds only its own group's parser: the table in app.cli.main must name every
command its module adds, and a command's parse must be the one the full parser makes."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from app.cli.main import COMMAND_GROUPS, build_parser, command_word


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_the_table_names_every_command_in_help_order():
    assert _choices(build_parser()) == [name for *_, names in COMMAND_GROUPS for name in names]


@pytest.mark.parametrize("group", COMMAND_GROUPS, ids=lambda group: group[0])
def test_each_group_alone_adds_exactly_its_commands(group):
    for name in group[2]:
        assert _choices(build_parser(name)) == list(group[2])


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        ([], ""),
        (["--db", "sqlite:///x.db", "--lang", "ko"], ""),
        (["--db=sqlite:///x.db", "incident", "list"], "incident"),
        (["--policy-file", "a.toml", "status", "--json"], "status"),
        (["--help"], None),
        (["--la", "en", "status"], None),  # an abbreviation: the full parser decides
        (["story", "search", "x"], "story"),
    ],
)
def test_the_command_word_is_read_past_the_global_options(argv, word):
    assert command_word(argv) == word


@pytest.mark.parametrize(
    "argv",
    [
        ["incident", "show", "INC-2026-0001", "--json"],
        ["--lang", "ja", "incident", "ack", "INC-1", "--actor", "mina"],
        ["status", "--json"],
        ["daemon", "install", "--print"],
        ["follow-ups"],
        [],
    ],
)
def test_a_commands_own_parser_reads_it_as_the_full_one_does(argv):
    full = vars(build_parser().parse_args(argv))
    lean = vars(build_parser(command_word(argv)).parse_args(argv))
    assert lean == full


def test_listing_incidents_never_imports_the_tui_or_other_commands():
    probe = (
        "import sys\n"
        "from app.cli.main import build_parser, command_word\n"
        "argv = ['incident', 'list']\n"
        "build_parser(command_word(argv)).parse_args(argv)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('textual', 'app.cli.'))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "textual" not in loaded
    assert "app.cli.story" not in loaded and "app.cli.intake" not in loaded
    assert "app.cli.incident" in loaded
