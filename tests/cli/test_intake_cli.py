"""`storycart intake` as a real process: its token (a 0600 file, rotated on request) and the
HTTP intake declaring an incident that `storycart incident list` then shows."""

from __future__ import annotations

import http.client
import json
import os
import stat
import subprocess
import sys

STORYCART = [sys.executable, "-m", "app.cli"]


def run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text("", "utf-8")  # the token lives beside it
    return subprocess.run(
        [*STORYCART, "--config", str(tmp_path / "config.toml"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        # PYTHONFAULTHANDLER: a process that hangs can be asked (SIGABRT) where its threads are.
        env={**os.environ, "STORYCART_DB": str(tmp_path / "cart.db"), "PYTHONFAULTHANDLER": "1"},
    )


def start(tmp_path, *args: str) -> subprocess.Popen:
    """A long-running storycart process on this test's config and database."""
    return subprocess.Popen(
        [*STORYCART, "--config", str(tmp_path / "config.toml"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "STORYCART_DB": str(tmp_path / "cart.db")},
    )


def post_alert(announcement: str, token: str, body: dict) -> tuple[int, dict]:
    """POST a generic alert to the intake that printed `announcement`."""
    assert announcement.startswith("storycart intake listening on http://127.0.0.1:"), announcement
    port = int(announcement.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(
        "POST",
        "/v1/alerts/generic",
        body=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_the_token_is_made_once_kept_private_and_rotated(tmp_path):
    first = run(tmp_path, "intake", "token").stdout.strip()
    assert len(first) >= 40 and run(tmp_path, "intake", "token").stdout.strip() == first
    path = tmp_path / "intake.token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rotated = run(tmp_path, "intake", "token", "--rotate").stdout.strip()
    assert rotated != first and path.read_text().strip() == rotated
    path.chmod(0o644)
    refused = run(tmp_path, "intake", "token")
    assert refused.returncode == 1 and "chmod 600" in refused.stderr


def test_a_monitor_declares_through_the_running_intake(tmp_path):
    token = run(tmp_path, "intake", "token").stdout.strip()
    server = start(tmp_path, "intake", "--listen", "127.0.0.1:0")
    try:
        body = {"dedup_key": "disk-full", "title": "디스크 가득 참", "severity": "warning"}
        status, answer = post_alert(server.stdout.readline(), token, body)
        assert status == 202 and answer["result"] == "declared"
    finally:
        server.terminate()
        server.wait(timeout=10)
    listed = json.loads(run(tmp_path, "incident", "list", "--json").stdout)
    assert [(i["id"], i["severity"], i["title"]) for i in listed] == [
        (answer["incident"], "SEV-3", "디스크 가득 참")
    ]


def test_the_daemon_takes_alerts_too_and_pages_for_them(tmp_path):
    token = run(tmp_path, "intake", "token").stdout.strip()
    daemon = start(tmp_path, "daemon", "--intake", "127.0.0.1:0")
    try:
        body = {"dedup_key": "api-down", "title": "API 応答なし", "severity": "critical"}
        _status, answer = post_alert(daemon.stderr.readline(), token, body)
        assert answer["result"] == "declared"
        fired = json.loads(daemon.stdout.readline())  # the daemon's next sweep pages for it
        assert (fired["incident"], fired["step"]) == (answer["incident"], "SEV-1#0")
    finally:
        daemon.terminate()
        daemon.communicate(timeout=20)
    assert daemon.returncode == 0
