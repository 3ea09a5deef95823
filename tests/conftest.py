"""Shared fixtures: isolated directories, settings, and a real PostgreSQL server for the session."""

from __future__ import annotations

import os
import time

# Must be set before Textual is imported anywhere in the test session.
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ.setdefault("TEXTUAL_DISABLE_KITTY_KEY", "1")
# Times on screen are in the user's zone; tests and snapshots read them in UTC.
os.environ["TZ"] = "UTC"

from pathlib import Path

import pytest

from app.config import Flags, Settings, load_settings
from tests.db_templates import copy_migrated_sqlite
from tests.pg_server import PostgresServer

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def utc_zone():
    time.tzset()  # applies TZ=UTC, set above, to this process


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Every test gets its own config and data dirs; nothing touches the real home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for variable in (
        "STORYCART_DB",
        "STORYCART_LANG",
        "STORYCART_POLICY",
        "STORYCART_CONFIG",
        "STORYCART_USER",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return tmp_path


@pytest.fixture
def receiver():
    """A real HTTP server recording what paging channels send it (tests/http_receiver.py)."""
    from tests.http_receiver import Receiver

    with Receiver() as server:
        yield server


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'storycart' / 'storycart.db'}"


def make_settings(tmp_path: Path, lang: str = "en", **flags) -> Settings:
    """Settings on tmp_path/test.db: a copy of the migrated template (tests/db_templates.py)
    unless the test put a database there first."""
    copy_migrated_sqlite(tmp_path / "test.db")
    return load_settings(
        Flags(db=f"sqlite:///{tmp_path / 'test.db'}", lang=lang, **flags), os.environ
    )


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    return postgres_server.fresh_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The same storage test on a real SQLite file and on a real PostgreSQL database, both
    already at the newest schema (copies of a template migrated once: tests/db_templates.py)."""
    if request.param == "sqlite":
        return f"sqlite:///{copy_migrated_sqlite(tmp_path / 'store.db')}"
    return request.getfixturevalue("postgres_server").migrated_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    """`database_url` with no schema yet: for the tests of the migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


def library_services(database, clock):
    """The four library services on one database, named as the app's Services names them."""
    from types import SimpleNamespace

    from app.services.library.cart import CartService
    from app.services.library.exchange import LibraryExchange
    from app.services.library.stories import StoryService
    from app.services.library.week import StoryWeek

    return SimpleNamespace(
        stories=StoryService(database, clock),
        week=StoryWeek(database, clock),
        cart=CartService(database, clock),
        exchange=LibraryExchange(database, clock),
    )


def pytest_sessionfinish(session):
    """The suite's CLI commands run warm after the first (app.cli.warm_server): the run that
    started the servers ends them, instead of leaving them idle for ten minutes."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller ends it once every worker has finished
    from app.cli.warm_client import socket_dir
    from app.cli.warm_control import stop_server

    # Every one: tests start the CLI in other locales (UTF-8 mode), which have servers of their own.
    for path in Path(socket_dir()).glob("cli-*.sock"):
        stop_server(str(path))
