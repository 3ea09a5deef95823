"""`storycart incident declare|ack|update|resolve --at`: an incident entered after the fact keeps
the times it really had (validated like --started: not in the future, in order), the timeline
says it was entered late and by whom, and the metrics measure the real times — as real
processes on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

STORYCART = [sys.executable, "-m", "app.cli"]
NOVEMBER = ["--since", "2026-11-01T00:00+00:00", "--until", "2026-12-01T00:00+00:00"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> list[str]:
    if request.param == "sqlite":
        return ["--db", f"sqlite:///{tmp_path / 'late.db'}"]
    return ["--db", request.getfixturevalue("postgres_url")]


def ok(*args: str) -> str:
    done = run(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_incident_entered_after_the_fact_keeps_its_real_times(db):
    code = ok(
        "incident", "declare", "--title", "Checkout 502s", "--severity", "SEV-2",
        "--started", "2026-11-02T08:50+00:00", "--at", "2026-11-02T09:00+00:00",
        "--actor", "ana", *db,
    ).strip()  # fmt: skip
    ok("incident", "ack", code, "--at", "2026-11-02T09:07+00:00", "--actor", "bo", *db)
    ok(
        "incident", "update", code, "--status", "mitigating", "--text", "rolled back",
        "--at", "2026-11-02T09:30+00:00", "--actor", "bo", *db,
    )  # fmt: skip
    ok("incident", "resolve", code, "--at", "2026-11-02T10:10+00:00", "--actor", "ana", *db)

    shown = json.loads(ok("incident", "show", code, "--json", *db))
    events = [(e["kind"], e["at"][:16], e["actor"]) for e in shown["timeline"]]
    late = [e for e in shown["timeline"] if e["kind"] == "entered_late"]
    told = ("declared", "acknowledged", "status_update", "resolved")  # not the ladder's lines
    assert [e for e in events if e[0] in told] == [
        ("declared", "2026-11-02T09:00", "ana"),
        ("acknowledged", "2026-11-02T09:07", "bo"),
        ("status_update", "2026-11-02T09:30", "bo"),
        ("resolved", "2026-11-02T10:10", "ana"),
    ]
    assert [e["actor"] for e in late] == ["ana", "bo", "bo", "ana"]  # one for each, by whom
    assert all(e["at"] > "2026-12" for e in late)  # entered now, long after
    text = ok("incident", "show", code, *db)
    assert "Entered late at" in text and "by bo" in text

    # By hand: acknowledged 7 min after the declaration; mitigated 40 min and resolved 80 min
    # after the impact began (08:50).
    figures = json.loads(ok("metrics", *NOVEMBER, "--json", *db))["severities"]["SEV-2"]
    assert figures["acknowledge"]["median_s"] == 7 * 60
    assert figures["mitigate"]["median_s"] == 40 * 60
    assert figures["resolve"]["median_s"] == 80 * 60


def test_a_backfilled_time_out_of_order_or_in_the_future_is_refused_in_one_sentence(db):
    code = ok(
        "incident", "declare", "--title", "Search slow", "--severity", "SEV-3",
        "--at", "2026-11-03T10:00+00:00", *db,
    ).strip()  # fmt: skip
    ok("incident", "ack", code, "--at", "2026-11-03T10:20+00:00", *db)
    refusals = {
        ("en", "resolve", "2026-11-03T10:10+00:00"): (
            "The resolution cannot come before the acknowledgement"
        ),
        (
            "ko",
            "update",
            "2026-11-03T09:00+00:00",
        ): "상태 업데이트는 선언 시각보다 앞설 수 없습니다",
        ("ja", "resolve", "2099-01-01T00:00+00:00"): "未来の時刻は指定できません。",
        ("en", "resolve", "yesterday-ish"): "'yesterday-ish' is not a time",
    }
    for (lang, action, at), said in refusals.items():
        extra = ["--status", "investigating", "--text", "x"] if action == "update" else []
        refused = run("incident", action, code, *extra, "--at", at, "--lang", lang, *db)
        assert refused.returncode == 1, (action, at)
        assert said in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr
    late = run("incident", "ack", "INC-2026-0099", "--at", "2026-11-03T09:00+00:00", *db)
    assert "There is no incident" in late.stderr
    first = run(
        "incident", "declare", "--title", "x", "--severity", "SEV-3",
        "--at", "2026-11-03T09:00+00:00", "--started", "2026-11-03T09:30+00:00", *db,
    )  # fmt: skip
    assert "The impact cannot begin after the first signal." in first.stderr

    other = ok(
        "incident", "declare", "--title", "Login slow", "--severity", "SEV-3",
        "--at", "2026-11-03T10:00+00:00", *db,
    ).strip()  # fmt: skip
    early = run("incident", "ack", other, "--at", "2026-11-03T09:59+00:00", *db)
    assert early.returncode == 1 and early.stderr.count("\n") == 1
    assert "The acknowledgement cannot come before the declaration" in early.stderr
