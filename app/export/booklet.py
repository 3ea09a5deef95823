"""The weekly refill as one PDF: a cover with the contents, then every story of the playlist
(the story of the week first) or of one theme, each as its story sheet from a new page."""

from __future__ import annotations

from datetime import date

from app.export.layout import BODY, SMALL, TITLE, Sheet
from app.export.story_sheet import write_story
from app.i18n import Catalog

MUTED = (95, 95, 95)


def booklet(views, lang: str, today: date, title: str, lens: str = "engineering",
            paper: str = "a4", progress=None) -> Sheet:  # fmt: skip
    """`progress(done, total)` is called after each story (the TUI shows it)."""
    t = Catalog(lang).t
    views = list(views)
    sheet = Sheet(paper)
    sheet.pdf.set_title(title)
    sheet.page()
    sheet.text(title, TITLE, after=1)
    sheet.text(f"{today.isoformat()} · {t('sheet.booklet_count', count=len(views))}", SMALL,
               color=MUTED, after=4)  # fmt: skip
    sheet.rule()
    for number, view in enumerate(views, 1):
        story = view.story
        strip = " · ".join(p for p in (story.severity, story.occurred_on) if p)
        sheet.text(f"{number}. {story.title}" + (f"  ({strip})" if strip else ""), BODY, after=1)
    for done, view in enumerate(views, 1):
        write_story(sheet, view, today, lens)
        if progress is not None:
            progress(done, len(views))
    return sheet
