"""Databases already at the newest schema, for tests about what is stored rather than about
the migrations: Alembic runs once per test process (per xdist worker) into a template, and
each test gets a copy (a file copy for SQLite; for PostgreSQL see
`tests.pg_server.PostgresServer.migrated_database`). Migrating a new database takes a second or
more; copying the template a few milliseconds. The migrations themselves are tested on empty
databases (`empty_database_url`, `postgres_url`, tests/storage/test_policy_storage.py)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path


@functools.cache
def migrated_sqlite() -> Path:
    """The SQLite template: made (and migrated) by Database.open, as the app makes one."""
    from storage.database import Database

    folder = Path(tempfile.mkdtemp(prefix="storycart-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "migrated.db"
    Database.open(f"sqlite:///{path}").close()
    # The last connection closed checkpointed the write-ahead log into the file: it is whole.
    assert not path.with_name("migrated.db-wal").exists()
    return path


def copy_migrated_sqlite(path: Path) -> Path:
    """Put a copy of the template at ``path`` unless a database is there already (a test may
    have made its own); its permissions are the app's (0600), as copied."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(migrated_sqlite(), path)
    return path


_SEEDED: dict[tuple, tuple[Path, object]] = {}


def seeded_once(key: tuple, path: Path, seed) -> object:
    """The database `seed(folder)` fills at folder/test.db, seeded once per test process for
    `key` and copied to ``path`` for each test; returns what `seed` returned (the time its
    FakeClock showed when done). For the snapshot tests, which draw the same seeded board or
    postmortem in several languages, sizes and screens: seeding it took most of each test."""
    if key not in _SEEDED:
        folder = Path(tempfile.mkdtemp(prefix="storycart-seeded-"))
        atexit.register(shutil.rmtree, folder, True)
        made = seed(folder)
        # Every connection closed: the write-ahead log is in the file, which is whole.
        assert not (folder / "test.db-wal").exists()
        _SEEDED[key] = (folder / "test.db", made)
    source, made = _SEEDED[key]
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, path)
    return made
