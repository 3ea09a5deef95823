"""Story search and the library screen over 10,000 stories.

Search: median and p99 over 200 runs each of a 2-character Korean query (장애, the short-word
index), a 5-character Korean query (결제 실패가, the trigram path), a 2-character Japanese query
and an English word, on SQLite (FTS5 trigram and unicode61) and, when a PostgreSQL server can
be started, on PostgreSQL (pg_trgm and a full-text index). Library: the real app headless
(Pilot), from pressing `l` until the first frame drawn with the first rows (more are read as
the cursor goes down), at start-up and once the board has been up a few seconds; resident
memory of the process afterwards. Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_stories.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from app.config import Flags, load_settings
from app.domain.clock import FakeClock
from app.domain.story.model import Story
from app.services.library.stories import StoryService
from screens.library import PAGE
from storage.database import Database

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
STORIES = 10_000
RUNS = 200
AGAIN = 5  # `l` again, back from the board, with another process busy
QUERIES = (
    ("ko, 2 chars", "장애"),
    ("ko, 5 chars", "결제 실패가"),
    ("ja, 2 chars", "障害"),
    ("en word", "certificate"),
)
KO = (
    "서비스 장애가 발생했다",
    "결제 실패가 이어졌다",
    "배포 후 오류율이 올랐다",
    "인증서가 만료되었다",
    "디스크가 가득 찼다",
    "알림이 너무 많았다",
)
JA = (
    "決済障害が起きた",
    "デプロイ後にエラーが増えた",
    "証明書の期限が切れた",
    "アラートが多すぎた",
)
EN = (
    "the certificate expired",
    "the queue filled its disk",
    "the canary looked healthy",
    "alerts fired all night",
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fill(url: str, stories: int = STORIES) -> None:
    database = Database.open(url)
    service = StoryService(database, FakeClock(START))
    rng = random.Random(7)
    from sqlalchemy import insert, text

    from storage.library_tables import StoryRecord

    rows = []
    for n in range(stories):
        lang = ("ko", "ja", "en")[n % 3]
        words = {"ko": KO, "ja": JA, "en": EN}[lang]
        body = " ".join(rng.choice(words) for _ in range(60))
        story = Story(
            key=f"bench/{n}",
            lang=lang,
            title=f"{rng.choice(words)} #{n}",
            narrative=body,
            highlight=rng.choice(words),
            lessons=rng.choice(words),
            prompts=["?"],
            status="published",
            occurred_on=f"20{20 + n % 6}-0{1 + n % 9}-1{n % 9}",
        )
        rows.append(
            {**service._columns(story), "created_at": START, "updated_at": START, "updated_by": "b"}
        )
    with database.session() as session:
        # PostgreSQL's GIN indexes are built once after the rows rather than row by row (hours
        # at 100,000 stories otherwise), from their own definitions: the same indexes.
        gin = []
        if database.engine.dialect.name == "postgresql":
            gin = session.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE tablename = 'story' AND indexdef LIKE '%USING gin%'"
                )
            ).all()
            for name, _definition in gin:
                session.execute(text(f"DROP INDEX {name}"))
        for batch in range(0, len(rows), 2000):
            session.execute(insert(StoryRecord), rows[batch : batch + 2000])
        if gin:  # as an administrator loading a library would: the index build in memory
            session.execute(text("SET maintenance_work_mem = '512MB'"))
        for _name, definition in gin:
            session.execute(text(definition))
        session.commit()
        if gin:
            session.execute(text("ANALYZE story"))
            session.commit()
    database.close()


def time_search(url: str, runs: int = RUNS) -> list[tuple]:
    database = Database.open(url)
    service = StoryService(database, FakeClock(START))
    rows = []
    for label, query in QUERIES:
        found = len(service.search(query, "ko"))
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            service.search(query, "ko", limit=200)
            times.append((time.perf_counter() - began) * 1000)
        rows.append((label, query, found, statistics.median(times), percentile(times, 0.99)))
    database.close()
    return rows


async def library_open(
    url: str, tmp: Path, settle: float
) -> tuple[float, float, float, float, list[float]]:
    """Milliseconds from `l` to the first frame drawn with the first rows, and to the first
    frame with the library's count; resident memory before the app and with the library open;
    then, AGAIN times back on the board with another process busy on a core (a CPU-bound
    child), from `l` again (the kept library) to its rows. Frames are timed where Textual's
    compositor draws them (Pilot's press returns only when the app is idle, later than the user
    sees the rows)."""
    from app.tui import StoryCartApp
    from tests.bench.frames import first_frames

    settings = load_settings(Flags(db=url, lang="ko"), {"XDG_CONFIG_HOME": str(tmp)})
    app = StoryCartApp(settings, clock=FakeClock(START), start_scheduler=False)
    before = resident_mib()

    def on_screen() -> list[str]:
        screen = app.screen
        if screen.name != "library":
            return []
        shown = []
        rows = screen.query_one("#library-table").row_count
        if rows >= PAGE or (rows and screen.complete):
            shown.append("rows")
        if screen.total is not None:
            shown.append("count")
        return shown

    async with app.run_test(size=(160, 50)) as pilot:
        while app.services is None:
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        # 0: `l` the moment the board is up; else after the board has been up that long (the
        # library's first page is read in the background a moment after start-up).
        await pilot.pause(settle)
        await app.workers.wait_for_complete()
        with first_frames(on_screen) as frames:
            began = time.perf_counter()
            await pilot.press("l")
            while "count" not in frames or "rows" not in frames:
                await pilot.pause(0.005)
        rss = resident_mib()
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        again: list[float] = []
        try:
            for _ in range(AGAIN):
                await pilot.press("escape")
                await app.workers.wait_for_complete()
                await pilot.pause(0.5)
                with first_frames(on_screen) as shown:
                    began_again = time.perf_counter()
                    await pilot.press("l")
                    while "rows" not in shown:
                        await pilot.pause(0.005)
                again.append((shown["rows"] - began_again) * 1000)
        finally:
            busy.kill()
            busy.wait()
    return (
        (frames["rows"] - began) * 1000,
        (frames["count"] - began) * 1000,
        before,
        rss,
        again,
    )


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=STORIES)
    parser.add_argument("--runs", type=int, default=RUNS, help="searches per query")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--fill-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill_only:
        fill(args.fill_only, args.stories)
        return
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = f"sqlite:///{tmp / 'bench.db'}"
        began = time.perf_counter()
        fill_apart(url, args.stories)
        print(f"filled {args.stories:,} stories in {time.perf_counter() - began:.1f} s", flush=True)
        print(f"\nsearch over {args.stories:,} stories, {args.runs} runs each, first 200 results")
        print(f"{'store':<11} {'query':<12} {'text':<12} {'found':>6} {'p50 ms':>8} {'p99 ms':>8}")
        print_search("SQLite", time_search(url, args.runs))
        for settle, when in ((0.0, "at start-up"), (3.0, "3 s after start-up")):
            elapsed, counted, before, rss, again = asyncio.run(library_open(url, tmp, settle))
            print(
                f"\nlibrary with {args.stories:,} stories (SQLite), `l` {when}: first rows on "
                f"screen {elapsed:.0f} ms, the count {counted:.0f} ms; resident memory "
                f"{rss:.0f} MiB with the library open ({before:.0f} MiB before the app); "
                f"`l` again, another process busy: rows {statistics.median(again):.0f} ms "
                f"(median of {AGAIN}, max {max(again):.0f})",
                flush=True,
            )
        if args.no_postgres:
            return
        try:
            sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
            from tests.pg_server import PostgresServer

            server = PostgresServer()
            server.start()
        except Exception as error:  # the SQLite numbers still stand
            print(f"(PostgreSQL skipped: {error})")
            return
        try:
            pg_url = server.fresh_database()
            began = time.perf_counter()
            fill_apart(pg_url, args.stories)
            print(f"\nPostgreSQL filled in {time.perf_counter() - began:.1f} s", flush=True)
            print_search("PostgreSQL", time_search(pg_url, args.runs))
        finally:
            server.stop()


def fill_apart(url: str, stories: int) -> None:
    """Fill in a process of its own, so the timings run in a process the size of a user's
    app: the fill left this one at ~800 MiB resident (100,000 stories built in memory)."""
    subprocess.run(
        [sys.executable, __file__, "--fill-only", url, "--stories", str(stories)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


def print_search(store: str, rows: list[tuple]) -> None:
    for label, query, found, p50, p99 in rows:
        print(f"{store:<11} {label:<12} {query:<12} {found:>6} {p50:>8.2f} {p99:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
