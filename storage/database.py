"""An opened, migrated database: the one object the rest of the app holds for storage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from storage.engine import make_engine
from storage.schema import upgrade_schema


class Database:
    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Database:
        """Refuse unreadable or too-new databases, apply pending migrations, then connect."""
        engine = make_engine(url)
        try:
            upgrade_schema(url, engine)
        except Exception:
            engine.dispose()
            raise
        return cls(url, engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
