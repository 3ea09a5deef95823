"""Printed sheets: time and size of a 2-page Japanese / Korean story sheet and of a 50-story
booklet, against plain fpdf2 writing the same text with the same font in the same run (the
floor: add_font, multi_cell, no line breaking of our own). Median of 7 runs each (3 for the
booklet). Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_sheets.py
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from app.domain.clock import FakeClock
from app.export.layout import font_path, quiet_fpdf
from app.export.story_sheet import story_sheet
from app.services.library.stories import StoryService
from app.services.library.week import StoryWeek
from storage.database import Database

RUNS = 7


def two_pages(view):
    story = view.story
    longer = replace(story, narrative=f"{story.narrative}\n\n{story.narrative}")
    return replace(view, story=longer)


def ours(view) -> tuple[bytes, int]:
    sheet = story_sheet(view, date(2026, 11, 24), "support")
    return sheet.output(), sheet.pdf.pages_count


def floor(view) -> tuple[bytes, int]:
    return floor_of([view])


def floor_of(views, lens: str = "support") -> tuple[bytes, int]:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("sc", "", font_path(""))
    pdf.add_font("sc", "B", font_path("B"))
    for view in views:
        story = view.story
        pdf.add_page()
        pdf.set_font("sc", "B", 20)
        pdf.multi_cell(0, 9, story.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("sc", "", 10.5)
        body = "\n\n".join(
            [
                story.highlight,
                story.narrative,
                story.lenses.get(lens, ""),
                story.changes,
                *story.prompts,
            ]
        )
        pdf.multi_cell(0, 5.4, body, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
    with quiet_fpdf():
        return bytes(pdf.output()), pdf.pages_count


def published_stories(service, count: int) -> None:
    """`count` published stories, cycling the 18 starter stories in their three languages."""
    starters = sorted(s.key for lang in ("ko", "ja", "en") for s in service.summaries(lang))
    for number in range(count):
        source = service.view(starters[number % len(starters)]).story
        day = f"2026-{1 + number % 11:02d}-{1 + number % 27:02d}"
        story = replace(
            source, key=f"bench-{number}", group=f"bench-{number}", example=False, occurred_on=day
        )
        created = service.create(story, "bench")
        service.publish(created.story, created.version, "bench")


def booklet_ours(stories, weeks, limit: int = 50) -> tuple[bytes, int]:
    from app.export.printing import booklet_pdf

    printed = booklet_pdf(
        stories, weeks, "ja", "a4", date(2026, 11, 24), lens="support", limit=limit
    )
    return printed.data, printed.pages


def timed(build, view, runs: int = RUNS) -> tuple[float, int, int]:
    times, size, pages = [], 0, 0
    for _ in range(runs):
        began = time.perf_counter()
        data, pages = build(view)
        times.append(time.perf_counter() - began)
        size = len(data)
    return statistics.median(times), size, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per sheet")
    parser.add_argument("--stories", type=int, default=50, help="stories in the booklet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(f"sqlite:///{Path(folder) / 'cart.db'}")
        clock = FakeClock()
        service, weeks = StoryService(database, clock), StoryWeek(database, clock)
        service.ensure_starters()
        print(
            f"{'sheet':<28} {'ours s':>7} {'floor s':>8} {'ratio':>6} {'pages':>6} "
            f"{'KB':>6} {'KB/page':>8}"
        )
        for key in (
            "starter-green-status-page/ja",
            "starter-green-status-page/ko",
            "starter-green-status-page/en",
        ):
            view = two_pages(service.view(key))
            mine, size, pages = timed(ours, view, args.runs)
            base, _size, _pages = timed(floor, view, args.runs)
            print(
                f"{key:<28} {mine:>7.3f} {base:>8.3f} {mine / base:>6.2f} {pages:>6} "
                f"{size / 1024:>6.0f} {size / 1024 / pages:>8.0f}"
            )
        published_stories(service, args.stories)
        service.hide_examples(True)
        from app.export.printing import playlist_views

        views = playlist_views(service, weeks, "ja", limit=args.stories)
        library = (service, weeks)
        mine, size, pages = timed(
            lambda pair: booklet_ours(*pair, args.stories), library, runs=min(3, args.runs)
        )
        base, _size, _pages = timed(floor_of, views, runs=min(3, args.runs))
        print(
            f"{f'booklet, {args.stories} stories (ja)':<28} {mine:>7.3f} {base:>8.3f} "
            f"{mine / base:>6.2f} "
            f"{pages:>6} {size / 1024:>6.0f} {size / 1024 / pages:>8.0f}"
        )
        database.close()


if __name__ == "__main__":
    main()
