"""Hostile input and awkward targets, as real processes: each refusal is one sentence on stderr
with a non-zero exit, and nothing already stored or written is changed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

STORYCART = [sys.executable, "-m", "app.cli"]


def run(*args: str | bytes) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def refused(result: subprocess.CompletedProcess, code: int = 1) -> str:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_export_through_a_symlink_writes_the_file_it_points_at(tmp_path):
    real = tmp_path / "shared" / "template.md"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "template.md"
    link.symlink_to(real)
    result = run("export", "markdown", "--blank", "-o", str(link), "--lang", "ja")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text("utf-8").startswith("# ") and "old" not in real.read_text("utf-8")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # an existing file keeps its mode
    assert sorted(path.name for path in real.parent.iterdir()) == ["template.md"]


def test_a_new_export_gets_the_usual_permissions_not_private_ones(tmp_path):
    old_mask = os.umask(0o022)
    try:
        target = tmp_path / "library.json"
        assert run("export", "json", "-o", str(target), "--db", f"sqlite:///{tmp_path / 'a.db'}")
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_pipe_or_device_is_refused_not_replaced(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    message = refused(run("export", "markdown", "--blank", "-o", str(pipe)))
    assert message == (
        f"storycart: {pipe} is not a regular file (a device, pipe or socket); "
        "give a file name for the Markdown postmortem.\n"
    )
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    device = refused(
        run(
            "export",
            "json",
            "-o",
            "/dev/null",
            "--lang",
            "ko",
            "--db",
            f"sqlite:///{tmp_path / 'a.db'}",
        )
    )
    assert device == (
        "storycart: /dev/null은 일반 파일이 아닙니다(장치, 파이프 또는 소켓). "
        "JSON 라이브러리 내보내기의 파일 이름을 주세요.\n"
    )
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    folder = refused(run("export", "template", "-o", str(tmp_path)))
    assert folder == f"storycart: {tmp_path} is a directory; give a file name for the PDF.\n"


def test_a_title_that_is_not_utf8_is_refused_and_nothing_is_stored(tmp_path):
    db = tmp_path / "cart.db"
    assert (
        run(
            "incident",
            "declare",
            "--title",
            "first",
            "--severity",
            "SEV-2",
            "--db",
            f"sqlite:///{db}",
        ).returncode
        == 0
    )
    before = db.read_bytes()
    result = subprocess.run(
        [
            *STORYCART,
            "incident",
            "declare",
            "--title",
            b"caf\xe9 down",
            "--severity",
            "SEV-2",
            "--db",
            f"sqlite:///{db}",
        ],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == b"storycart: --title is not UTF-8 text; nothing was changed.\n"
    assert db.read_bytes() == before


def _deep_library(depth: int) -> str:
    return '{"stories": ' + "[" * depth + "]" * depth + "}"


def test_deeply_nested_json_is_one_sentence_and_changes_nothing(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    before = json.loads(run("story", "list", "--json", *db).stdout)
    bomb = tmp_path / "bomb.json"
    bomb.write_text(_deep_library(200_000))
    message = refused(run("import", str(bomb), *db))
    assert message == (
        f"storycart: {bomb}: the JSON is nested too deeply to be a library export; "
        "nothing was changed.\n"
    )
    assert json.loads(run("story", "list", "--json", *db).stdout) == before


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_nul_characters_in_an_imported_library_never_reach_the_database(tmp_path, engine, request):
    url = (
        f"sqlite:///{tmp_path / 'cart.db'}"
        if engine == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    exported = tmp_path / "library.json"
    assert run("export", "json", "-o", str(exported), "--db", url).returncode == 0
    document = json.loads(exported.read_text("utf-8"))
    document["stories"][0]["title"] = "Null\x00byte title"
    document["stories"][0]["key"] = "nul-story"
    hostile = tmp_path / "nul.json"
    hostile.write_text(json.dumps(document), "utf-8")
    result = run("import", str(hostile), "--db", url)
    assert result.returncode == 0, result.stderr
    assert "INSERT" not in result.stderr and "\x00" not in result.stdout
    shown = json.loads(run("story", "show", "nul-story", "--json", "--db", url).stdout)
    assert shown["title"] == "Nullbyte title"


def test_storage_refusals_are_said_in_the_readers_language(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    korean = refused(run("incident", "list", "--lang", "ko", "--db", f"sqlite:///{notes / 'x.db'}"))
    assert korean == (
        f"storycart: 데이터베이스 {notes / 'x.db'}{'를'} 만들 수 없습니다: "
        f"{notes}{'는'} 폴더가 아니라 파일입니다.\n"
    )
    japanese = refused(run("db", "check", "--lang", "ja", "--db", f"sqlite:///{notes}"), code=2)
    assert japanese == (
        f"storycart: {notes} は Story Cart のデータベースではありません"
        "（SQLite のファイルではありません）。何も変更していません。\n"
    )
    assert notes.read_text() == "not a database"


POLICY_WITH_A_CENTURY = """[policy]
name = "x"
scheme = "S"
title = "t"

[[severities]]
key = "S1"
name = "a"
response = "99999999w"
update_every = "1h"

[[types]]
key = "t"
name = "t"

[[ladder]]
severity = "S1"
after = "0s"
notify = ["on-call"]
"""


def test_policy_refusals_are_said_in_the_readers_language(tmp_path):
    policy = tmp_path / "century.toml"
    policy.write_text(POLICY_WITH_A_CENTURY)
    said = {
        lang: refused(run("policy", "check", str(policy), "--lang", lang))
        for lang in ("en", "ko", "ja")
    }
    assert said["en"] == (
        f"storycart: Policy file {policy} (line 9, key severities[0].response): '99999999w' is "
        "longer than a year (366d), the longest a policy allows.\n"
    )
    assert said["ko"] == (
        f"storycart: 정책 파일 {policy} (9번째 줄, 키 severities[0].response): '99999999w'는 "
        "1년(366d)보다 깁니다. 정책에서 쓸 수 있는 가장 긴 기간은 1년입니다.\n"
    )
    assert said["ja"] == (
        f"storycart: ポリシーファイル {policy}（9 行目、キー severities[0].response）："
        "'99999999w' は 1 年（366d）より長く、ポリシーで使える最長を超えています。\n"
    )
