"""`storycart incident show` as a real process for an incident an alert opened: the alert
group's context in the reader's language (text as data), and all of it in --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from app.domain.clock import FakeClock
from app.domain.intake import IntakeMapping, parse
from app.services.incident_service import IncidentService
from app.services.intake_service import IntakeService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database

STORYCART = [sys.executable, "-m", "app.cli"]


def run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.toml"
    config.write_text("", "utf-8")
    return subprocess.run(
        [*STORYCART, "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "STORYCART_DB": str(tmp_path / "cart.db")},
    )


def test_incident_show_prints_the_alerts_behind_the_incident(tmp_path):
    database = Database.open(f"sqlite:///{tmp_path / 'cart.db'}")
    try:
        clock = FakeClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
        incidents = IncidentService(database, clock, PolicyVersions(database, clock))
        web = load_policies(policy_sources(None)).get("web-service")
        body = {
            "dedup_key": "disk-7",
            "title": "디스크 95%",
            "host": "db-7\x1b[2J",
            "runbook_url": "https://wiki.example.com/runbook/disk",
        }
        (alert,) = parse("generic", body)
        code = IntakeService(incidents, web, IntakeMapping()).take(alert).incident
    finally:
        database.close()
    shown = run(tmp_path, "--lang", "ja", "incident", "show", code)
    assert shown.returncode == 0, shown.stderr
    assert "重大度ラベルなし: ポリシーの通知向け既定値 SEV-3" in shown.stdout
    assert "モニター からの通知: 1 件中 1 件発生中" in shown.stdout
    assert "[発生中] db-7[2J · 디스크 95%" in shown.stdout
    assert "ランブック: https://wiki.example.com/runbook/disk" in shown.stdout
    assert "\x1b" not in shown.stdout
    document = json.loads(run(tmp_path, "incident", "show", code, "--json").stdout)
    (group,) = document["alerts"]
    assert (group["dedup_key"], group["source"], group["severity"]) == (
        "generic:disk-7",
        "generic",
        "SEV-3",
    )
    assert group["context"]["alerts"][0]["host"] == "db-7[2J"
