"""Postmortem wizard: keystroke-to-screen latency in a 5,000-character field, and the time to
open the wizard on a postmortem with 200 timeline entries and 50 action items.

Runs the real app headless (Pilot) on a SQLite file. Latency: each key press is timed from
sending it until the app is idle again with the frame refreshed (the key handled, the field's
Changed handlers run: hints, progress rail, meter); 300 keys typed into the end of the summary
text (5,000 characters of Korean and English). Open: from pressing `p` on the board until the
wizard shows the loaded draft. Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_postmortem.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from textual.app import App
from textual.widgets import TextArea

from app.config import Flags, load_settings
from app.domain.clock import FakeClock
from app.domain.postmortem.model import ActionItem, TimelineItem
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from app.tui import StoryCartApp
from screens.board import BoardScreen
from storage.database import Database

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SENTENCE = "결제 API가 실패했다; the cache node was replaced. "


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def seed(url: str, clock: FakeClock) -> str:
    database = Database.open(url)
    service = IncidentService(database, clock, PolicyVersions(database, clock))
    policy = load_policies(policy_sources(None)).get("web-service")
    code = service.declare(policy, "결제 API 장애", "SEV-1", "bench")
    clock.advance(timedelta(hours=2))
    service.resolve(code, "bench")
    postmortems = PostmortemService(database, clock)
    draft = postmortems.open(code, "ko", "bench")
    text = (SENTENCE * (5000 // len(SENTENCE) + 1))[:5000]
    filled = replace(
        draft.postmortem,
        what=text,
        timeline=[
            TimelineItem(f"09:{n % 60:02d}", f"사건 {n} event", "민지", "fact") for n in range(200)
        ],
        actions=[ActionItem(f"조치 {n}", "민지", "2026-12-01") for n in range(50)],
    )
    postmortems.save(filled, draft.version, "bench")
    database.close()
    return code


async def measure(url: str, clock: FakeClock, keys: int) -> dict:
    app = StoryCartApp(
        load_settings(Flags(db=url, lang="ko"), os.environ), clock=clock, start_scheduler=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        while not (isinstance(app.screen, BoardScreen) and app.screen.loaded):
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        started = time.perf_counter()
        await pilot.press("p")
        while app.screen.name != "postmortem" or app.screen.postmortem is None:
            await pilot.pause(0.005)
        await pilot.pause()
        opened = (time.perf_counter() - started) * 1000
        area = app.screen.query_one("#pm-what")
        area.move_cursor(area.document.end)
        latencies, cpu = [], []
        for n in range(keys):
            started, cpu_started = time.perf_counter(), time.process_time()
            await pilot.press("가" if n % 2 else "a")
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert len(area.text) == 5000 + keys
    return {"open": opened, "latencies": latencies, "cpu": cpu}


class BareTextArea(App):
    """The floor: Textual's TextArea alone with the same 5,000 characters."""

    def compose(self):
        yield TextArea((SENTENCE * 200)[:5000], id="text")


async def measure_floor(keys: int) -> list[float]:
    app = BareTextArea()
    async with app.run_test(size=(120, 40)) as pilot:
        area = app.query_one("#text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.pause()
        latencies = []
        for n in range(keys):
            started = time.perf_counter()
            await pilot.press("가" if n % 2 else "a")
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=300, help="keystrokes measured")
    keys = parser.parse_args().keys
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = str(Path(folder) / "config")
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "data")
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        clock = FakeClock(START)
        seed(url, clock)
        result = asyncio.run(measure(url, clock, keys))
    floor = asyncio.run(measure_floor(keys))
    print("postmortem wizard, 120x40, ko; Pilot waits until the app is idle after each key")
    print(f"{'measure':<58}{'p50':>9}{'p99':>9}")
    for label, values in (
        ("keystroke to screen, 5,000-character field, ms", result["latencies"]),
        ("  CPU per keystroke (handlers, hints, save, paint), ms", result["cpu"]),
        ("floor: bare Textual TextArea, same text, same way, ms", floor),
    ):
        print(f"{label:<58}{statistics.median(values):>9.1f}{percentile(values, 0.99):>9.1f}")
    print(f"{'open wizard, 200 timeline entries + 50 action items, ms':<58}{result['open']:>9.0f}")


if __name__ == "__main__":
    main()
