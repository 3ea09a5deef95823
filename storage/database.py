"""An opened, migrated database: the one object the rest of the app holds for storage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from storage.engine import make_engine, sqlite_path
from storage.schema import upgrade_schema
from storage.team_notify import announce_writes


class Database:
    def __init__(self, url: str, engine: Engine, created: bool = False) -> None:
        self.url = url
        self.engine = engine
        self._sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)
        if engine.dialect.name == "postgresql":
            announce_writes(self._sessions)  # other laptops hear about every commit
        # True when this open made a new SQLite file (a typo in --db makes a new, empty one).
        self.created = created

    @classmethod
    def open(cls, url: str) -> Database:
        """Refuse unreadable or too-new databases, apply pending migrations, then connect."""
        path = sqlite_path(url)
        existed = path is None or path.exists()
        engine = make_engine(url)
        try:
            upgrade_schema(url, engine)
        except Exception:
            engine.dispose()
            raise
        return cls(url, engine, created=not existed)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
