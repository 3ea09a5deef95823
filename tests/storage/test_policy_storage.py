"""Storage on a real SQLite file and a real PostgreSQL database (same tests, both backends)."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from app.domain.clock import FakeClock
from app.domain.policy.model import LocalText
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.errors import NotADatabase, SchemaTooNew
from storage.schema import head_revision, inspect_schema, upgrade_schema

SEARCH = ("story_fts", "ix_story_search")
BUILTINS = load_policies(policy_sources(None)).policies


def test_upgrade_creates_the_schema_that_the_models_describe(empty_database_url):
    before, after = upgrade_schema(empty_database_url)
    assert before.current is None
    assert after.current == head_revision()
    database = Database.open(empty_database_url)
    postgres = database.engine.dialect.name == "postgresql"
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_name": lambda name, _kind, _parent: compared(name, postgres),
                "include_object": lambda _item, name, *_rest: compared(name, postgres),
            },
        )
        differences = compare_metadata(context, SQLModel.metadata)
        if postgres:
            newest = dict(
                connection.execute(
                    text(
                        "SELECT indexname, indexdef FROM pg_indexes "
                        "WHERE indexname LIKE 'ix_story_newest%'"
                    )
                ).all()
            )
    database.close()
    assert differences == []
    if postgres:  # the library's order as PostgreSQL reads it (migrations 0020 and 0023)
        assert newest["ix_story_newest"].endswith("(occurred_on DESC NULLS LAST, id DESC)")
        for script in ("hangul", "kana_han"):
            assert (
                "(occurred_on DESC NULLS LAST, id DESC) WHERE"
                in newest[f"ix_story_newest_{script}"]
            ), newest


def compared(name, postgres: bool) -> bool:
    """The search indexes are the database's own (FTS5 / pg_trgm), not part of the models; on
    PostgreSQL the library's order indexes are undated-last, which SQLite's DDL cannot say, and
    the Korean and Japanese ones partial (PostgreSQL's alone)."""
    return not str(name).startswith(SEARCH) and not (
        postgres and str(name).startswith("ix_story_newest")
    )


def test_upgrade_twice_changes_nothing(empty_database_url):
    upgrade_schema(empty_database_url)
    before, after = upgrade_schema(empty_database_url)
    assert before.up_to_date and after.up_to_date


def test_both_builtin_policies_come_back_equal_from_the_database(database_url):
    database = Database.open(database_url)
    store = PolicyVersions(database, FakeClock(datetime(2026, 11, 24, 9, 30, tzinfo=UTC)))
    for policy in BUILTINS.values():
        stored = store.snapshot(policy)
        loaded = store.load(policy.name)
        assert loaded.policy == policy
        assert loaded.version == stored.version == 1
        assert loaded.stored_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    database.close()


def test_a_changed_policy_gets_a_new_version_and_the_old_one_stays(database_url):
    database = Database.open(database_url)
    store = PolicyVersions(database, FakeClock())
    original = BUILTINS["web-service"]
    assert store.snapshot(original).version == 1
    assert store.snapshot(original).version == 1  # same content: no new version
    sev1 = original.severities[0]
    edited = replace(original, severities=(replace(sev1, response_s=300), *original.severities[1:]))
    assert store.snapshot(edited).version == 2
    assert store.load("web-service", 1).policy == original
    assert store.load("web-service").policy.severities[0].response_s == 300
    database.close()


def test_last_good_version_is_found_by_source_file(database_url):
    database = Database.open(database_url)
    store = PolicyVersions(database, FakeClock())
    policy = replace(BUILTINS["ai-ops"], title=LocalText.of({"en": "Ours", "ko": "우리"}))
    policy = replace(policy, source="/home/oncall/.config/storycart/policies/ours.toml")
    store.snapshot(policy)
    found = store.last_good_by_source()["/home/oncall/.config/storycart/policies/ours.toml"]
    assert found.policy == policy
    assert found.policy.title.get("ko") == "우리"
    database.close()


def test_a_database_from_a_newer_story_cart_is_refused(database_url):
    upgrade_schema(database_url)
    database = Database.open(database_url)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.close()
    with pytest.raises(SchemaTooNew) as refused:
        Database.open(database_url)
    assert "newer Story Cart (schema 9999)" in str(refused.value)
    with pytest.raises(SchemaTooNew):
        inspect_schema(database_url)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_too_new_sqlite_file_is_left_byte_for_byte_untouched(tmp_path):
    path = tmp_path / "newer.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);"
        "INSERT INTO alembic_version VALUES ('0042');"
        "CREATE TABLE incident_from_the_future (id INTEGER PRIMARY KEY, title TEXT);"
        "INSERT INTO incident_from_the_future VALUES (1, '결제 장애');"
    )
    connection.close()
    before = _digest(path)
    with pytest.raises(SchemaTooNew):
        Database.open(f"sqlite:///{path}")
    assert _digest(path) == before
    assert not Path(f"{path}-wal").exists()


def test_a_file_that_is_not_a_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("장애 회고 메모 — not a database\n", encoding="utf-8")
    before = _digest(path)
    with pytest.raises(NotADatabase) as refused:
        Database.open(f"sqlite:///{path}")
    assert "is not a Story Cart database" in str(refused.value)
    assert _digest(path) == before


def test_another_programs_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('a');"
    )
    connection.close()
    before = _digest(path)
    with pytest.raises(NotADatabase, match="tables that Story Cart did not create"):
        Database.open(f"sqlite:///{path}")
    assert _digest(path) == before


def test_new_sqlite_file_is_private_and_uses_wal_foreign_keys_and_busy_timeout(tmp_path):
    path = tmp_path / "nested" / "dir" / "storycart.db"
    database = Database.open(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    database.close()


def test_deleting_a_policy_version_removes_its_rows(database_url):
    database = Database.open(database_url)
    PolicyVersions(database, FakeClock()).snapshot(BUILTINS["ai-ops"])
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM policy"))
        remaining = connection.execute(text("SELECT count(*) FROM matrix_cell")).scalar()
    database.close()
    assert remaining == 0


def test_threads_opening_one_new_database_at_once_all_succeed(empty_database_url):
    # The app opens the database from worker threads; two at once must not race the migration.
    from concurrent.futures import ThreadPoolExecutor

    def open_and_store(_):
        database = Database.open(empty_database_url)
        try:
            return PolicyVersions(database, FakeClock()).snapshot(BUILTINS["ai-ops"]).version
        finally:
            database.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(open_and_store, range(8))) == [1] * 8


def test_upgrading_a_0001_database_keeps_its_policies(empty_database_url):
    from alembic import command

    from storage.engine import make_engine
    from storage.schema import _alembic_config

    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO policy (name, version, scheme, title, source, content_hash,"
                " created_at) VALUES ('old', 1, 'SEV', '\"옛 정책\"', '/old.toml', 'x',"
                " '2026-01-01 00:00:00')"
            )
        )
        policy_id = connection.execute(text("SELECT id FROM policy")).scalar()
        connection.execute(
            text(
                "INSERT INTO severity (policy_id, position, key, name, definition, response_s,"
                " update_every_s) VALUES (:id, 0, 'SEV-1', '\"치명적\"', '[]', 0, 900)"
            ),
            {"id": policy_id},
        )
    engine.dispose()
    before, after = upgrade_schema(empty_database_url)
    assert (before.current, after.current) == ("0001", head_revision())
    from sqlmodel import select

    from storage.tables import PolicyRecord, SeverityRecord

    database = Database.open(empty_database_url)
    with database.session() as session:
        severity = session.exec(select(SeverityRecord)).one()
        policy = session.exec(select(PolicyRecord)).one()
    database.close()
    assert (severity.key, severity.rounds, severity.ack_timeout_s) == ("SEV-1", 3, None)
    assert (policy.name, policy.title) == ("old", "옛 정책")


def test_the_revisions_read_from_the_files_are_alembics():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.schema import MIGRATIONS, known_revisions, revision_graph

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert head_revision() == script.get_current_head()
    assert revision_graph() == {
        revision.revision: revision.down_revision for revision in script.walk_revisions()
    }
    assert known_revisions() == set(revision_graph())


def test_a_current_database_opens_without_loading_alembic(tmp_path):
    """Alembic is only for migrating: a database already at head opens without it."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'cart.db'}"
    Database.open(url).close()
    probe = (
        "import sys\n"
        "from storage.database import Database\n"
        f"Database.open({url!r}).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
