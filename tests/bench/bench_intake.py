"""Alert intake under a storm: N Alertmanager notifications over HTTP (real server, real SQLite
file), spread over K groups, sent by a few concurrent senders. Prints the time to take them all,
response p50 / p99 and how many incidents were declared (goal: one per group, every alert
committed, p99 < 50 ms). Not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_intake.py --alerts 1000 --groups 20
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from app.cli.intake_server import make_server
from app.domain.clock import SystemClock
from app.domain.intake import IntakeMapping
from app.services.incident_service import IncidentService
from app.services.intake_service import IntakeService
from app.services.policy_files import load_policies, policy_sources
from app.services.policy_versions import PolicyStore
from storage.database import Database

TOKEN = "bench-token"


def notification(group: int, n: int) -> bytes:
    labels = {"alertname": f"Alert{group}", "severity": "warning", "instance": f"i-{n}"}
    body = {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="Alert{group}"}}',
        "status": "firing",
        "receiver": "storycart",
        "groupLabels": {"alertname": f"Alert{group}"},
        "commonLabels": {"alertname": f"Alert{group}", "severity": "warning"},
        "commonAnnotations": {"summary": f"group {group} is failing"},
        "externalURL": "http://alertmanager:9093",
        "alerts": [{"status": "firing", "labels": labels, "annotations": {}}],
    }
    return json.dumps(body).encode()


def send(port: int, bodies: list[bytes], latencies: list[float], statuses: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    for body in bodies:
        began = time.perf_counter()
        connection.request("POST", "/v1/alerts/alertmanager", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - began) * 1000)
        statuses.append(response.status)
    connection.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--senders", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        clock = SystemClock()
        incidents = IncidentService(database, clock, PolicyStore(database, clock))
        policy = load_policies(policy_sources(None)).get("web-service")
        server = make_server(
            "127.0.0.1", 0, TOKEN, IntakeService(incidents, policy, IntakeMapping()), "severity"
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bodies = [notification(n % args.groups, n) for n in range(args.alerts)]
        shares = [bodies[i :: args.senders] for i in range(args.senders)]
        latencies: list[float] = []
        statuses: list[int] = []
        began = time.perf_counter()
        threads = [
            threading.Thread(target=send, args=(server.server_port, share, latencies, statuses))
            for share in shares
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        declared = len(incidents.list())
        server.shutdown()
        server.server_close()
        database.close()
    ok = sum(1 for status in statuses if status in (200, 202))
    print(
        f"intake of {args.alerts:,} Alertmanager notifications in {args.groups} groups, "
        f"{args.senders} senders, SQLite"
    )
    print(f"{'measure':<34}{'value':>12}")
    print(f"{'all taken in, s':<34}{elapsed:>12.2f}")
    print(f"{'committed (2xx)':<34}{ok:>12,}")
    print(f"{'incidents declared':<34}{declared:>12,}")
    print(f"{'response p50, ms':<34}{statistics.median(latencies):>12.1f}")
    print(f"{'response p99, ms':<34}{percentile(latencies, 0.99):>12.1f}")


if __name__ == "__main__":
    main()
