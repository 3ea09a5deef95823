"""Secrets never shown on the command line: `storycart settings` (text and --json) names the
database and the channels without a password or a token in them."""

from __future__ import annotations

import json
import subprocess
import sys

STORYCART = [sys.executable, "-m", "app.cli"]
PG_URL = "postgresql://alice:s3cretPW@db.example.org:5432/oncall"


def settings(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*STORYCART, "settings", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_settings_name_the_database_and_channels_without_their_secrets(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'db = "{PG_URL}"\n'
        "[engine]\n"
        'heartbeat_url = "https://hc.example.org/ping/0a1b2c3d4e5f6a7b?token=hbS3cret"\n'
        "[channels.team]\n"
        'url = "slack://T0AAAAAA/B0BBBBBB/slackS3cretT0ken/#oncall"\n'
        "[channels.phone]\n"
        'url = "ntfys://bob:ntfyS3cret@ntfy.example.org/pager"\n',
        "utf-8",
    )
    secrets = ("s3cretPW", "slackS3cretT0ken", "ntfyS3cret", "hbS3cret", "0a1b2c3d4e5f6a7b")
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [*STORYCART, "--config", str(config), "settings", *extra],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        for secret in secrets:
            assert secret not in done.stdout + done.stderr, (secret, extra)
        assert "postgresql://alice:***@db.example.org:5432/oncall" in done.stdout
        assert "hc.example.org/ping" in done.stdout
    rows = {row["key"]: row for row in json.loads(done.stdout)["settings"]}
    assert rows["db"]["value"] == "postgresql://alice:***@db.example.org:5432/oncall"
    assert [channel["url"] for channel in rows["channels"]["value"]] == ["slack://…", "ntfys://…"]


def test_settings_hide_a_password_given_by_flag_or_environment(tmp_path):
    import os

    empty = tmp_path / "config.toml"
    empty.write_text("", "utf-8")
    env = {**os.environ, "STORYCART_DB": PG_URL, "STORYCART_CONFIG": str(empty)}
    by_env = settings("--json", env=env)
    by_flag = subprocess.run(
        [*STORYCART, "--db", PG_URL, "--config", str(empty), "settings"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    for done in (by_env, by_flag):
        assert done.returncode == 0, done.stderr
        assert "s3cretPW" not in done.stdout + done.stderr
        assert "alice:***@db.example.org" in done.stdout


def test_daemon_install_keeps_the_password_off_the_services_command_line(tmp_path):
    import os
    import plistlib

    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    common = ["--db", PG_URL, "daemon", "install", "--manager"]
    done = subprocess.run(
        [*STORYCART, *common, "systemd"], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    unit = tmp_path / "config" / "systemd" / "user" / "storycart.service"
    assert "s3cretPW" not in unit.read_text() + done.stdout + done.stderr
    environment = unit.with_name("storycart.env")
    assert environment.read_text() == f'STORYCART_DB="{PG_URL}"\n'
    assert oct(environment.stat().st_mode & 0o777) == "0o600"
    printed = subprocess.run(
        [*STORYCART, *common, "launchd", "--print"], capture_output=True, timeout=60, env=env
    )
    agent = plistlib.loads(printed.stdout)
    assert not [word for word in agent["ProgramArguments"] if "s3cretPW" in word]
    assert agent["EnvironmentVariables"]["STORYCART_DB"] == PG_URL
