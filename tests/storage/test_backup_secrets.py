"""A database password never reaches a command line: while `pg_dump` and `pg_restore` run
against the suite's PostgreSQL server (with a password in the URL), no process on the machine
shows it in its arguments (what `ps` prints to every user), and the backup still works."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage.backup import backup, restore
from storage.database import Database
from tests.pg_server import find_bindir

PASSWORD = "s3cretPW-9f2k"


def with_password(url: str) -> str:
    # The suite's server trusts local connections: the password is carried, never checked.
    return url.replace(
        "postgresql+psycopg://postgres@", f"postgresql+psycopg://postgres:{PASSWORD}@"
    )


def command_lines() -> list[str]:
    """Every process's arguments, as `ps -eo args` reads them."""
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            lines.append(raw.replace(b"\0", b" ").decode("utf-8", "replace"))
    return lines


class Watch:
    """Reads every command line over and over until told to stop; keeps the ones that match."""

    def __init__(self, *names: str) -> None:
        self.names = names
        self.seen: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.seen += [
                line for line in command_lines() if any(name in line for name in self.names)
            ]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


@pytest.fixture(autouse=True)
def slow_pg_tools(tmp_path, monkeypatch):
    """pg_dump and pg_restore of the suite's server, each started by a small script that waits
    a moment before it becomes the real tool: long enough for the watch to read its arguments
    (the script's own arguments are the tool's)."""
    real = find_bindir()
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("pg_dump", "pg_restore"):
        script = tools / name
        script.write_text(f'#!/bin/sh\nsleep 0.5\nexec "{real / name}" "$@"\n')
        script.chmod(0o755)
    monkeypatch.setenv("STORYCART_PG_BIN", str(tools))


def test_pg_dump_and_pg_restore_never_show_the_password(postgres_server, tmp_path):
    source = with_password(postgres_server.fresh_database())
    Database.open(source).close()  # a Story Cart database
    target = tmp_path / "team.backup"
    fresh = with_password(postgres_server.fresh_database())
    with Watch("pg_dump", "pg_restore") as watch:
        assert backup(source, target) == "postgresql"
        restore(target, fresh)
    assert any("--file" in line for line in watch.seen)  # pg_dump was seen running
    assert any("--exit-on-error" in line for line in watch.seen)  # and pg_restore
    assert not [line for line in watch.seen if PASSWORD in line]
    assert not [line for line in command_lines() if PASSWORD in line]
    database = Database.open(fresh)  # restored: the password reached the tools another way
    database.close()
