"""Engine factory for the embedded SQLite file and for a team PostgreSQL server."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.domain.redact import redact_url
from storage.errors import DatabaseUnavailable
from storage.urls import bad_url, sqlite_path
from storage.write_gate import gated_connection

__all__ = ["create_sqlite_file", "libpq_command_url", "libpq_url", "make_engine", "sqlite_path"]

SQLITE_BUSY_TIMEOUT_MS = 5000
PG_CONNECT_S = 5  # a team server that has not answered a new connection by then is away


def _parse(url: str):
    try:
        return make_url(url)
    except ArgumentError:
        raise bad_url(url) from None


def libpq_url(url: str) -> str:
    """A PostgreSQL URL as libpq (psql, pg_dump, psycopg) takes it: postgresql://…, password
    and all — for a connection made in this process, never for a command line."""
    return _parse(url).set(drivername="postgresql").render_as_string(hide_password=False)


def libpq_command_url(url: str) -> tuple[str, dict[str, str]]:
    """A PostgreSQL URL for a child process's arguments (pg_dump, pg_restore), which `ps` shows
    to every user: without its password, and the environment (PGPASSWORD) that carries it."""
    parsed = _parse(url).set(drivername="postgresql")
    password = parsed.password
    query = dict(parsed.query)
    password = query.pop("password", None) or password
    if isinstance(password, tuple):
        password = password[-1]
    bare = URL.create(  # set() keeps a password given as None: a new URL without one
        "postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, query
    )
    environment = {"PGPASSWORD": str(password)} if password is not None else {}
    return bare.render_as_string(hide_password=False), environment


def create_sqlite_file(path: Path) -> bool:
    """Create the folder (0700) and an empty database file readable by its owner only (0600);
    True when the file is new. A path that cannot hold a database is one sentence."""
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise DatabaseUnavailable(
            f"Cannot create the database {path}: {blocker} is a file, not a folder.",
            "storage.under_a_file",
            path=str(path),
            blocker=str(blocker),
        )
    if path.is_dir():
        raise DatabaseUnavailable(
            f"Cannot use {path} as the database: it is a folder.",
            "storage.is_folder",
            path=str(path),
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False  # already there, or another thread / process created it a moment ago
    except PermissionError:
        folder = next((p for p in path.parents if p.exists()), path.parent)
        raise DatabaseUnavailable(
            f"Cannot create the database {path}: no permission to write in {folder}.",
            "storage.no_permission",
            path=str(path),
            folder=str(folder),
        ) from None
    except OSError as error:
        raise DatabaseUnavailable(
            f"Cannot create the database {path}: {error.strerror or error}."
        ) from None
    os.close(descriptor)
    return True


def make_engine(url: str) -> Engine:
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        connect_args: dict = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        if path is not None:
            create_sqlite_file(path)
            connect_args["factory"] = gated_connection(path)
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # libpq waits for a server that takes the connection and never answers as long as it
        # takes (a board's quit waited for one forever); a URL's own connect_timeout wins.
        limit = {} if "connect_timeout" in parsed.query else {"connect_timeout": PG_CONNECT_S}
        return create_engine(parsed, pool_pre_ping=True, connect_args=limit)
    raise DatabaseUnavailable(
        f"Story Cart stores data in SQLite or PostgreSQL, not {backend!r} ({redact_url(url)}).",
        "storage.unsupported",
        backend=backend,
        url=redact_url(url),
    )


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
