"""The only watcher dies: `kill -9` of the one `storycart daemon` (a real process, [engine]
interval 5 s, a heartbeat URL served by a real HTTP receiver) while a step is about to come due.
Measures how long until `storycart status` exits non-zero (goal: within one interval), when
the heartbeat URL was last pinged (it must go quiet at once: a heartbeat service then alerts
one period later), and, once a second daemon starts after the step came due, how long until
it fires the step — once, marked late. Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_watchers.py [--interval 5] [--step-after 15]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.http_receiver import Receiver

STORYCART = [sys.executable, "-m", "app.cli"]
POLICY = """
[policy]
name = "bench"
scheme = "SEV"
title = "Bench policy"

[[severities]]
key = "SEV-1"
name = "Critical"
response = "1h"
update_every = "1h"
rounds = 1

[[types]]
key = "service"
name = "Service"

[[ladder]]
severity = "SEV-1"
after = "0s"
notify = ["On-call"]

[[ladder]]
severity = "SEV-1"
after = "{after}s"
notify = ["Tech lead"]
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def daemon(options: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [*STORYCART, "daemon", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def until(condition, seconds: float, every: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise SystemExit("bench_watchers: gave up waiting")


def run(interval: int, step_after: int) -> list[tuple[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-watchers-"))
    policy = folder / "bench.toml"
    policy.write_text(POLICY.replace("{after}", str(step_after)))
    with Receiver() as receiver:
        config = folder / "config.toml"
        url = f"http://127.0.0.1:{receiver.port}/ping"
        config.write_text(
            f'desktop_notifications = false\n[engine]\nheartbeat_url = "{url}"\n'
            f'interval = "{interval}s"\n'
        )
        options = ["--db", f"sqlite:///{folder / 'team.db'}", "--config", str(config)]
        options += ["--policy-file", str(policy), "--policy", "bench"]
        assert cli("db", "upgrade", *options).returncode == 0
        first = daemon(options)
        until(lambda: cli("status", *options).returncode == 0 and receiver.requests, 60)
        declared = cli("incident", "declare", "--title", "Bench", "--severity", "SEV-1", *options)
        code = declared.stdout.strip()
        declared_at = time.time()
        until(lambda: first.stdout.readline(), 30)  # the first step fired on time
        time.sleep(interval * 1.5)  # a pass or two in steady state, pinging
        first.send_signal(signal.SIGKILL)
        killed_at = time.time()
        first.wait()  # reaped, as systemd or init would
        status_failed = until(lambda: cli("status", *options).returncode != 0 and time.time(), 60)
        pings = [r.received_at for r in receiver.requests if r.method == "GET"]
        last_ping = max(pings)
        due_at = declared_at + step_after
        time.sleep(max(0.0, due_at - time.time()) + interval)  # the step came due meanwhile
        pings_after = sum(1 for r in receiver.requests if r.received_at > killed_at)
        quiet_for = time.time() - last_ping
        second = daemon(options)
        started = time.time()
        line = json.loads(until(lambda: second.stdout.readline(), 60))
        fired_after = time.time() - started
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=20)
        events = json.loads(cli("incident", "show", code, "--json", *options).stdout)["events"]
    once = sum(1 for event in events if event["step"] == line["step"])
    return [
        ("[engine] interval", f"{interval} s"),
        ("kill -9 → `status` exits 1", f"{status_failed - killed_at:.2f} s"),
        ("last heartbeat ping before the kill", f"{killed_at - last_ping:.2f} s"),
        ("heartbeat pings after the kill", f"{pings_after}"),
        ("heartbeat quiet when the next daemon started", f"{quiet_for:.1f} s"),
        ("next daemon start → step fired", f"{fired_after:.2f} s"),
        ("step fired as", f"{line['step']} {line['reason']!r}, late by {line['late_by_s']:.1f} s"),
        ("times the step was fired", f"{once}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=int, default=5, help="[engine] interval, seconds")
    parser.add_argument("--step-after", type=int, default=15, help="the second step's delay")
    args = parser.parse_args()
    if args.step_after < args.interval * 1.5 + 4:  # the kill must come before the step is due
        parser.error("--step-after must be at least 1.5 intervals + 4 s")
    os.environ.setdefault("STORYCART_LANG", "en")
    rows = run(args.interval, args.step_after)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
