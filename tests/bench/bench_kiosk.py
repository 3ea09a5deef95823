"""Kiosk soak: the real app in kiosk mode (headless, Pilot) on a FakeClock, rotating through
the playlist in three languages with a reload from the database after every pass; resident
memory after 10 rotations and after N (default 10,000). Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_kiosk.py [ROTATIONS]
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ["TEXTUAL_ANIMATIONS"] = "none"

from app.config import Flags, load_settings
from app.domain.clock import FakeClock
from app.tui import StoryCartApp

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_mib() -> float:
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


async def soak(folder: Path, rotations: int) -> list[tuple[int, float, int, float]]:
    settings = load_settings(Flags(db=str(folder / "cart.db"), lang="ko"), os.environ)
    settings = settings.with_overrides(kiosk_languages=("ko", "ja", "en"), kiosk_seconds=20)
    clock = FakeClock(datetime(2026, 11, 24, 9, tzinfo=UTC))
    app = StoryCartApp(settings, clock=clock, start_scheduler=False, kiosk=True)
    rows = []
    checkpoints = {10, 100, 1000, rotations} | set(range(2000, rotations, 2000))
    async with app.run_test(size=(110, 36)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if getattr(app.screen, "contents", None):
                break
        screen = app.screen
        began = time.perf_counter()
        for rotation in range(1, rotations + 1):
            clock.advance(20)
            screen.tick()
            await pilot.pause()
            if screen.reading:
                await app.workers.wait_for_complete()
                await pilot.pause()
            if rotation in checkpoints:
                rows.append(
                    (rotation, resident_mib(), screen.playlist.passes, time.perf_counter() - began)
                )
    return rows


def main() -> None:
    rotations = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as folder:
        rows = asyncio.run(soak(Path(folder), rotations))
    print(f"{'rotations':>10} {'passes':>7} {'RSS MiB':>8} {'vs 10':>7} {'elapsed s':>10}")
    base = rows[0][1]
    for rotation, rss, passes, elapsed in rows:
        print(f"{rotation:>10} {passes:>7} {rss:>8.1f} {rss - base:>+7.1f} {elapsed:>10.1f}")


if __name__ == "__main__":
    main()
