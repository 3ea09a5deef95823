"""Importing a library export of many stories (`storycart story import`, LibraryExchange) into
an empty database, on SQLite and on PostgreSQL: the time from the parsed document to the
committed import, then one search to show the indexes answer. Goal: 100,000 stories < 60 s.
Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_import.py [--stories 100000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.domain.clock import FakeClock
from app.domain.story.model import Story, to_document
from app.services.library.exchange import EXPORT_FORMAT, EXPORT_VERSION, LibraryExchange
from app.services.library.stories import StoryService
from storage.database import Database
from tests.bench.bench_stories import EN, JA, KO, START


def document(stories: int) -> dict:
    rng = random.Random(7)
    items = []
    for n in range(stories):
        lang = ("ko", "ja", "en")[n % 3]
        words = {"ko": KO, "ja": JA, "en": EN}[lang]
        story = Story(
            key=f"bench/{n}",
            lang=lang,
            title=f"{rng.choice(words)} #{n}",
            narrative=" ".join(rng.choice(words) for _ in range(60)),
            highlight=rng.choice(words),
            lessons=rng.choice(words),
            prompts=["?"],
            status="published",
            occurred_on=f"20{20 + n % 6}-0{1 + n % 9}-1{n % 9}",
        )
        items.append(to_document(story))
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "stories": items}


def measure(label: str, url: str, doc: dict) -> tuple:
    database = Database.open(url)
    clock = FakeClock(START)
    began = time.perf_counter()
    LibraryExchange(database, clock).import_document(doc, "bench")
    took = time.perf_counter() - began
    found = len(StoryService(database, clock).search("장애", "ko", limit=200))
    database.close()
    return label, took, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    doc = document(args.stories)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(measure("SQLite", f"sqlite:///{Path(folder) / 'import.db'}", doc))
        print(rows[-1], flush=True)
        if not args.no_postgres:
            from tests.pg_server import PostgresServer

            server = PostgresServer()
            server.start()
            try:
                rows.append(measure("PostgreSQL", server.fresh_database(), doc))
            finally:
                server.stop()
    print(f"\nimport of {args.stories:,} stories")
    print(f"{'store':<11} {'seconds':>8} {'장애 found':>10}")
    for label, took, found in rows:
        print(f"{label:<11} {took:>8.1f} {found:>10}")


if __name__ == "__main__":
    main()
