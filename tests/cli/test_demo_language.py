"""`storycart demo` without --lang fills the demo in the user's language (STORYCART_LANG here,
the locale or the config otherwise): titles and the timeline's words, not English."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlmodel import select

from app.domain.demo import TITLES
from storage.database import Database
from storage.incident_rows import all_incidents
from storage.tables import TimelineEntryRecord

STORYCART = [sys.executable, "-m", "app.cli"]


def test_the_demo_speaks_the_users_language_without_lang(tmp_path):
    environment = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "STORYCART_LANG": "ko"}
    environment.pop("STORYCART_DB", None)
    loaded = subprocess.run(
        [*STORYCART, "demo", "--incidents", "30"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "가상의 인시던트 30건" in loaded.stdout
    database = Database.open(f"sqlite:///{tmp_path / 'data' / 'storycart' / 'demo.db'}")
    try:
        with database.session() as session:
            titles = [row.title for row in all_incidents(session)]
            updates = [
                row.text
                for row in session.exec(select(TimelineEntryRecord))
                if row.actor == "demo" and row.kind == "status_update"
            ]
    finally:
        database.close()
    assert len(titles) == 30
    assert all(title.rsplit(" (", 1)[0] in TITLES["ko"] for title in titles), titles
    assert updates and all("롤백" in text for text in updates), updates[:3]
