"""The regulatory duty from the command line, as real processes, and the report to the regulator
printed from it and read back: the deadline 72 h after the discovery, who decided, the seed's
required items in the reader's language, lines to write on where nothing is known yet."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO

from pypdf import PdfReader

from tests.export.pdf_checks import assert_inside_margins, squeeze

STORYCART = [sys.executable, "-m", "app.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def pdf_text(path) -> str:
    reader = PdfReader(BytesIO(path.read_bytes()))
    return squeeze("".join(page.extract_text() for page in reader.pages))


def test_a_required_report_is_decided_filed_and_printed(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}", "--policy", "ai-ops"]
    declared = run(
        "incident",
        "declare",
        "--title",
        "개인정보가 로그에 노출",
        "--severity",
        "P0",
        "--type",
        "data",
        "--detected",
        "2026-11-30T09:00+00:00",
        "--actor",
        "민지",
        *db,
    )
    assert declared.returncode == 0, declared.stderr
    code = declared.stdout.strip()
    blank = tmp_path / "blank.pdf"
    assert run("export", "regulator", code, "-o", str(blank), "--lang", "en", *db).returncode == 0
    text = pdf_text(blank)
    assert squeeze("Report to the regulator: 개인정보가 로그에 노출") in text
    assert squeeze("Not decided yet") in text
    assert squeeze("2026-12-03 09:00") in text  # 72 h after the discovery
    assert squeeze("The data affected and how many people") in text
    decided = run("incident", "report", code, "required", "--actor", "법무팀", *db)
    assert decided.returncode == 0, decided.stderr
    filed = run("incident", "report", code, "filed", "--at", "2026-12-01T10:00+00:00", *db)
    assert filed.returncode == 0, filed.stderr
    again = run("incident", "report", code, "filed", *db)
    assert again.returncode == 0 and "Nothing changed" in again.stdout
    korean = tmp_path / "ko.pdf"
    assert run("export", "regulator", code, "-o", str(korean), "--lang", "ko", *db).returncode == 0
    text = pdf_text(korean)
    assert squeeze("규제 기관 보고서: 개인정보가 로그에 노출") in text
    assert squeeze("보고 필요 · 법무팀,") in text
    assert squeeze("2026-12-01 10:00") in text  # filed
    for item in ("인시던트 발생 일시 및 발견 일시", "근본 원인 분석 결과", "향후 재발 방지 계획"):
        assert squeeze(item) in text
    assert_inside_margins(korean.read_bytes(), tmp_path, "a4")


def test_a_type_without_a_clock_is_refused_in_one_sentence(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    code = run("incident", "declare", "--title", "x", "--severity", "SEV-2", *db).stdout.strip()
    refused = run("incident", "report", code, "required", *db)
    assert refused.returncode == 1
    assert "has no regulatory report clock" in refused.stderr
    assert refused.stderr.count("\n") == 1
