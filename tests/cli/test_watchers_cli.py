"""Someone always watching, from the command line, with real processes: `storycart status`
(exit 1 and one sentence when open incidents have no watcher or a channel is broken),
`storycart daemon install` (systemd unit, launchd agent), and several engines on one database
— two daemons and the engine piece in this process — firing each step exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import plistlib
import signal
import subprocess
import sys
import time

import pytest

from app.config import Flags, load_settings
from app.domain.clock import SystemClock
from app.services.watching import watching
from tests.cli.test_daemon import FAST_POLICY

STORYCART = [sys.executable, "-m", "app.cli"]


def cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60, env=env)


def wait_for(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.1)


def status(db: list[str]) -> tuple[int, dict, str]:
    done = cli("status", "--json", *db)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_status_fails_while_open_incidents_have_nobody_watching(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    assert cli("db", "upgrade", *db).returncode == 0
    returncode, report, _err = status(db)
    assert returncode == 0 and report["ok"] and report["open_incidents"] == 0
    code = cli("incident", "declare", "--title", "Queue stuck", "--severity", "SEV-1", *db)
    code = code.stdout.strip()
    done = cli("status", *db)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "storycart: Nobody fires escalations while incidents are open (1): nothing will page "
        "(start `storycart daemon`)."
    )
    # Nobody fired the first step: it waits, overdue.
    assert f"Next step: {code} step 1, round 1 (L1 on-call engineer) due" in done.stdout
    assert "overdue by" in done.stdout
    assert "Intake: not listening" in done.stdout

    daemon = subprocess.Popen(
        [*STORYCART, "daemon", *db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        report = wait_for(lambda: (r := status(db))[0] == 0 and r[1])
        (watcher,) = report["watchers"]
        assert (watcher["kind"], watcher["pid"], watcher["alive"]) == ("daemon", daemon.pid, True)
        assert watcher["age_s"] < 30 and report["problems"] == []
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=20)
    returncode, report, err = status(db)  # a clean exit: nobody at once, not 75 s later
    assert returncode == 1 and report["watchers"] == [] and "Nobody fires" in err
    korean = cli("status", "--lang", "ko", *db)
    assert korean.returncode == 1 and "에스컬레이션을 실행하는 프로세스가 없습니다" in korean.stderr


def test_status_fails_when_a_paging_channel_is_broken(tmp_path, receiver):
    from app.cli.services import open_services
    from app.domain.clock import FakeClock
    from app.services.alert_delivery import AlertDeliverer
    from app.services.policy_set import load_policies, policy_sources

    config = tmp_path / "config.toml"
    config.write_text(f'[channels.hook]\nurl = "json://127.0.0.1:{receiver.port}/hook"\n')
    url = f"sqlite:///{tmp_path / 'team.db'}"
    settings = load_settings(Flags(db=url, config=str(config)), os.environ)
    receiver.failing = True
    with open_services(settings, FakeClock()) as services:  # a page was tried, and failed
        policy = load_policies(policy_sources(None)).get("web-service")
        services.incidents.declare(policy, title="Checkout", severity="SEV-1", actor="민지")
        services.incidents.fire_due()
        clock = services.incidents.clock
        deliverer = AlertDeliverer(services.database, clock, (), paging=settings.channels)
        assert any(delivery.error for delivery in deliverer.deliver_pending())
        services.incidents.resolve(services.incidents.list()[0].record.code, "민지")
    db = ["--db", url, "--config", str(config)]
    returncode, report, err = status(db)
    assert returncode == 1 and report["open_incidents"] == 0
    assert report["channels"][0]["name"] == "hook" and report["channels"][0]["state"] == "broken"
    assert err.startswith("storycart: Paging channel hook is broken (last error:")


def test_status_fails_while_pages_carry_links_that_no_intake_serves(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[intake]\npublic_url = "https://oncall.example.org:9787"\n')
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}", "--config", str(config)]
    assert cli("db", "upgrade", *db).returncode == 0
    returncode, report, err = status(db)
    assert returncode == 1 and not report["intake"]["listening"]
    assert err.startswith(
        "storycart: Pages carry acknowledge links to https://oncall.example.org:9787, but no "
        "intake is listening there"
    )


def test_daemon_install_writes_a_systemd_user_unit_once(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("desktop_notifications = false\n")
    url = f"sqlite:///{tmp_path / 'team db.sqlite'}"
    db = ["--db", url, "--config", str(config)]
    done = cli("daemon", "install", "--manager", "systemd", *db)
    assert done.returncode == 0, done.stderr
    unit = tmp_path / "config" / "systemd" / "user" / "storycart.service"  # XDG_CONFIG_HOME
    assert done.stdout.splitlines() == [
        f"Wrote {unit}",
        "Start it (and at every login): systemctl --user enable --now storycart.service",
    ]
    text = unit.read_text()
    (exec_start,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    assert exec_start.endswith(f"daemon --intake 127.0.0.1:9787 --config {config.resolve()}")
    # The database is in the environment file beside the unit, never on ExecStart (`ps`).
    environment = unit.with_name("storycart.env")
    assert f"EnvironmentFile={environment}" in text.splitlines()
    assert environment.read_text() == f'STORYCART_DB="{url}"\n'
    assert oct(environment.stat().st_mode & 0o777) == "0o600"
    assert "WantedBy=default.target" in text and "Restart=on-failure" in text
    assert oct(unit.stat().st_mode & 0o777) == "0o600"
    again = cli("daemon", "install", "--manager", "systemd", *db)
    assert again.returncode == 1 and unit.read_text() == text
    assert again.stderr.strip() == f"storycart: {unit} exists already; add --force to replace it."
    forced = cli(
        "daemon", "install", "--manager", "systemd", "--intake", "0.0.0.0:9000", "--force", *db
    )
    assert forced.returncode == 0 and "--intake 0.0.0.0:9000" in unit.read_text()


def test_daemon_install_writes_a_launchd_agent_and_prints_it(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    printed = subprocess.run(
        [*STORYCART, "daemon", "install", "--manager", "launchd", "--print", *db],
        capture_output=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    agent = plistlib.loads(printed.stdout)
    assert agent["Label"] == "org.storycart.daemon"
    assert agent["ProgramArguments"][-3:] == ["daemon", "--intake", "127.0.0.1:9787"]
    assert agent["EnvironmentVariables"]["STORYCART_DB"] == f"sqlite:///{tmp_path / 'team.db'}"
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] is True
    assert agent["StandardErrorPath"].endswith("daemon.log")
    home = {**os.environ, "HOME": str(tmp_path / "home")}
    done = cli("daemon", "install", "--manager", "launchd", *db, env=home)
    path = tmp_path / "home" / "Library" / "LaunchAgents" / "org.storycart.daemon.plist"
    assert done.returncode == 0 and f"launchctl load -w {path}" in done.stdout
    assert plistlib.loads(path.read_bytes()) == agent


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_daemons_and_an_engine_in_process_fire_each_step_once(tmp_path, backend, request):
    policy = tmp_path / "fast.toml"
    policy.write_text(FAST_POLICY)
    url = (
        f"sqlite:///{tmp_path / 'team.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    db = ["--db", url, "--policy-file", str(policy), "--policy", "fast"]
    assert cli("db", "upgrade", *db).returncode == 0
    settings = load_settings(Flags(db=url), os.environ)
    daemons = [
        subprocess.Popen(
            [*STORYCART, "daemon", *db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    here: list = []
    try:
        async with watching(settings, SystemClock(), "intake", on_fired=here.extend):
            report = await asyncio.to_thread(
                wait_for, lambda: len((r := status(db))[1]["watchers"]) == 3 and r[1]
            )
            assert sorted(w["kind"] for w in report["watchers"]) == ["daemon", "daemon", "intake"]
            assert report["intake"]["listening"]
            declare = ["incident", "declare", "--severity", "SEV-1", *db]
            codes = [
                (await asyncio.to_thread(cli, *declare, "--title", f"incident {n}")).stdout.strip()
                for n in range(3)
            ]

            def all_fired():
                shown = [
                    json.loads(cli("incident", "show", c, "--json", *db).stdout) for c in codes
                ]
                return all(len(s["events"]) == 3 for s in shown)

            await asyncio.to_thread(wait_for, all_fired, 30)
    finally:
        outputs = []
        for daemon in daemons:
            daemon.send_signal(signal.SIGTERM)
            outputs.append(daemon.communicate(timeout=20))
    fired = [(item.code, item.step.step_id) for item in here]
    for out, _err in outputs:
        fired += [(line["incident"], line["step"]) for line in map(json.loads, out.splitlines())]
    assert len(fired) == len(set(fired)) == 9, fired  # each step once, whoever fired it
    assert {code for code, _ in fired} == set(codes)
    assert [d.returncode for d in daemons] == [0, 0]


def test_the_kiosk_server_watches_with_no_browser_connected(tmp_path):
    from tests.cli.test_kiosk_cli import _free_port

    db = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    assert cli("db", "upgrade", *db).returncode == 0
    server = subprocess.Popen(
        [*STORYCART, *db, "kiosk", "--serve", "--port", str(_free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        report = wait_for(lambda: (r := status(db))[1]["watchers"] and r[1])
        assert [(w["kind"], w["pid"]) for w in report["watchers"]] == [("kiosk", server.pid)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
