"""From a monitor's alert to the phone, with only `storycart intake --listen` running: N
Alertmanager notifications (one critical group each, so each declares a SEV-1 whose ladder pages
at once) are posted to a real intake process on a real SQLite file; the intake's own watcher
fires the step and delivers the page to a local HTTP receiver (json://) and a local SMTP server
(mailto://). Latency = page received − alert posted, per alert and per channel, on one clock.
Goal: p99 < 1 s over 100 alerts. Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_chain.py [--alerts 100] [--every 0.1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.http_receiver import Receiver
from tests.smtp_receiver import MailReceiver

STORYCART = [sys.executable, "-m", "app.cli"]


class TimedMailbox(MailReceiver):
    """The SMTP server, noting when each message arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        self.arrivals.append((time.time(), self.messages[-1]["Subject"] or ""))
        return answer


def notification(n: int) -> bytes:
    """An Alertmanager webhook (version 4) for one critical alert, its own group."""
    labels = {"alertname": f"CPUHot{n}", "severity": "critical", "instance": f"web-{n}:9100"}
    return json.dumps(
        {
            "version": "4",
            "groupKey": f'{{}}:{{alertname="CPUHot{n}"}}',
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": "storycart",
            "groupLabels": {"alertname": f"CPUHot{n}"},
            "commonLabels": labels,
            "commonAnnotations": {"summary": f"High CPU core temperature on web-{n}"},
            "externalURL": "http://alertmanager:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": labels,
                    "annotations": {"summary": f"High CPU core temperature on web-{n}"},
                    "startsAt": "2026-12-06T10:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus:9090/graph",
                    "fingerprint": f"{n:016x}",
                }
            ],
        }
    ).encode()


def storycart(folder: Path, *args: str, **popen) -> subprocess.Popen:
    environment = {**os.environ, "STORYCART_DB": str(folder / "cart.db")}
    return subprocess.Popen(
        [*STORYCART, "--config", str(folder / "config.toml"), "--lang", "en", *args],
        env=environment,
        text=True,
        **popen,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=100)
    parser.add_argument("--every", type=float, default=0.1, help="seconds between alerts")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for pages")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as temp,
        Receiver() as receiver,
        TimedMailbox() as mailbox,
    ):
        folder = Path(temp)
        mail = f"mailto://127.0.0.1:{mailbox.port}?from=cart@example.org&to=oncall@example.org"
        (folder / "config.toml").write_text(
            f'[channels.hook]\nurl = "json://127.0.0.1:{receiver.port}/hook"\n'
            f'[channels.mail]\nurl = "{mail}"\n',
            "utf-8",
        )
        token = storycart(folder, "intake", "token", stdout=subprocess.PIPE).communicate()[0]
        intake = storycart(
            folder,
            "intake",
            "--listen",
            "127.0.0.1:0",
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            announcement = intake.stdout.readline().strip()
            port = int(announcement.rsplit(":", 1)[1].split()[0])
            posted = send(port, token.strip(), args.alerts, args.every)
            deadline = time.time() + args.wait
            while time.time() < deadline and not all_paged(posted, receiver, mailbox):
                time.sleep(0.05)
        finally:
            intake.terminate()
            intake.wait(timeout=20)
        report(posted, receiver, mailbox)


def send(port: int, token: str, count: int, every: float) -> dict[str, float]:
    """Post the alerts one by one; returns each declared incident's code → when it was posted."""
    posted: dict[str, float] = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for n in range(count):
        began = time.time()
        connection.request("POST", "/v1/alerts/alertmanager", body=notification(n), headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        if answer.get("incident"):
            posted[answer["incident"]] = began
        time.sleep(max(0.0, every - (time.time() - began)))
    connection.close()
    return posted


def first_pages(posted: dict[str, float], receiver: Receiver, mailbox: TimedMailbox):
    """Each incident's first page on each channel: (hook, mail) latencies in ms."""
    hook: dict[str, float] = {}
    for request in list(receiver.requests):
        text = request.body.decode("utf-8", "replace")
        for code in posted:
            if code in text and code not in hook:
                hook[code] = (request.received_at - posted[code]) * 1000
    mail: dict[str, float] = {}
    for at, subject in list(mailbox.arrivals):
        for code in posted:
            if code in subject and code not in mail:
                mail[code] = (at - posted[code]) * 1000
    return hook, mail


def all_paged(posted, receiver, mailbox) -> bool:
    hook, mail = first_pages(posted, receiver, mailbox)
    return bool(posted) and len(hook) == len(posted) and len(mail) == len(posted)


def report(posted, receiver, mailbox) -> None:
    hook, mail = first_pages(posted, receiver, mailbox)
    print(f"{'channel':<10}{'alerts':>8}{'paged':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, latencies in (("http", hook), ("smtp", mail)):
        values = list(latencies.values())
        if not values:
            print(f"{name:<10}{len(posted):>8}{0:>8}{'—':>10}{'—':>10}{'—':>10}")
            continue
        print(
            f"{name:<10}{len(posted):>8}{len(values):>8}{statistics.median(values):>10.0f}"
            f"{percentile(values, 0.99):>10.0f}{max(values):>10.0f}"
        )
    print("goal: every alert paged on both channels, p99 < 1000 ms")


if __name__ == "__main__":
    main()
