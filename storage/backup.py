"""Backups of the whole database and their restore into a fresh one.

SQLite: SQLite's online backup API, page by page from a consistent snapshot while the app and
the daemon go on writing; the backup is itself a Story Cart database file. PostgreSQL: pg_dump's
custom format (the newest pg_dump on this machine), restored with pg_restore. A restore only
goes into an empty database — it never merges into, or overwrites, data already there — and
refuses a backup of the other kind or of a newer schema in one sentence, changing nothing.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect

from app.domain.redact import redact_text
from storage.engine import create_sqlite_file, libpq_command_url, make_engine, sqlite_path
from storage.errors import StorageError
from storage.schema import head_revision, inspect_schema

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(StorageError):
    exit_code = 1


def backup(url: str, target: Path) -> str:
    """Write a backup of the database at `url` to `target` (which must not exist); returns
    what kind it is ("sqlite" or "postgresql")."""
    if target.exists():
        raise BackupError(
            f"{target} exists already; a backup never overwrites a file.",
            "storage.backup_exists",
            path=str(target),
        )
    path = sqlite_path(url)
    if path is not None:
        _sqlite_backup(path, target)
        return "sqlite"
    _pg_dump(url, target)
    return "postgresql"


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(
            f"There is no database {source}.", "storage.no_database", path=str(source)
        )
    inspect_schema(f"sqlite:///{source}")  # a Story Cart database, not newer than this app
    create_sqlite_file(target)  # 0600 in a 0700 folder, like the database itself
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as origin:
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy, pages=1024)  # yields between steps: writers are not held up
        finally:
            copy.close()


def _pg_binary(name: str) -> str:
    """STORYCART_PG_BIN's, else the newest Debian server's, else the one on PATH."""
    chosen = os.environ.get("STORYCART_PG_BIN")
    if chosen and (Path(chosen) / name).exists():
        return str(Path(chosen) / name)
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found; install PostgreSQL's client tools to back up a team database.",
            "storage.no_pg_tool",
            tool=name,
        )
    return found


def _pg_status(url: str):
    engine = make_engine(url)
    try:
        return inspect_schema(url, engine)
    finally:
        engine.dispose()


def _pg_dump(url: str, target: Path) -> None:
    _pg_status(url)  # a Story Cart database, not newer than this app
    command = [_pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    where, password = libpq_command_url(url)  # the password in the environment, not in argv
    _run([*command, "--file", str(target), "--dbname", where], "pg_dump", password)
    os.chmod(target, 0o600)


def _run(command: list[str], tool: str, environment: dict[str, str]) -> None:
    """`environment`: added to this process's (PGPASSWORD), which only its user can read."""
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, env={**os.environ, **environment}
    )
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        detail = redact_text(detail)
        raise BackupError(
            f"{tool} failed: {detail}", "storage.pg_tool_failed", tool=tool, detail=detail
        )


def backup_kind(source: Path) -> str:
    """ "sqlite" or "postgresql", by the file's first bytes; one sentence otherwise."""
    try:
        with source.open("rb") as file:
            head = file.read(16)
    except FileNotFoundError:
        raise BackupError(
            f"There is no file {source}.", "storage.no_backup", path=str(source)
        ) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{source} is not a Story Cart backup (neither SQLite nor pg_dump's custom format).",
        "storage.not_a_backup",
        path=str(source),
    )


def restore(source: Path, url: str) -> None:
    """Restore the backup `source` into the empty database at `url`."""
    kind = backup_kind(source)
    path = sqlite_path(url)
    wanted = "sqlite" if path is not None else "postgresql"
    if kind != wanted:
        raise BackupError(
            f"{source} is a {kind} backup; restore it into a {kind} database.",
            "storage.backup_other_kind",
            path=str(source),
            kind=kind,
        )
    if path is not None:
        _sqlite_restore(source, path)
    else:
        _pg_restore(source, url)


def _sqlite_restore(source: Path, path: Path) -> None:
    status = inspect_schema(f"sqlite:///{source}")  # too new or not ours: refused here
    if status.current is None:
        raise BackupError(
            f"{source} holds no Story Cart data.", "storage.empty_backup", path=str(source)
        )
    if path.exists() and path.stat().st_size > 0:
        _refuse_non_empty(f"sqlite:///{path}")
    create_sqlite_file(path)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as origin:
        copy = sqlite3.connect(path)
        try:
            origin.backup(copy)
        finally:
            copy.close()


def _pg_restore(source: Path, url: str) -> None:
    revision = _pg_backup_revision(source)
    if revision is None:
        raise BackupError(
            f"{source} holds no Story Cart data.", "storage.empty_backup", path=str(source)
        )
    if revision > head_revision():
        raise BackupError(
            f"The backup's schema {revision} is newer than this app's; upgrade the app. "
            "Nothing was changed.",
            "storage.backup_too_new",
            revision=revision,
        )
    _refuse_non_empty(url)
    command = [_pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    where, password = libpq_command_url(url)
    _run([*command, "--dbname", where, str(source)], "pg_restore", password)


def _pg_backup_revision(source: Path) -> str | None:
    """The schema revision a pg_dump archive holds, read without restoring it."""
    command = [_pg_binary("pg_restore"), "--data-only", "--table", "alembic_version", "-f", "-"]
    done = subprocess.run([*command, str(source)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    lines = done.stdout.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            value = lines[number + 1].strip()
            return value if value and value != "\\." else None
    return None


def _refuse_non_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            "A backup is restored only into an empty database; this one holds tables. "
            "Nothing was changed.",
            "storage.restore_not_empty",
        )
