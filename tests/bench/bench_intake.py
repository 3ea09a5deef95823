"""Alert intake under a storm: N Alertmanager notifications spread over K groups, sent at a
steady rate by S concurrent senders (each on a keep-alive connection) to a real `storycart
intake` process on a real SQLite file, while I slow clients hold connections open with half a
request head (re-opened whenever the server drops one). Prints a table: refused connections
(goal 0), answers that were not 2xx (goal 0), response p50 / p99 (goal p99 < 50 ms), and from
the database afterwards: incidents (goal one per group) and each group's count against what was
sent (goal: equal; nothing lost, nothing twice). Not a test.

The first second is shown apart: the intake's first alert compiles its SQL (~150 ms) and every
group's first alert declares an incident (~10 ms each, one at a time), so a storm that opens
20 incidents at once queues behind them.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_intake.py --alerts 1000 --groups 20 \\
        --senders 50 --rate 100 --idle 200
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlmodel import select as select_rows

from app.domain.clock import SystemClock
from app.services.incident_service import IncidentService
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.watch_tables import IntakeKeyRecord

HALF_A_HEAD = b"POST /v1/alerts/alertmanager HTTP/1.1\r\nHost: slow\r\nContent-Le"


def group_key(group: int) -> str:
    return f'{{}}:{{alertname="Alert{group}"}}'


def notification(group: int, n: int) -> bytes:
    labels = {"alertname": f"Alert{group}", "severity": "warning", "instance": f"i-{n}"}
    body = {
        "version": "4",
        "groupKey": group_key(group),
        "status": "firing",
        "receiver": "storycart",
        "groupLabels": {"alertname": f"Alert{group}"},
        "commonLabels": {"alertname": f"Alert{group}", "severity": "warning"},
        "commonAnnotations": {"summary": f"group {group} is failing"},
        "externalURL": "http://alertmanager:9093",
        "alerts": [{"status": "firing", "labels": labels, "annotations": {}}],
    }
    return json.dumps(body).encode()


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.steady: list[float] = []  # those sent after the first second (the groups declared)
        self.statuses: list[int] = []
        self.refused = 0  # a connection refused or reset: a sender would see an error
        self.idle_reopened = 0


def send(
    port: int, token: str, share: list[tuple[float, bytes]], tally: Tally, start: float
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for due, body in share:
        time.sleep(max(0.0, due - time.perf_counter()))
        while True:
            began = time.perf_counter()
            try:
                connection.request("POST", "/v1/alerts/alertmanager", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                with tally.lock:
                    tally.refused += 1
                connection.close()  # sent again on a new connection: counted, never lost
        with tally.lock:
            took_ms = (time.perf_counter() - began) * 1000
            tally.latencies.append(took_ms)
            if due - start >= 1.0:
                tally.steady.append(took_ms)
            tally.statuses.append(response.status)
    connection.close()


def hold_idle(port: int, count: int, stop: threading.Event, tally: Tally) -> None:
    """`count` connections with half a request head, re-opened as the server drops them."""

    def opened() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(HALF_A_HEAD)
        return sock

    held = [opened() for _ in range(count)]
    while not stop.is_set():
        readable, _, _ = select.select(held, [], [], 0.2)
        for sock in readable:
            if sock.recv(4096) == b"":  # dropped by the server (its idle timeout)
                held[held.index(sock)] = opened()
                sock.close()
                with tally.lock:
                    tally.idle_reopened += 1
    for sock in held:
        sock.close()


def start_intake(folder: Path) -> tuple[subprocess.Popen, str, int]:
    command = [sys.executable, "-m", "app.cli", "--config", str(folder / "config.toml")]
    environment = {**os.environ, "STORYCART_DB": str(folder / "bench.db")}
    (folder / "config.toml").write_text("", "utf-8")
    token = subprocess.run(
        [*command, "intake", "token"], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()
    server = subprocess.Popen(
        [*command, "intake", "--listen", "127.0.0.1:0"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    announcement = server.stdout.readline()
    if not announcement.startswith("storycart intake listening on"):
        raise SystemExit(f"the intake did not start: {announcement}{server.stderr.read()}")
    return server, token, int(announcement.rsplit(":", 1)[1])


def stored(folder: Path, sent: dict[int, int]) -> tuple[int, int, int]:
    """Incidents declared, groups whose count matches what was sent, groups whose incident has
    exactly one declaration and sent-1 repeat lines."""
    database = Database.open(f"sqlite:///{folder / 'bench.db'}")
    try:
        clock = SystemClock()
        incidents = IncidentService(database, clock, PolicyVersions(database, clock))
        with database.session() as session:
            keys = {row.dedup_key: row for row in session.exec(select_rows(IntakeKeyRecord))}
        counted = once = 0
        for group, number in sent.items():
            row = keys.get(f"alertmanager:{group_key(group)}")
            if row is None:
                continue
            counted += row.count == number
            timeline = incidents.view(row.incident_code).timeline
            declared = sum(entry.kind == "declared" for entry in timeline)
            repeats = sum("fired again" in entry.text for entry in timeline)
            once += (declared, repeats) == (1, number - 1)
        return len(incidents.list()), counted, once
    finally:
        database.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument(
        "--rate", type=float, default=100.0, help="alerts per second, in all (0: all at once)"
    )
    parser.add_argument("--idle", type=int, default=200, help="slow connections held open")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        server, token, port = start_intake(folder)
        tally = Tally()
        stop = threading.Event()
        try:
            holder = threading.Thread(target=hold_idle, args=(port, args.idle, stop, tally))
            holder.start()
            began = time.perf_counter() + 0.5  # the idle connections are open by then
            plan = [
                (
                    began + (n / args.rate if args.rate > 0 else 0.0),
                    notification(n % args.groups, n),
                )
                for n in range(args.alerts)
            ]
            senders = [
                threading.Thread(
                    target=send, args=(port, token, plan[i :: args.senders], tally, began)
                )
                for i in range(args.senders)
            ]
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join()
            elapsed = time.perf_counter() - began
            stop.set()
            holder.join()
        finally:
            server.terminate()
            server.communicate(timeout=30)
        sent = {group: len(range(group, args.alerts, args.groups)) for group in range(args.groups)}
        declared, counted, once = stored(folder, sent)
    ok = sum(1 for status in tally.statuses if status in (200, 202))
    print(
        f"intake of {args.alerts:,} Alertmanager notifications in {args.groups} groups, "
        f"{args.senders} senders at {f'{args.rate:g}/s' if args.rate > 0 else 'once'}, "
        f"{args.idle} slow connections held, SQLite"
    )
    print(f"{'measure':<44}{'value':>12}")
    print(f"{'all taken in, s':<44}{elapsed:>12.2f}")
    print(f"{'answered 2xx (goal: all)':<44}{ok:>12,}")
    print(f"{'not 2xx (goal 0)':<44}{len(tally.statuses) - ok:>12,}")
    print(f"{'refused or reset connections (goal 0)':<44}{tally.refused:>12,}")
    print(f"{'slow connections dropped by the server':<44}{tally.idle_reopened:>12,}")
    print(f"{'response p50, ms':<44}{statistics.median(tally.latencies):>12.1f}")
    print(f"{'response p99, ms (goal < 50)':<44}{percentile(tally.latencies, 0.99):>12.1f}")
    print(f"{'response max, ms':<44}{max(tally.latencies):>12.1f}")
    if tally.steady:  # without the first second: cold start and the groups' declarations
        steady = percentile(tally.steady, 0.99)
        print(f"{'response p99 after the first second, ms':<44}{steady:>12.1f}")
    print(f"{'incidents declared (goal: groups)':<44}{declared:>12,}")
    print(f"{'groups counted exactly as sent':<44}{counted:>12,}")
    print(f"{'groups declared once, each repeat noted once':<44}{once:>12,}")


if __name__ == "__main__":
    main()
