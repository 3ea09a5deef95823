"""A throwaway PostgreSQL server started by the test suite itself (no Docker, no running server).

Uses Debian's binaries (the `postgresql` package). initdb refuses to run as root, so as root the
server runs as the `postgres` user. The server listens only on a Unix socket in its data folder.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg


def find_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout
        if (Path(bindir.strip()) / "initdb").exists():
            return Path(bindir.strip())
    raise RuntimeError(
        "PostgreSQL server binaries were not found; install Debian's `postgresql` package "
        "(.ci/run does this)."
    )


class PostgresServer:
    def __init__(self) -> None:
        # Its own folder under /tmp: pytest's folders are private to root, and a Unix socket
        # path must stay under about 100 characters.
        self.base = Path(tempfile.mkdtemp(prefix="storycart-pg-"))
        self.data = self.base / "data"
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        self.data.mkdir(parents=True)
        if self.as_root:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.data, "postgres")
            self.base.chmod(0o755)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust",
                  "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        options = f"-k {self.data} -c listen_addresses='' -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.data / "server.log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.data}"

    def fresh_database(self) -> str:
        name = f"storycart_test_{next(self._names)}"
        with psycopg.connect(host=str(self.data), user="postgres", dbname="postgres",
                             autocommit=True) as connection:  # fmt: skip
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
