"""storage.urls reads database URLs the way SQLAlchemy does, without loading SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.errors import DatabaseUnavailable
from storage.urls import backend_name, sqlite_path

URLS = [
    "sqlite:///relative/cart.db",
    "sqlite:////var/lib/storycart/cart.db",
    "sqlite+pysqlite:////tmp/a%20b/%ED%95%9C.db",
    "sqlite:////tmp/카트 데이터/cart.db",
    "sqlite:///cart.db?mode=ro",
    "sqlite://",
    "sqlite:///:memory:",
    "sqlite:///",
    "postgresql+psycopg://oncall:s3cr%40t@db.example:5432/storycart",
    "postgresql://[::1]:5432/storycart",
]


@pytest.mark.parametrize("url", URLS)
def test_the_same_file_and_backend_as_sqlalchemy(url):
    parsed = make_url(url)
    expected = (
        Path(parsed.database)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
        else None
    )
    assert sqlite_path(url) == expected
    assert backend_name(url) == parsed.get_backend_name()


@pytest.mark.parametrize("url", ["cart.db", "", "://nothing", "/tmp/cart.db"])
def test_a_path_that_is_not_a_url_is_one_sentence(url):
    with pytest.raises(DatabaseUnavailable, match="is not a database URL"):
        sqlite_path(url)


def test_the_cli_reaches_the_tui_without_loading_sqlalchemy():
    """Everything before the board's first frame — parsing the arguments, the settings and the
    database file about to be created — stays clear of SQLAlchemy (a quarter of a second)."""
    probe = (
        "import sys\n"
        "import app.cli.main\n"
        "import app.cli.run as run\n"
        "cli = sys.modules['app.cli.main']\n"
        "run.cmd_run = cli.cmd_run = lambda settings, args, kiosk=False: 0\n"
        "assert cli.main(['--db', 'sqlite:////nonexistent-dir/x.db', '--lang', 'en']) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://oncall:s3cr%40t@db.example:5432/storycart",
        "postgresql://[::1]:5432/storycart",
        "postgresql+psycopg://postgres@/storycart_1?host=/tmp/storycart-pg/data",
        "postgresql+psycopg:///카트",
    ],
)
def test_the_same_libpq_url_as_the_engine_gives_psycopg(url):
    """The team board's first look connects with psycopg alone (storage.first_look): libpq
    reads the same connection from both (SQLAlchemy percent-encodes more, as libpq allows)."""
    from psycopg.conninfo import conninfo_to_dict

    from storage.engine import libpq_url
    from storage.urls import libpq_conninfo

    assert conninfo_to_dict(libpq_conninfo(url)) == conninfo_to_dict(libpq_url(url))
