"""The `storycart` command, run as a real process the way scripts use it."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app.domain.policy.parse import load_policy_file
from app.services.policy_set import load_policies, policy_sources
from storage.schema import head_revision

HEAD = head_revision()

STORYCART = [sys.executable, "-m", "app.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def assert_one_sentence_error(result: subprocess.CompletedProcess, code: int) -> str:
    assert result.returncode == code, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_version_and_help_on_every_command():
    assert run("--version").stdout.strip() == "storycart 0.1.0"
    for command in (
        [],
        ["run"],
        ["policy"],
        ["policy", "list"],
        ["policy", "show"],
        ["policy", "check"],
        ["policy", "export"],
        ["db"],
        ["db", "upgrade"],
        ["db", "check"],
    ):
        result = run(*command, "--help")
        assert result.returncode == 0, command
        assert result.stdout.startswith("usage: storycart"), command


def test_policy_list_one_line_each():
    lines = run("policy", "list").stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["ai-ops", "P", "built-in"],
        ["web-service", "SEV", "built-in"],
    ]
    assert lines[0].endswith("ai-ops.toml")


def test_policy_show_in_korean_has_every_figure():
    out = run("policy", "show", "ai-ops", "--lang", "ko").stdout
    assert "P0 치명적" in out and "확인(Ack) 목표: 15분" in out
    assert "최초 보고 대상: CISO, 법무, CEO" in out
    assert "4시간 후: 전체 경영진" in out
    assert "규제 기관 보고 기한: 발견 후 72시간 이내" in out
    assert "데이터 인시던트 (data)" in out and "P0: 대량 개인정보 유출" in out


def test_policy_show_json_is_machine_readable():
    document = json.loads(run("policy", "show", "web-service", "--json").stdout)
    assert document["policy"]["name"] == "web-service"
    assert [s["resolution"] for s in document["severities"]] == ["1h", "4h", "24h", "1w"]
    assert document["source"].endswith("web-service.toml")


def test_policy_show_unknown_name():
    message = assert_one_sentence_error(run("policy", "show", "nope"), 1)
    assert "no policy named 'nope'" in message and "web-service" in message


def test_policy_check_ok_and_bad(tmp_path):
    good = tmp_path / "good.toml"
    assert run("policy", "export", "ai-ops", "-o", str(good)).returncode == 0
    result = run("policy", "check", str(good))
    assert (result.returncode, result.stdout) == (0, "ok\n")

    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text("utf-8").replace('response = "15m"', 'response = "-15m"', 1))
    message = assert_one_sentence_error(run("policy", "check", str(bad)), 1)
    assert str(bad) in message and "negative" in message and "severities[0].response" in message

    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[policy]\n")
    assert "not UTF-8" in assert_one_sentence_error(run("policy", "check", str(binary)), 1)


@pytest.mark.parametrize("name", ["web-service", "ai-ops"])
def test_policy_export_round_trip(tmp_path, name):
    target = tmp_path / f"{name}.toml"
    result = run("policy", "export", name, "-o", str(target))
    assert result.returncode == 0 and result.stdout == f"wrote {target}\n"
    builtin = load_policies(policy_sources(None)).get(name)
    assert load_policy_file(target) == builtin


def test_user_policy_from_the_config_dir_and_a_broken_one_warns(isolated_dirs):
    folder = isolated_dirs / "config" / "storycart" / "policies"
    folder.mkdir(parents=True)
    exported = run("policy", "export", "web-service", "-o", "-").stdout
    (folder / "ours.toml").write_text(exported.replace('name = "web-service"', 'name = "ours"'))
    (folder / "broken.toml").write_text("[policy\n")
    result = run("policy", "list")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "ai-ops",
        "web-service",
        "ours",
    ]
    assert "warning: Policy file" in result.stderr and "broken.toml (line 1)" in result.stderr


def test_policy_file_flag(tmp_path):
    mine = tmp_path / "mine.toml"
    text = run("policy", "export", "ai-ops", "-o", "-").stdout.replace(
        'name = "ai-ops"', 'name = "mine"'
    )
    mine.write_text(text)
    result = run("policy", "list", "--policy-file", str(mine))
    mine_line = result.stdout.splitlines()[-1]
    assert mine_line.split() == ["mine", "P", "--policy-file", str(mine)]


def test_db_upgrade_then_check(isolated_dirs):
    check = run("db", "check")
    assert check.returncode == 1 and "empty database" in check.stdout
    upgrade = run("db", "upgrade")
    assert upgrade.returncode == 0 and upgrade.stdout == f"upgraded schema empty -> {HEAD}\n"
    database = isolated_dirs / "data" / "storycart" / "storycart.db"
    assert (database.stat().st_mode & 0o777) == 0o600
    assert run("db", "check").stdout == f"schema {HEAD} is up to date\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_too_new_database_exit_2_and_untouched(tmp_path):
    path = tmp_path / "newer.db"
    assert run("db", "upgrade", "--db", f"sqlite:///{path}").returncode == 0
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '0099'")
    connection.commit()
    connection.close()
    before = _digest(path)
    for action in ("upgrade", "check"):
        message = assert_one_sentence_error(run("db", action, "--db", f"sqlite:///{path}"), 2)
        assert (
            "This database was written by a newer Story Cart (schema 0099); upgrade the app"
            in message
        )
    assert _digest(path) == before


def test_not_a_database_exit_2(tmp_path):
    path = tmp_path / "readme.db"
    path.write_text("hello")
    message = assert_one_sentence_error(run("db", "upgrade", "--db", str(path)), 2)
    assert "is not a Story Cart database (it is not an SQLite file)" in message
    assert path.read_text() == "hello"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["readme.db"]  # no lock file left


def test_a_database_path_that_cannot_be_or_was_mistyped(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    under_a_file = run("incident", "list", "--db", f"sqlite:///{tmp_path / 'notes.txt' / 'x.db'}")
    message = assert_one_sentence_error(under_a_file, 1)
    assert message == (
        f"storycart: Cannot create the database {tmp_path / 'notes.txt' / 'x.db'}: "
        f"{tmp_path / 'notes.txt'} is a file, not a folder.\n"
    )
    folder = assert_one_sentence_error(run("incident", "list", "--db", f"sqlite:///{tmp_path}"), 1)
    assert "it is a folder" in folder
    typo = tmp_path / "tpyo" / "team.db"
    first = run("incident", "list", "--db", f"sqlite:///{typo}")
    assert first.returncode == 0
    assert first.stderr == f"storycart: created a new database at {typo}\n"
    assert run("incident", "list", "--db", f"sqlite:///{typo}").stderr == ""


def test_bad_config_and_bad_url_are_one_sentence(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("lang = [")
    assert "not valid TOML" in assert_one_sentence_error(
        run("policy", "list", "--config", str(config)), 1
    )
    message = assert_one_sentence_error(run("db", "check", "--db", "mysql://x/y"), 1)
    assert "SQLite or PostgreSQL" in message


def test_postgresql_upgrade_and_check(postgres_url):
    assert run("db", "upgrade", "--db", postgres_url).stdout == f"upgraded schema empty -> {HEAD}\n"
    assert run("db", "check", "--db", postgres_url).returncode == 0


def test_unreachable_postgresql_is_one_sentence(tmp_path):
    url = f"postgresql+psycopg://postgres@/nothing?host={tmp_path}"
    message = assert_one_sentence_error(run("db", "check", "--db", url), 1)
    assert message.startswith("storycart: Cannot open the database")


def test_a_postgresql_server_that_says_nothing_is_one_sentence_not_a_hang():
    """A team server that takes the connection and never answers (hung, or another service
    on its port): the command gives up after storage.engine.PG_CONNECT_S (5 s) and says so.
    A board's quit used to wait for such a connection forever."""
    listener = socket.create_server(("127.0.0.1", 0))
    taken: list[socket.socket] = []
    threading.Thread(target=lambda: taken.append(listener.accept()[0]), daemon=True).start()
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{listener.getsockname()[1]}/cart"
        message = assert_one_sentence_error(run("db", "check", "--db", url), 1)
    finally:
        for connection in taken:
            connection.close()
        listener.close()
    assert message.startswith("storycart: Cannot open the database")
    assert "timeout" in message


def _concurrent_upgrades(url: str, count: int = 4) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen(
            [*STORYCART, "db", "upgrade", "--db", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(60), *p.communicate()) for p in processes]


def test_processes_upgrading_one_new_sqlite_file_at_once(tmp_path):
    results = _concurrent_upgrades(f"sqlite:///{tmp_path / 'shared.db'}")
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    outputs = sorted(r.stdout for r in results)
    assert outputs == [f"schema {HEAD} is up to date\n"] * 3 + [
        f"upgraded schema empty -> {HEAD}\n"
    ]


def test_processes_upgrading_one_new_postgresql_database_at_once(postgres_url):
    results = _concurrent_upgrades(postgres_url)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert run("db", "check", "--db", postgres_url).stdout == f"schema {HEAD} is up to date\n"


def test_settings_says_each_value_and_where_it_came_from(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(
        'rotation_weeks = 3\nkiosk_languages = ["ja", "ko"]\n'
        '[channels.phone]\nurl = "ntfys://ntfy.sh/topic?token=s3cret"\n',
        "utf-8",
    )
    monkeypatch.setenv("STORYCART_USER", "민지")
    result = subprocess.run(
        [*STORYCART, "--config", str(config), "--lang", "ja", "settings", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = {row["key"]: row for row in json.loads(result.stdout)["settings"]}
    assert (rows["rotation_weeks"]["value"], rows["rotation_weeks"]["source"]) == (3, str(config))
    assert rows["kiosk_languages"]["value"] == ["ja", "ko"]
    assert (rows["user"]["value"], rows["user"]["source"]) == ("민지", "STORYCART_USER")
    assert (rows["lang"]["value"], rows["lang"]["source"]) == ("ja", "--lang")
    assert rows["theme"]["source"] == "default" and rows["theme"]["value"] == "storycart"
    assert rows["channels"]["value"][0]["name"] == "phone"
    assert rows["channels"]["value"][0]["url"] == "ntfys://…"  # never the token
    assert "s3cret" not in result.stdout
    human = subprocess.run(
        [*STORYCART, "--config", str(config), "settings"], capture_output=True, text=True
    ).stdout
    assert "rotation_weeks" in human and "the story of the week changes" in human
    assert "s3cret" not in human


def test_db_backup_and_restore_from_the_command_line(tmp_path):
    source = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    declared = run("incident", "declare", "--title", "결제 장애", "--severity", "SEV-2", *source)
    assert declared.returncode == 0
    backup_file = tmp_path / "cart.backup"
    made = run("db", "backup", str(backup_file), "--lang", "ko", *source)
    assert made.returncode == 0
    assert made.stdout.startswith(f"{backup_file}에 백업했습니다 (sqlite, ")
    again = run("db", "backup", str(backup_file), *source)
    assert again.returncode == 1
    refusal = f"{backup_file} exists already; a backup never overwrites a file."
    assert again.stderr == f"storycart: {refusal}\n"
    target = ["--db", f"sqlite:///{tmp_path / 'restored.db'}"]
    restored = run("db", "restore", str(backup_file), *target)
    assert restored.returncode == 0
    assert restored.stdout == f"Restored {backup_file}; schema {HEAD}.\n"
    listed = json.loads(run("incident", "list", "--json", *target).stdout)
    assert [i["title"] for i in listed] == ["결제 장애"]
    twice = run("db", "restore", str(backup_file), *target)
    assert twice.returncode == 1 and "restored only into an empty database" in twice.stderr


def test_ctrl_c_while_the_command_is_still_loading_exits_130_without_a_traceback(tmp_path):
    """Ctrl+C in the first half second of a cold start (the board not yet holding the keyboard)
    arrives while the command's modules import: exit 130 quietly, as a shell expects. The
    interrupt is raised by the import of app.cli.main itself, in a fresh process."""
    interrupted = textwrap.dedent(
        """
        import importlib.abc, sys

        class InterruptedImport(importlib.abc.MetaPathFinder):
            def find_spec(self, name, *_where):
                if name == "app.cli.main":
                    raise KeyboardInterrupt

        sys.meta_path.insert(0, InterruptedImport())
        from app.cli import main
        sys.exit(main(["incident", "list"]))
        """
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # no warm server here: the command runs cold
    done = subprocess.run(
        [sys.executable, "-c", interrupted],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert (done.returncode, done.stderr) == (130, "")
