"""An acknowledgement on a big board, and the key after it: with 10,000 open incidents, how
long the board takes to answer the next key (↓) right after `a`, against the same key with no
acknowledgement before it; and what one acknowledgement costs (board re-reads, incidents
re-planned).

Runs the real app headless (App.run_test, the real APScheduler, the system clock) on a SQLite
file of N open SEV-4 incidents. For each round: put the cursor on an unacknowledged incident,
press `a`, press ↓ at once and time ↓ until the cursor moved; then, once the ack shows, press ↓
alone and time it (the floor). Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_ack_keys.py [--incidents 10000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from textual import events

from app.config import Flags, load_settings
from app.domain.clock import FakeClock, SystemClock
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.tui import StoryCartApp
from screens.board import BoardScreen
from storage.database import Database
from tests.ui.test_change_counts import count_calls
from widgets.board_table import BoardTable


def seed(path: Path, count: int) -> None:
    """N open SEV-4 incidents declared over the last minutes: nothing of theirs comes due while
    the bench runs (SEV-4 answers within 24 h), so only the acknowledgements move the board."""
    clock = FakeClock(datetime.now(UTC) - timedelta(seconds=count / 100))
    database = Database.open(f"sqlite:///{path}")
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    web = load_policies(policy_sources(None)).get("web-service")
    for n in range(count):
        service.declare(web, f"Queue {n} slow", "SEV-4", "bench")
        clock.advance(0.01)
    service.fire_due()
    database.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def type_key(app, key: str) -> None:
    """A key as the terminal driver hands it over (no test harness waiting in between)."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


def cursor_key(table: BoardTable) -> str:
    """↓, or ↑ on the last row (where ↓ moves nothing)."""
    code = table.selected_code()
    return "up" if table.order and code == table.order[-1] else "down"


async def key_until(app, key: str, moved) -> float:
    """Type `key`; ms until `moved()` holds."""
    started = time.perf_counter()
    type_key(app, key)
    deadline = started + 10
    while not moved():
        if time.perf_counter() > deadline:
            raise SystemExit(f"bench_ack_keys: {key!r} changed nothing in 10 s")
        await asyncio.sleep(0.001)
    return (time.perf_counter() - started) * 1000


async def measure(url: str, count: int, rounds: int) -> dict:
    app = StoryCartApp(load_settings(Flags(db=url, lang="en"), os.environ), clock=SystemClock())
    async with app.run_test(size=(160, 50)):
        while not (isinstance(app.screen, BoardScreen) and app.screen.loaded and app.escalations):
            await asyncio.sleep(0.05)  # not pilot.pause: a busy screen must not time it out
        await app.workers.wait_for_complete()
        table = app.screen.query_one(BoardTable)
        await asyncio.sleep(2)
        calls = count_calls(app.services.incidents)
        after_ack, floor, reread, replanned = [], [], [], []

        def acked(code: str) -> bool:
            return table.cell_text(code, "ack").startswith("✓")

        for _ in range(rounds):
            code = table.selected_code()
            before = dict(calls), len(calls["board"]), len(calls["plan"])
            type_key(app, "a")  # and ↓ right behind it, as a quick hand types them
            after_ack.append(
                await key_until(app, cursor_key(table), lambda c=code: table.selected_code() != c)
            )
            while not acked(code):
                await asyncio.sleep(0.005)
            await asyncio.sleep(1.5)  # the polls after it: would they read it again?
            reread.append(len(calls["board"]) - before[1])
            replanned.append(
                sum(len(c) if c is not None else count for c in calls["plan"][before[2] :])
            )
            here = table.selected_code()
            floor.append(
                await key_until(app, cursor_key(table), lambda c=here: table.selected_code() != c)
            )
    return {
        "after_ack": after_ack,
        "floor": floor,
        "reread": reread,
        "replanned": replanned,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = str(Path(folder) / "config")
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "data")
        path = Path(folder) / "bench.db"
        seed(path, args.incidents)
        result = asyncio.run(measure(f"sqlite:///{path}", args.incidents, args.rounds))
    print(f"acknowledge on a board of {args.incidents} open incidents, {args.rounds} rounds")
    print(f"{'measure':<46}{'p50':>10}{'p99':>10}")
    for label, values in (
        ("↓ right after a, ms (goal < 50)", result["after_ack"]),
        ("↓ alone (floor), ms", result["floor"]),
        ("board re-reads per ack", result["reread"]),
        ("incidents re-planned per ack", result["replanned"]),
    ):
        print(f"{label:<46}{statistics.median(values):>10.1f}{percentile(values, 0.99):>10.1f}")


if __name__ == "__main__":
    main()
