"""`storycart incident ...` as real processes on one database."""

from __future__ import annotations

import json
import re
import subprocess
import sys

STORYCART = [sys.executable, "-m", "app.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def test_declare_ack_update_resolve_and_show_json(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    declared = run(
        "incident",
        "declare",
        "--title",
        "결제 API 지연",
        "--severity",
        "SEV-2",
        "--impact",
        "결제 실패 12%",
        "--actor",
        "민지",
        *db,
    )
    assert declared.returncode == 0 and re.fullmatch(r"INC-\d{4}-0001\n", declared.stdout)
    code = declared.stdout.strip()
    assert run("incident", "ack", code, "--actor", "민지", *db).returncode == 0
    assert (
        run(
            "incident", "update", code, "--status", "mitigating", "--text", "롤백 중", *db
        ).returncode
        == 0
    )
    listing = run("incident", "list", *db).stdout
    assert code in listing and "mitigating" in listing and "결제 API 지연" in listing
    assert f"{code}  SEV-2  ✓ " in listing  # acknowledged, as the board's ✓

    document = json.loads(run("incident", "show", code, "--json", *db).stdout)
    assert document["policy"] == {"name": "web-service", "version": 1}
    assert [s["state"] for s in document["steps"] if s["round"] == 0][:2] == ["due", "skipped"]
    assert {d["kind"] for d in document["deadlines"]} >= {
        "acknowledge",
        "status_update",
        "resolution",
    }
    assert [e["kind"] for e in document["timeline"]] == [
        "declared",
        "acknowledged",
        "status_update",
    ]
    assert document["timeline"][1]["actor"] == "민지"

    assert run("incident", "resolve", code, *db).returncode == 0
    assert run("incident", "list", *db).stdout == ""
    assert code in run("incident", "list", "--all", *db).stdout
    again = run("incident", "resolve", code, *db)
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"Incident {code} is already resolved. Nothing changed.\n"


def test_a_monitor_retrying_ack_succeeds_and_is_told_in_its_language(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}", "--lang", "ko"]
    code = run("incident", "declare", "--title", "결제 지연", "--severity", "SEV-2", *db)
    code = code.stdout.strip()
    assert run("incident", "ack", code, *db).returncode == 0
    again = run("incident", "ack", code, *db)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout == f"{code}은 이미 확인(응답)되었습니다. 바뀐 것은 없습니다.\n"
    missing = run("incident", "ack", "INC-2026-0042", *db)
    assert missing.returncode == 1
    assert missing.stderr == "storycart: 'INC-2026-0042' 인시던트가 없습니다.\n"


def test_escalate_from_the_command_line_says_it_was_early(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    code = run("incident", "declare", "--title", "Checkout down", "--severity", "SEV-2", *db)
    code = code.stdout.strip()
    first = run("incident", "escalate", code, *db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{code}: step 1 (round 1) paged ")
    # Step 1 was due at the declaration a moment ago: on time, or late by a second or two.
    assert re.search(r"· fired at \S+ · (on time|late by 00:0\d)\n$", first.stdout), first.stdout
    second = run("incident", "escalate", code, *db)
    assert second.returncode == 0 and "step 2 (round 1)" in second.stdout
    assert "early by" in second.stdout and "(manual)" in second.stdout
    shown = run("incident", "show", code, *db).stdout
    assert "Escalation step 2 (round 1)" in shown and "paged by hand" in shown
    shown_ko = run("incident", "show", code, *db, "--lang", "ko").stdout
    assert "에스컬레이션 2단계 (1회차)" in shown_ko and "수동 호출" in shown_ko
    assert "escalation: notify" not in shown_ko


def test_terminal_control_codes_in_a_title_never_reach_the_terminal(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    title = "DB down\x1b[2J\x1b]0;pwned\x07 now"
    code = run("incident", "declare", "--title", title, "--severity", "SEV-3", *db).stdout.strip()
    for output in (run("incident", "list", *db).stdout, run("incident", "show", code, *db).stdout):
        assert "\x1b" not in output and "\x07" not in output
        assert "DB down[2J]0;pwned now" in output
    document = json.loads(run("incident", "show", code, "--json", *db).stdout)
    assert document["title"] == title  # JSON keeps the data exactly


def test_bad_incident_requests_are_one_sentence(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    cases = [
        (
            ["incident", "declare", "--title", "x", "--severity", "SEV-9"],
            "'SEV-9' is not in policy",
        ),
        (
            ["incident", "declare", "--title", "x", "--severity", "P0", "--policy", "nope"],
            "There is no policy named 'nope'",
        ),
        (["incident", "ack", "INC-2026-0042"], "There is no incident 'INC-2026-0042'."),
        (
            ["incident", "update", "INC-2026-0042", "--status", "done", "--text", "x"],
            "Status 'done' is not one of",
        ),
    ]
    for args, expected in cases:
        result = run(*args, *db)
        assert result.returncode == 1, args
        assert expected in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_ai_ops_declaration_with_type_shows_the_regulatory_clock(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}", "--policy", "ai-ops"]
    code = run(
        "incident",
        "declare",
        "--title",
        "個人情報の大量漏えい",
        "--severity",
        "P0",
        "--type",
        "data",
        *db,
    ).stdout.strip()
    document = json.loads(run("incident", "show", code, "--json", *db).stdout)
    report = next(d for d in document["deadlines"] if d["kind"] == "regulatory_report")
    assert 72 * 3600 - 60 < report["remaining_s"] <= 72 * 3600
    assert document["title"] == "個人情報の大量漏えい"


def test_postmortem_markdown_export_edit_import_and_a_refused_file(tmp_path):
    import hashlib

    db = ["--db", f"sqlite:///{tmp_path / 'pm.db'}", "--lang", "ko"]
    code = run("incident", "declare", "--title", "결제 장애", "--severity", "SEV-2", *db)
    code = code.stdout.strip()
    assert run("incident", "resolve", code, *db).returncode == 0
    target = tmp_path / "pm.md"
    exported = run("export", "markdown", "--postmortem", code, "-o", str(target), *db)
    assert exported.returncode == 0, exported.stderr
    text = target.read_text("utf-8")
    assert text.startswith("# 포스트모템: 결제 장애\n") and "## 액션 아이템" in text
    target.write_text(
        text.replace("### 무슨 일이 있었나\n\n\n", "### 무슨 일이 있었나\n\n결제 실패\n")
    )
    assert run("import", str(target), *db).returncode == 0
    again = run("export", "markdown", "--postmortem", code, "-o", "-", *db).stdout
    assert "### 무슨 일이 있었나\n\n결제 실패\n" in again
    database = tmp_path / "pm.db"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    bad = tmp_path / "bad.md"
    bad.write_text(again.replace("| fact |", "| 추측 |"), "utf-8")
    refused = run("import", str(bad), *db)
    assert refused.returncode == 1
    line = next(n for n, row in enumerate(bad.read_text().split("\n"), 1) if "| 추측 |" in row)
    assert refused.stderr.strip() == (  # said in --lang ko, the line number kept
        f"storycart: {bad} {line}번째 줄: 확실성 '추측'은 다음 중 하나가 아닙니다: fact, "
        "hypothesis. 아무것도 바뀌지 않았습니다."
    )
    english = run("import", str(bad), "--db", f"sqlite:///{database}", "--lang", "en")
    assert english.stderr.strip() == (
        f"storycart: {bad} line {line}: certainty '추측' is not one of fact, hypothesis; "
        "nothing was changed."
    )
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    blank = run("export", "markdown", "--blank", "-o", "-", "--lang", "ja")
    assert blank.returncode == 0 and "## アクションアイテム" in blank.stdout
