"""Board refresh cost: 200 active incidents, each with its clocks, refreshed once a second.

Runs the real app headless on a SQLite file holding 200 open incidents (web-service and ai-ops,
every severity, some acknowledged, some overdue, data incidents with a regulatory clock) and
measures:
- frame: one refresh_clocks() (re-plan the incidents whose next instant passed, rebuild the rows
  whose cells changed, by row key) plus drawing every visible row, once per real second;
- idle CPU: the whole process (board tick, change poll, escalation sweep, real APScheduler) over
  a wall-clock window, as % of one core.
Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_board.py [--incidents 200] [--seconds 20]
        [--history 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from app.config import Flags, load_settings
from app.domain.clock import Clock, FakeClock, SystemClock
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.tui import StoryCartApp
from screens.board import BoardScreen
from storage.database import Database
from widgets.board_table import BoardTable

SEVERITIES = {
    "web-service": ["SEV-1", "SEV-2", "SEV-3", "SEV-4"],
    "ai-ops": ["P0", "P1", "P2", "P3"],
}
AI_TYPES = ["data", "model", "security", "regulatory", "operational"]


def seed(url: str, count: int, start: datetime) -> None:
    clock = FakeClock(start)
    policies = load_policies(policy_sources(None))
    database = Database.open(url)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    for n in range(count):
        name = "web-service" if n % 2 else "ai-ops"
        severity = SEVERITIES[name][n % 4]
        type_key = AI_TYPES[n % 5] if name == "ai-ops" else None
        code = service.declare(
            policies.get(name),
            f"장애 {n} · 障害 · incident {n}",
            severity,
            "bench",
            type_key=type_key,
        )
        if n % 3 == 0:
            service.acknowledge(code, "bench")
        clock.advance(7)
    service.fire_due()
    database.close()


def add_history(path: Path, count: int, now: datetime) -> None:
    """`count` incidents resolved long before the board's week (a team's years), copied from
    the first seeded one with their own codes and times: on no board, but in the same table."""
    if count <= 0:
        return
    with sqlite3.connect(path) as connection:
        names = [row[1] for row in connection.execute("PRAGMA table_info(incident)")]
        moved = {
            "id": "NULL",
            "code": "'OLD-' || k",
            "status": "'resolved'",
            "declared_at": "datetime(?, '-' || (8 * 1440 + k) || ' minutes')",
            "resolved_at": "datetime(?, '-' || (8 * 1440 + k - 30) || ' minutes')",
        }
        chosen = ", ".join(moved.get(name, name) for name in names)
        connection.execute(
            "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?) "
            f"INSERT INTO incident ({', '.join(names)}) "
            f"SELECT {chosen} FROM n, (SELECT * FROM incident ORDER BY id LIMIT 1)",
            (count, now.strftime("%Y-%m-%d %H:%M:%S"), now.strftime("%Y-%m-%d %H:%M:%S")),
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(url: str, clock: Clock, ticks: int, seconds: float, lang: str) -> dict:
    settings = load_settings(Flags(db=url, lang=lang), os.environ)
    app = StoryCartApp(settings, clock=clock)
    async with app.run_test(size=(160, 60)) as pilot:
        for _ in range(500):
            board = app.screen
            if isinstance(board, BoardScreen) and board.loaded and app.escalations:
                break
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        rows = board.query_one("#board-table").row_count
        table = board.query_one(BoardTable)
        tick_ms, update_ms = [], []
        for _ in range(ticks):
            await asyncio.sleep(1)  # let a real second pass: every countdown changes
            started = time.perf_counter()
            board.refresh_clocks()
            updated = time.perf_counter()
            for y in range(table.size.height):  # what the compositor asks the table for
                table.render_line(y)
            tick_ms.append((time.perf_counter() - started) * 1000)
            update_ms.append((updated - started) * 1000)
        cpu_before, wall_before = cpu_seconds(), time.perf_counter()
        await asyncio.sleep(seconds)
        cpu = cpu_seconds() - cpu_before
        wall = time.perf_counter() - wall_before
    return {
        "rows": rows,
        "update_p50": statistics.median(update_ms),
        "update_p99": percentile(update_ms, 0.99),
        "tick_p50": statistics.median(tick_ms),
        "tick_p99": percentile(tick_ms, 0.99),
        "idle_cpu_pct": 100 * cpu / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--lang", default="ko")
    parser.add_argument(
        "--history", type=int, default=0, help="incidents resolved before the board's week"
    )
    args = parser.parse_args()
    # Declared over the last 7 × N seconds of real time: the app runs on the system clock,
    # as the escalation scheduler's jobs do.
    start = datetime.now(UTC) - timedelta(seconds=7 * args.incidents)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = str(Path(folder) / "config")
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "data")
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        seed(url, args.incidents, start)
        add_history(Path(folder) / "bench.db", args.history, start)
        result = asyncio.run(measure(url, SystemClock(), args.ticks, args.seconds, args.lang))
    print(
        f"board refresh, {result['rows']} rows × 5 clock columns (6 clocks), lang {args.lang}, "
        f"{args.history:,} incidents resolved before the board's week"
    )
    print(f"{'measure':<44}{'p50':>10}{'p99':>10}")
    print(
        f"{'refresh_clocks() (re-plan + cell updates), ms':<44}"
        f"{result['update_p50']:>10.2f}{result['update_p99']:>10.2f}"
    )
    print(
        f"{'frame: refresh + draw visible rows, ms':<44}"
        f"{result['tick_p50']:>10.2f}{result['tick_p99']:>10.2f}"
    )
    print(f"{'whole app idle, % of one core':<44}{result['idle_cpu_pct']:>10.1f}")


if __name__ == "__main__":
    main()
