"""Reading a database URL without importing SQLAlchemy: the CLI asks which file a command is
about to create before the first frame, and SQLAlchemy alone takes a quarter of a second to load.
Parses the way `sqlalchemy.engine.make_url` does (tests compare the two)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from app.domain.redact import redact_text
from storage.errors import DatabaseUnavailable

_URL = re.compile(
    r"""
    (?P<name>[\w+]+)://
    (?:[^:/]*(?::[^@]*)?@)?
    (?:(?:\[[^/?]+\]|[^/:?]+)?(?::[^/?]*)?)?
    (?:/(?P<database>[^?]*))?
    (?:\?.*)?
    """,
    re.X,
)


def bad_url(url: str) -> DatabaseUnavailable:
    url = redact_text(url)  # what the user meant may still carry a password
    return DatabaseUnavailable(
        f"{url!r} is not a database URL (use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/NAME).",
        "storage.bad_url",
        url=url,
    )


def backend_name(url: str) -> str:
    """`sqlite`, `postgresql`, … — the part of the scheme before any `+driver`."""
    match = _URL.match(url)
    if match is None:
        raise bad_url(url)
    return match["name"].split("+", 1)[0]


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite URL, or None for other databases and in-memory SQLite."""
    if backend_name(url) != "sqlite":
        return None
    database = _URL.match(url)["database"]
    if database is None:
        return None
    database = unquote(database)
    return None if database in ("", ":memory:") else Path(database)


def libpq_conninfo(url: str) -> str:
    """A PostgreSQL URL as libpq (psycopg) takes it: the scheme without SQLAlchemy's `+driver`,
    the rest (password, host, query) as written — storage.engine.libpq_url without SQLAlchemy."""
    if backend_name(url) != "postgresql":
        raise bad_url(url)
    return "postgresql://" + url.split("://", 1)[1]
