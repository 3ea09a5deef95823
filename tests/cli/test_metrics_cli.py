"""`storycart metrics` and `storycart follow-ups` as real processes on a database filled through
the services: JSON, CSV and text in the reader's language, the follow-ups list closed from the
command line, and bad input refused in one sentence."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from app.domain.clock import FakeClock
from app.domain.postmortem.model import ActionItem
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from storage.database import Database
from tests.postmortem_helpers import complete_postmortem

STORYCART = [sys.executable, "-m", "app.cli"]
WEB = load_policies(policy_sources(None)).get("web-service")
OCTOBER = ["--since", "2026-10-01T00:00+00:00", "--until", "2026-11-01T00:00+00:00"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def seeded(tmp_path) -> list[str]:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    database = Database.open(url)
    clock = FakeClock(datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    postmortems = PostmortemService(database, clock)
    codes = []
    for title, minutes in (("Checkout down", 40), ("결제 지연", 100), ("ログイン不可", 25)):
        code = incidents.declare(WEB, title, "SEV-1", "ops")
        clock.advance(timedelta(minutes=minutes))
        incidents.resolve(code, "ops")
        codes.append(code)
        clock.advance(timedelta(days=2))
    complete_postmortem(
        postmortems,
        codes[1],
        "민지",
        "ko",
        actions=[ActionItem("갱신 자동화", "민지", "2026-10-09")],
    )
    database.close()
    return ["--db", url]


def test_metrics_as_json_csv_and_korean_text(tmp_path):
    db = seeded(tmp_path)
    document = json.loads(run("metrics", *OCTOBER, "--json", "--incidents", *db).stdout)
    resolve = document["severities"]["SEV-1"]["resolve"]
    assert (resolve["count"], resolve["median_s"], resolve["p90_s"]) == (3, 2400, 6000)
    assert (resolve["target_s"], resolve["met"]) == (3600, 2)
    assert [i["seconds"] for i in resolve["incidents"]] == [1500, 2400, 6000]
    assert document["severities"]["SEV-1"]["acknowledge"]["without"] == [
        "INC-2026-0001",
        "INC-2026-0002",
        "INC-2026-0003",
    ]  # resolved without an acknowledgement: no time to acknowledge
    assert document["follow_ups"]["total"] == 1
    # Without --incidents, the figures alone: a busy quarter's incidents are megabytes.
    figures = json.loads(run("metrics", *OCTOBER, "--json", *db).stdout)
    assert "incidents" not in figures["severities"]["SEV-1"]["resolve"]
    del resolve["incidents"]
    assert figures["severities"]["SEV-1"]["resolve"] == resolve
    rows = list(csv.DictReader(io.StringIO(run("metrics", *OCTOBER, "--csv", *db).stdout)))
    sev1 = {row["measure"]: row for row in rows if row["severity"] == "SEV-1"}
    assert (sev1["resolve"]["median_s"], sev1["resolve"]["met"]) == ("2400", "2")
    text = run("metrics", *OCTOBER, "--lang", "ko", *db).stdout
    assert "web-service · 2026-10-01 – 2026-10-31 · 인시던트 3건" in text
    assert "해결 시간" in text and "2/3 (67%)" in text


def test_follow_ups_are_listed_filtered_and_closed(tmp_path):
    db = seeded(tmp_path)
    (item,) = json.loads(run("follow-ups", "--overdue", "--json", *db).stdout)
    assert (item["title"], item["owner"], item["status"]) == ("갱신 자동화", "민지", "open")
    assert run("follow-ups", "--owner", "nobody", "--json", *db).stdout.strip() == "[]"
    assert run("follow-ups", "set", str(item["item"]), "done", *db).returncode == 0
    (after,) = json.loads(run("follow-ups", "--json", *db).stdout)
    assert after["status"] == "done" and after["overdue"] is False
    shown = run("incident", "show", item["incident"], "--lang", "ja", *db).stdout
    assert "フォローアップ「갱신 자동화」: 完了" in shown


def test_bad_input_is_refused_in_one_sentence(tmp_path):
    db = seeded(tmp_path)
    for args, said in (
        (["metrics", "--since", "last tuesday", *db], "'last tuesday' is not a time"),
        (["metrics", "--since", "2026-11-01", "--until", "2026-10-01", *db], "--since earlier"),
        (["follow-ups", "set", "999", "done", *db], "There is no follow-up 999."),
        (["metrics", "--policy", "nope", *db], "nope"),
        (["metrics", "--csv", "--incidents", *db], "give it with --json"),
    ):
        refused = run(*args)
        assert refused.returncode != 0, args
        assert said in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr


def test_the_demo_fills_its_own_database_and_never_a_used_one(tmp_path):
    import os

    environment = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    environment.pop("STORYCART_DB", None)
    loaded = subprocess.run(
        [*STORYCART, "demo", "--incidents", "40", "--lang", "ja"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    assert loaded.returncode == 0, loaded.stderr
    demo_db = tmp_path / "data" / "storycart" / "demo.db"
    assert f"sqlite:///{demo_db}" in loaded.stdout and "架空のインシデント 40 件" in loaded.stdout
    assert not (tmp_path / "data" / "storycart" / "storycart.db").exists()
    db = ["--db", f"sqlite:///{demo_db}"]
    document = json.loads(run("metrics", "--period", "year", "--json", *db).stdout)
    assert 0 < document["incidents"] <= 40
    assert document["severities"]["SEV-4"]["resolve"]["count"] > 0
    used = seeded(tmp_path)
    refused = run("demo", *used)
    assert refused.returncode == 1 and "already holds incidents" in refused.stderr
    listing = json.loads(run("incident", "list", "--all", "--json", *used).stdout)
    assert len(listing) == 3  # nothing added to the database in use


def seven_sev2(tmp_path) -> list[str]:
    """Seven SEV-2 incidents in October, a day apart: six acknowledged after 3, 10, 15, 16, 30
    and 12 min, one resolved without ever being acknowledged. The target is 15 min, so by hand:
    3, 10, 12 and 15 (exactly at the target) met it — 4 of the 6 acknowledged, 67 % — and the
    seventh is left out of "met", which the text must say. SEV-1 had no incident."""
    url = f"sqlite:///{tmp_path / 'seven.db'}"
    database = Database.open(url)
    clock = FakeClock(datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    for number, ack in enumerate((3, 10, 15, 16, 30, 12, None), start=1):
        began = clock.now()
        code = incidents.declare(WEB, f"Search slow {number}", "SEV-2", "ops")
        if ack is not None:
            clock.set(began + timedelta(minutes=ack))
            incidents.acknowledge(code, "ana")
        clock.set(began + timedelta(minutes=45))
        incidents.resolve(code, "ana")
        clock.set(began + timedelta(days=1))
    database.close()
    return ["--db", url]


def test_a_never_acknowledged_incident_is_said_and_an_empty_severity_has_no_met(tmp_path):
    db = seven_sev2(tmp_path)
    said = {
        "en": "1 of 7 never acknowledged: left out of “met”",
        "ko": "7건 중 1건은 확인(Ack)되지 않음: “달성”에서 제외",
        "ja": "7件中1件は確認(Ack)されず: 「達成」から除外",
    }
    for lang, sentence in said.items():
        text = run("metrics", *OCTOBER, "--lang", lang, *db).stdout
        assert "4/6 (67%)" in text, text
        assert sentence in text, text

    document = json.loads(run("metrics", *OCTOBER, "--json", *db).stdout)
    ack = document["severities"]["SEV-2"]["acknowledge"]
    assert (ack["count"], ack["met"], ack["met_share"], len(ack["without"])) == (6, 4, 4 / 6, 1)
    for measure in ("detect", "acknowledge", "resolve"):  # SEV-1: no incidents, targets set
        empty = document["severities"]["SEV-1"][measure]
        assert (empty["count"], empty["met"], empty["met_share"]) == (0, None, None), measure
        assert empty["target_s"] is not None

    rows = list(csv.DictReader(io.StringIO(run("metrics", *OCTOBER, "--csv", *db).stdout)))
    by = {(row["severity"], row["measure"]): row for row in rows}
    assert (by["SEV-2", "acknowledge"]["met"], by["SEV-2", "acknowledge"]["without"]) == ("4", "1")
    assert by["SEV-1", "acknowledge"]["met"] == ""  # not 0: there was nothing to meet
    assert by["SEV-1", "resolve"]["met"] == ""


def test_a_bad_period_is_refused_in_the_readers_language(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'empty.db'}"]
    backwards = ["--since", "2026-11-01", "--until", "2026-10-01"]
    for lang, said in (
        ("en", "Give --since earlier than --until."),
        ("ko", "--since는 --until보다 앞이어야 합니다."),
        ("ja", "--since は --until より前にしてください。"),
    ):
        refused = run("metrics", *backwards, "--lang", lang, *db)
        assert refused.returncode != 0
        assert said in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr
