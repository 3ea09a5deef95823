"""Acknowledging from the phone: how long from opening a page's acknowledge link (pressing its
button: a POST to the intake) until every other laptop's board shows the acknowledgement.

Per database (a SQLite file, then a PostgreSQL server the bench starts): N laptops, each a real
process running the real app headless (App.run_test) that prints when an incident's ack cell
turns to ✓ (the laptop of bench_sync.py); a real `storycart intake --listen` process serving
the links; the bench declares incidents, issues one link each, and presses them one by one.
Latency = ✓ on a board − the button pressed, on one machine's clock. Goal: p99 < 1 s.
Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_ack.py [--laptops 3] [--acks 30]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
sys.path[:0] = [str(REPO), str(BENCH)]

from bench_sync import LAPTOP, percentile  # noqa: E402

STORYCART = [sys.executable, "-m", "app.cli"]


def press(port: int, link_path: str) -> float:
    """POST the link's button; returns when it was pressed (time.time())."""
    pressed = time.time()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", link_path, body=b"")
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"bench_ack: the link answered {response.status}")
    return pressed


def run_database(url: str, laptops: int, acks: int, folder: Path) -> dict:
    from app.domain.clock import SystemClock
    from app.services.ack_links import AckLinks
    from app.services.incident_service import IncidentService
    from app.services.policy_set import load_policies, policy_sources
    from app.services.policy_versions import PolicyVersions
    from storage.database import Database

    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    config = folder / "config.toml"
    config.write_text("", "utf-8")
    intake = subprocess.Popen(
        [*STORYCART, "--config", str(config), "--db", url, "intake", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment,
    )
    port = int(intake.stdout.readline().strip().rsplit(":", 1)[1].split()[0])
    boards = [
        subprocess.Popen(
            [sys.executable, "-c", LAPTOP, url, "notify"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=environment,
        )
        for _ in range(laptops)
    ]
    for board in boards:  # every board on screen before the first incident
        json.loads(board.stdout.readline())
    database = Database.open(url)
    clock = SystemClock()
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    links = AckLinks(database, clock, incidents)
    web = load_policies(policy_sources(None)).get("web-service")
    tokens = {}
    for number in range(acks):
        code = incidents.declare(web, f"ack link {number}", "SEV-3", "bench")
        tokens[code] = links.issue(code, "L1 on-call engineer", "phone")
    time.sleep(3)  # every board has every row (the poll's slowest pass, and then some)
    pressed = {}
    for code, token in tokens.items():
        pressed[code] = press(port, f"/ack/{token}")
        time.sleep(0.15)
    time.sleep(2.5)
    latencies, missing = [], 0
    for board in boards:
        board.kill()
        out, _ = board.communicate()
        shown = {}
        for line in out.splitlines():
            event = json.loads(line)
            if "ack" in event:
                shown[event["ack"]] = event["at"]
        for code, at in pressed.items():
            if code in shown:
                latencies.append((shown[code] - at) * 1000)
            else:
                missing += 1
    intake.terminate()
    intake.wait(timeout=20)
    database.close()
    return {"latencies": latencies, "missing": missing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laptops", type=int, default=3)
    parser.add_argument("--acks", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    from tests.pg_server import PostgresServer

    results = {}
    with tempfile.TemporaryDirectory() as home:
        folder = Path(home)
        os.environ.setdefault("XDG_DATA_HOME", str(folder / "data"))
        os.environ.setdefault("XDG_CONFIG_HOME", str(folder / "config"))
        sqlite = f"sqlite:///{folder / 'cart.db'}"
        results["sqlite"] = run_database(sqlite, args.laptops, args.acks, folder)
        if not args.no_postgres:
            server = PostgresServer()
            server.start()
            try:
                url = server.fresh_database()
                results["postgresql"] = run_database(url, args.laptops, args.acks, folder)
            finally:
                server.stop()
    print(f"Ack link pressed → ✓ on {args.laptops} other boards, {args.acks} links per database")
    print(f"{'database':<12} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} missing")
    for name, result in results.items():
        values = result["latencies"]
        if not values:
            print(f"{name:<12} {0:>5} {'—':>8} {'—':>8} {'—':>8} {result['missing']}")
            continue
        print(
            f"{name:<12} {len(values):>5} {percentile(values, 0.5):>8.0f} "
            f"{percentile(values, 0.99):>8.0f} {max(values):>8.0f} {result['missing']}"
        )
    print("goal: p99 < 1000 ms on both databases")


if __name__ == "__main__":
    main()
