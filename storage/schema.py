"""Schema versions through Alembic: check, upgrade, and refuse databases this code cannot read.

A database written by a newer Story Cart, or a file that is not a Story Cart database, is refused
before anything writes to it: SQLite files are first inspected through a read-only connection.
"""

from __future__ import annotations

import fcntl
import functools
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from storage.engine import make_engine, sqlite_path
from storage.errors import DatabaseUnavailable, NotADatabase, SchemaTooNew

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x5C0_2CA27
# Alembic's `op` and `context` are process-wide proxies: two threads migrating at once would run
# one thread's DDL on the other's connection (seen as a segfault). One migration at a time.
_MIGRATION_LOCK = threading.Lock()


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


_REVISION_LINE = re.compile(r'^(revision|down_revision)\b[^=\n]*=\s*"([^"]*)"', re.MULTILINE)


@functools.cache
def revision_graph() -> dict[str, str | None]:
    """Each migration's revision and the one it follows, read from the migration files' own
    lines: loading Alembic takes longer than the board's first read, and it is only needed to
    migrate (tests check this agrees with Alembic's own script directory)."""
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            graph[found["revision"]] = found.get("down_revision")
    return graph


def head_revision() -> str:
    graph = revision_graph()
    heads = set(graph) - set(graph.values())
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def known_revisions() -> set[str]:
    return set(revision_graph())


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if self.current is None:
            return f"empty database; `storycart db upgrade` will create schema {self.head}"
        if self.up_to_date:
            return f"schema {self.current} is up to date"
        return f"schema {self.current} is older than {self.head}; run `storycart db upgrade`"


def _sqlite_revision_readonly(path: Path) -> str | None:
    if not path.exists() or path.stat().st_size == 0:
        return None
    if path.is_dir():
        raise NotADatabase(str(path), "it is a directory")
    # The header is read through SQLite, never with open(): closing a plain file descriptor
    # of a database drops every POSIX lock this process's SQLite connections hold on it, and
    # another process may then delete the WAL under them ("disk I/O error").
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise NotADatabase(str(path), str(error)) from None
    try:
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as error:
            if "not a database" in str(error):
                raise NotADatabase(str(path), "it is not an SQLite file") from None
            raise
        if "alembic_version" not in tables:
            if tables:
                raise NotADatabase(str(path), "it holds tables that Story Cart did not create")
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as error:
        raise NotADatabase(str(path), str(error)) from None
    finally:
        connection.close()


def _revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if "alembic_version" not in tables:
                if tables:
                    raise NotADatabase(
                        engine.url.render_as_string(hide_password=True),
                        "it holds tables that Story Cart did not create",
                    )
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as error:
        raise _unavailable(engine, error) from None


def _unavailable(engine: Engine, error: SQLAlchemyError) -> DatabaseUnavailable:
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    where = engine.url.render_as_string(hide_password=True)
    return DatabaseUnavailable(
        f"Cannot open the database {where}: {reason}.",
        "storage.cannot_open",
        where=where,
        reason=reason,
    )


def _guard(revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise SchemaTooNew(revision)


def inspect_schema(url: str, engine: Engine | None = None) -> SchemaStatus:
    """What schema the database holds; raises SchemaTooNew / NotADatabase without writing."""
    path = sqlite_path(url)
    if path is not None:
        revision = _sqlite_revision_readonly(path)
    elif engine is not None:
        revision = _revision(engine)
    else:
        engine = make_engine(url)
        try:
            revision = _revision(engine)
        finally:
            engine.dispose()
    _guard(revision)
    return SchemaStatus(current=revision, head=head_revision())


def upgrade_schema(url: str, engine: Engine | None = None) -> tuple[SchemaStatus, SchemaStatus]:
    """Apply every migration up to head; returns the status before and after."""
    with _MIGRATION_LOCK:
        own_engine = engine is None
        engine = engine or make_engine(url)
        path = sqlite_path(url)
        try:
            if path is not None:
                inspect_schema(url, engine)  # refuse a file that is not ours before any lock
            with _file_lock(path) if path is not None else nullcontext():
                before = inspect_schema(url, engine)
                if not before.up_to_date:
                    _migrate(engine)
        finally:
            if own_engine:
                engine.dispose()
    return before, SchemaStatus(current=head_revision(), head=head_revision())


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Keep other processes from migrating the same SQLite file at the same time.

    The lock is taken on a file beside the database, never on the database itself: closing
    a descriptor of the database would drop the POSIX locks SQLite holds on it.
    """
    lock_path = path.with_name(path.name + ".migrate-lock")
    descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    with os.fdopen(descriptor, "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _migrate(engine: Engine) -> None:
    from alembic import command

    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Two processes starting on one empty team database must not both migrate it;
                # whoever waited re-reads the revision the winner left behind.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
                has_versions = connection.execute(
                    text("SELECT to_regclass('alembic_version') IS NOT NULL")
                ).scalar()
                if has_versions:
                    _guard(
                        connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                    )
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as error:
        raise _unavailable(engine, error) from None
