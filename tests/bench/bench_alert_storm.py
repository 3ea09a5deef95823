"""An alert storm through the intake: 1,000 Alertmanager notifications across 200 groups (every
group critical, so each declares a SEV-1 whose ladder pages at once) posted by 20 senders within
one second to a real `storycart intake --listen`; the intake's own watcher (or, with --daemon,
a `storycart daemon` beside it as well) fires each step and pages a local HTTP receiver
(json://). Latency = the group's page received − the group's first alert posted, on one clock.
Goal: every group paged once, p99 < 2 s, on SQLite and PostgreSQL (--postgres, a throwaway
server from tests/pg_server.py). Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_alert_storm.py [--alerts 1000] \\
        [--groups 200] [--senders 20] [--within 1] [--daemon] [--postgres]
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
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.http_receiver import Receiver

STORYCART = [sys.executable, "-m", "app.cli"]


def notification(group: int, n: int) -> bytes:
    """An Alertmanager webhook (version 4): alert `n`, one of group `group`'s instances."""
    labels = {"alertname": f"Storm{group}", "severity": "critical", "instance": f"web-{n}:9100"}
    return json.dumps(
        {
            "version": "4",
            "groupKey": f'{{}}:{{alertname="Storm{group}"}}',
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": "storycart",
            "groupLabels": {"alertname": f"Storm{group}"},
            "commonLabels": {"alertname": f"Storm{group}", "severity": "critical"},
            "commonAnnotations": {"summary": f"Storm group {group} is failing"},
            "externalURL": "http://alertmanager:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": labels,
                    "annotations": {"summary": f"web-{n} is failing"},
                    "startsAt": "2026-12-06T10:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus:9090/graph",
                    "fingerprint": f"{n:016x}",
                }
            ],
        }
    ).encode()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Posted:
    """Each group's first post (time.time()) and the incident its answer named."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first: dict[int, float] = {}
        self.incident: dict[int, str] = {}
        self.statuses: list[int] = []


def send(port: int, token: str, share: list[tuple[float, int, int]], posted: Posted) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for due, group, n in share:
        time.sleep(max(0.0, due - time.time()))
        began = time.time()
        connection.request(
            "POST", "/v1/alerts/alertmanager", body=notification(group, n), headers=headers
        )
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        with posted.lock:
            posted.first[group] = min(posted.first.get(group, began), began)
            posted.statuses.append(response.status)
            if answer.get("incident"):
                posted.incident[group] = answer["incident"]
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--within", type=float, default=1.0, help="seconds the posts span")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for pages")
    parser.add_argument("--daemon", action="store_true", help="a daemon runs beside the intake")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    server = None
    if args.postgres:
        from tests.pg_server import PostgresServer

        server = PostgresServer()
        server.start()
    try:
        with tempfile.TemporaryDirectory() as temp, Receiver() as receiver:
            run(args, Path(temp), server, receiver)
    finally:
        if server is not None:
            server.stop()


def run(args, folder: Path, server, receiver: Receiver) -> None:
    url = server.fresh_database() if server is not None else f"sqlite:///{folder / 'cart.db'}"
    (folder / "config.toml").write_text(
        f'[channels.bench]\nurl = "json://127.0.0.1:{receiver.port}/page"\n', "utf-8"
    )
    environment = {**os.environ, "STORYCART_DB": url}
    command = [*STORYCART, "--config", str(folder / "config.toml"), "--lang", "en"]
    token = subprocess.run(
        [*command, "intake", "token"], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()
    processes = [
        subprocess.Popen(
            [*command, "intake", "--listen", "127.0.0.1:0"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=(folder / "intake.err").open("w"),
            text=True,
        )
    ]
    if args.daemon:
        processes.append(
            subprocess.Popen(
                [*command, "daemon"],
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=(folder / "daemon.err").open("w"),
            )
        )
    posted = Posted()
    try:
        announcement = processes[0].stdout.readline().strip()
        if not announcement.startswith("storycart intake listening on"):
            raise SystemExit(f"the intake did not start: {announcement}")
        port = int(announcement.rsplit(":", 1)[1].split()[0])
        time.sleep(3)  # the watchers' first passes are done (Apprise loaded)
        began = time.time() + 0.2
        plan = [
            (began + args.within * n / args.alerts, n % args.groups, n) for n in range(args.alerts)
        ]
        senders = [
            threading.Thread(target=send, args=(port, token, plan[i :: args.senders], posted))
            for i in range(args.senders)
        ]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join()
        taken_in = time.time() - began
        deadline = time.time() + args.wait
        while time.time() < deadline and len(paged(receiver)[0]) < len(posted.incident):
            time.sleep(0.1)
        time.sleep(1)  # anything that would arrive twice has time to
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    report(args, server, posted, receiver, taken_in)
    report_stages(url, posted, receiver)
    for name in ("intake.err", "daemon.err"):
        text = (folder / name).read_text() if (folder / name).exists() else ""
        if text.strip():
            print(f"{name}: {text[-1500:]}", file=sys.stderr)


def paged(receiver: Receiver) -> tuple[dict[str, float], int]:
    """Each incident's first page (received at, time.time()), and pages that came twice."""
    first: dict[str, float] = {}
    keys = []
    for request in list(receiver.requests):
        title = json.loads(request.body).get("title", "")
        code = title.split(" ", 1)[0]
        first[code] = min(first.get(code, request.received_at), request.received_at)
        keys.append(request.headers.get("X-Storycart-Idempotency-Key"))
    return first, len(keys) - len(set(keys))


def report(args, server, posted: Posted, receiver: Receiver, taken_in: float) -> None:
    first, twice = paged(receiver)
    latencies = [
        (first[code] - posted.first[group]) * 1000
        for group, code in posted.incident.items()
        if code in first
    ]
    ok = sum(status in (200, 202) for status in posted.statuses)
    database = "PostgreSQL" if server is not None else "SQLite"
    print(
        f"Alert storm: {args.alerts} Alertmanager alerts in {args.groups} groups, "
        f"{args.senders} senders within {args.within:g} s, "
        f"{'intake + daemon' if args.daemon else 'intake'}, {database}; "
        f"all posted in {taken_in:.2f} s, {ok} answered 2xx"
    )
    print("| incidents | paged | twice | first alert→page p50 ms | p99 ms | max ms |")
    print("|-----------|-------|-------|-------------------------|--------|--------|")
    values = latencies or [float("nan")]
    print(
        f"| {len(posted.incident):9d} | {len(latencies):5d} | {twice:5d} | "
        f"{statistics.median(values):23.0f} | {percentile(values, 0.99):6.0f} | "
        f"{max(values):6.0f} |"
    )
    print(f"goal: {args.groups} incidents, each paged once, p99 < 2000 ms")


def report_stages(url: str, posted: Posted, receiver: Receiver) -> None:
    """Where the wait went, per incident: first alert posted → declared (incident.declared_at)
    → its first step fired (escalation_event.fired_at) → paged (received here); one clock."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    query = text(
        "SELECT i.code, i.declared_at, min(e.fired_at) FROM incident i "
        "LEFT JOIN escalation_event e ON e.incident_id = i.id GROUP BY i.code, i.declared_at"
    )
    with engine.connect() as connection:
        stored = {code: (declared, fired) for code, declared, fired in connection.execute(query)}
    engine.dispose()
    first, _twice = paged(receiver)
    stages: dict[str, list[float]] = {"declared": [], "fired": [], "paged": []}
    for group, code in posted.incident.items():
        if code not in stored or code not in first or stored[code][1] is None:
            continue
        declared, fired = (moment_of(value) for value in stored[code])
        stages["declared"].append((declared - posted.first[group]) * 1000)
        stages["fired"].append((fired - declared) * 1000)
        stages["paged"].append((first[code] - fired) * 1000)
    print("| stage                         | p50 ms | p99 ms |")
    print("|-------------------------------|--------|--------|")
    labels = {
        "declared": "first alert posted → declared",
        "fired": "declared → first step fired",
        "paged": "fired → page received",
    }
    for name, values in stages.items():
        values = values or [float("nan")]
        print(
            f"| {labels[name]:29s} | {statistics.median(values):6.0f} | "
            f"{percentile(values, 0.99):6.0f} |"
        )


def moment_of(value) -> float:
    """A stored instant as time.time(): PostgreSQL gives aware datetimes, SQLite ISO text."""
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


if __name__ == "__main__":
    main()
