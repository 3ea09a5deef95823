"""`storycart oncall` and `storycart settings` with a roster in config.toml, as real processes:
who holds each level now and at another moment (an override), a roster with a mistake refused at
start in one sentence, and the settings listing the roster."""

from __future__ import annotations

import json
import subprocess
import sys

STORYCART = [sys.executable, "-m", "app.cli"]
ROSTER = """
[roster.people.minji]
name = "민지"
contact = "010-1234-5678"

[roster.people.haruto]
name = "はると"

[roster.levels."L1 on-call engineer"]
rotation = ["minji", "haruto"]
start = "2026-11-02T10:00+09:00"

[[roster.overrides]]
level = "L1 on-call engineer"
person = "minji"
from = "2026-12-24T18:00+09:00"
until = "2026-12-26T09:00+09:00"
"""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def test_who_is_on_call_now_and_on_a_holiday(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(ROSTER, "utf-8")
    common = ["--config", str(config), "--db", f"sqlite:///{tmp_path / 'x.db'}"]
    week = json.loads(run("oncall", "--at", "2026-11-10T00:00+00:00", "--json", *common).stdout)
    assert [(h["name"], h["until"]) for h in week] == [("はると", "2026-11-16T10:00:00+09:00")]
    holiday = json.loads(run("oncall", "--at", "2026-12-25T12:00+09:00", "--json", *common).stdout)
    assert (holiday[0]["name"], holiday[0]["override"]) == ("민지", True)
    text = run("oncall", "--at", "2026-11-03T00:00+00:00", "--lang", "ko", *common).stdout
    assert text.startswith("L1 on-call engineer: 민지 · 010-1234-5678 · 2026-11-09 01:00 UTC까지")
    listed = json.loads(run("settings", "--json", *common).stdout)
    (roster,) = [row for row in listed["settings"] if row["key"] == "roster"]
    assert roster["value"]["overrides"][0]["ends"] == "2026-12-26T09:00:00+09:00"


def test_a_roster_with_a_mistake_is_refused_in_one_sentence(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(ROSTER.replace('"minji", "haruto"]', '"minji", "sam"]'), "utf-8")
    refused = run("oncall", "--config", str(config))
    assert refused.returncode != 0
    assert "'sam' is not in [roster.people]" in refused.stderr
    assert refused.stderr.count("\n") == 1
