"""Team mode: how long until a change made on one laptop is on every other laptop's board.

Starts its own PostgreSQL server (tests/pg_server.py), then N laptops: each a real process
running the real app headless (App.run_test) on that server, which prints the moment each new
incident's row is on its board and the moment its acknowledgement is. The bench process is the
other laptop: it declares incidents one by one, then acknowledges them, and records when each
commit returned. Latency = row on screen − commit, per laptop, all on one machine's clock.
Run twice: with NOTIFY (as shipped) and with the poll alone (1 s, as on SQLite), side by side.
Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_sync.py [--laptops 5] [--changes 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

LAPTOP = r"""
import asyncio, json, os, sys, time
os.environ["TEXTUAL_ANIMATIONS"] = "none"
from app.config import Flags, load_settings
from app.tui import StoryCartApp
from screens.board import BoardScreen
from widgets.board_table import BoardTable

url, mode = sys.argv[1], sys.argv[2]
if mode == "poll":  # the fallback alone, at the SQLite pace
    StoryCartApp._listen_to_the_team = lambda self, services: False

async def main():
    settings = load_settings(Flags(db=url, lang="en"), os.environ)
    app = StoryCartApp(settings, start_scheduler=False)
    async with app.run_test(size=(140, 60)) as pilot:
        while app.services is None or not app.screen_stack[0].loaded:
            await pilot.pause(0.02)
        print(json.dumps({"ready": time.time()}), flush=True)
        seen, acked = set(), set()
        table = app.screen_stack[0].query_one(BoardTable)
        while True:  # until the bench kills this laptop
            for code in list(table.order):
                if code not in seen:
                    seen.add(code)
                    print(json.dumps({"row": code, "at": time.time()}), flush=True)
                if code not in acked and table.cell_text(code, "ack").startswith("✓"):
                    acked.add(code)
                    print(json.dumps({"ack": code, "at": time.time()}), flush=True)
            await pilot.pause(0.005)

asyncio.run(main())
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def run_mode(url: str, mode: str, laptops: int, changes: int, repo: Path) -> dict:
    from app.domain.clock import SystemClock
    from app.services.incident_service import IncidentService
    from app.services.policy_set import load_policies, policy_sources
    from app.services.policy_versions import PolicyVersions
    from storage.database import Database

    environment = {**os.environ, "PYTHONPATH": str(repo)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", LAPTOP, url, mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=environment,
        )
        for _ in range(laptops)
    ]
    for process in processes:  # every board on screen before the first change
        json.loads(process.stdout.readline())
    database = Database.open(url)
    clock = SystemClock()
    incidents = IncidentService(database, clock, PolicyVersions(database, clock))
    web = load_policies(policy_sources(None)).get("web-service")
    committed: dict[tuple[str, str], float] = {}
    codes = []
    for number in range(changes):
        code = incidents.declare(web, f"sync {mode} {number}", "SEV-3", "bench")
        committed[("row", code)] = time.time()
        codes.append(code)
        time.sleep(0.15)
    for code in codes:
        incidents.acknowledge(code, "bench")
        committed[("ack", code)] = time.time()
        time.sleep(0.15)
    time.sleep(2.5)  # the poll's slowest pass
    latencies: dict[str, list[float]] = {"row": [], "ack": []}
    missing = 0
    for process in processes:
        process.kill()
        out, _ = process.communicate()
        shown = {}
        for line in out.splitlines():
            event = json.loads(line)
            for kind in ("row", "ack"):
                if kind in event:
                    shown[(kind, event[kind])] = event["at"]
        for key, at in committed.items():
            if key in shown:
                latencies[key[0]].append((shown[key] - at) * 1000)
            else:
                missing += 1
    database.close()
    return {"latencies": latencies, "missing": missing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laptops", type=int, default=5)
    parser.add_argument("--changes", type=int, default=40)
    args = parser.parse_args()
    repo = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(repo))
    from tests.pg_server import PostgresServer

    with tempfile.TemporaryDirectory() as home:
        os.environ.setdefault("XDG_DATA_HOME", str(Path(home) / "data"))
        os.environ.setdefault("XDG_CONFIG_HOME", str(Path(home) / "config"))
        server = PostgresServer()
        server.start()
        try:
            results = {
                mode: run_mode(server.fresh_database(), mode, args.laptops, args.changes, repo)
                for mode in ("notify", "poll")
            }
        finally:
            server.stop()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Team sync, {args.laptops} laptops × {args.changes} declarations + acks ({stamp})")
    print(f"{'mode':<8} {'change':<8} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} missing")
    for mode, result in results.items():
        for kind, values in result["latencies"].items():
            if not values:
                print(f"{mode:<8} {kind:<8} {0:>5} {'—':>8} {'—':>8} {'—':>8} {result['missing']}")
                continue
            print(
                f"{mode:<8} {kind:<8} {len(values):>5} {percentile(values, 0.5):>8.0f} "
                f"{percentile(values, 0.99):>8.0f} {max(values):>8.0f} {result['missing']}"
            )
    print("goal: p99 < 1000 ms with NOTIFY")


if __name__ == "__main__":
    main()
