"""Printed sheets: time and size of a 2-page Japanese / Korean story sheet, against plain fpdf2
writing the same text with the same font in the same run (the floor: add_font, multi_cell, no
line breaking of our own). Median of 7 runs each. Prints a table; not a test.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_sheets.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from app.clock import FakeClock
from app.export.layout import font_path, quiet_fpdf
from app.export.story_sheet import story_sheet
from app.library import StoryService
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
    from fpdf import FPDF

    story = view.story
    pdf = FPDF(format="A4")
    pdf.add_font("sc", "", font_path(""))
    pdf.add_font("sc", "B", font_path("B"))
    pdf.add_page()
    pdf.set_font("sc", "B", 20)
    pdf.multi_cell(0, 9, story.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sc", "", 10.5)
    body = "\n\n".join([story.highlight, story.narrative, story.lenses["support"],
                        story.changes, *story.prompts])  # fmt: skip
    pdf.multi_cell(0, 5.4, body, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
    with quiet_fpdf():
        return bytes(pdf.output()), pdf.pages_count


def timed(build, view) -> tuple[float, int, int]:
    times, size, pages = [], 0, 0
    for _ in range(RUNS):
        began = time.perf_counter()
        data, pages = build(view)
        times.append(time.perf_counter() - began)
        size = len(data)
    return statistics.median(times), size, pages


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(f"sqlite:///{Path(folder) / 'cart.db'}")
        service = StoryService(database, FakeClock())
        service.ensure_starters()
        print(f"{'sheet':<28} {'ours s':>7} {'floor s':>8} {'ratio':>6} {'pages':>6} "
              f"{'KB':>6} {'KB/page':>8}")  # fmt: skip
        for key in ("starter-green-status-page/ja", "starter-green-status-page/ko",
                    "starter-green-status-page/en"):  # fmt: skip
            view = two_pages(service.view(key))
            mine, size, pages = timed(ours, view)
            base, _size, _pages = timed(floor, view)
            print(f"{key:<28} {mine:>7.3f} {base:>8.3f} {mine / base:>6.2f} {pages:>6} "
                  f"{size / 1024:>6.0f} {size / 1024 / pages:>8.0f}")  # fmt: skip
        database.close()


if __name__ == "__main__":
    main()
