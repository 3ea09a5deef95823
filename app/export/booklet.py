"""The weekly refill as one PDF: a cover with the contents (each story's page number), then every
story of the playlist (the story of the week first) or of one theme, each as its story sheet
from a new page; every page numbered "page / pages".

Page numbers are known only once the stories are laid out, so the booklet is set twice: the
first time to learn where each story starts and how many pages there are, the second time to
print them. The contents take the same lines both times, so nothing moves."""

from __future__ import annotations

from datetime import date

from app.domain.i18n import Catalog
from app.export.layout import BODY, HEADING, SMALL, TITLE, Sheet
from app.export.story_sheet import write_story

MUTED = (95, 95, 95)
PAGE_COLUMN = 16.0  # millimetres for the page numbers of the contents


def booklet(
    views,
    lang: str,
    today: date,
    title: str,
    lens: str = "engineering",
    paper: str = "a4",
    progress=None,
) -> Sheet:
    """`progress(done, total)` is called after each story of the final pass (the TUI shows it)."""
    views = list(views)
    draft, starts = _set(views, lang, today, title, lens, paper, None, None)
    total = draft.pdf.page
    sheet, _ = _set(views, lang, today, title, lens, paper, (starts, total), progress)
    return sheet


def _set(
    views,
    lang: str,
    today: date,
    title: str,
    lens: str,
    paper: str,
    numbers: tuple[list[int], int] | None,
    progress,
) -> tuple[Sheet, list[int]]:
    t = Catalog(lang).t
    total = numbers[1] if numbers else 0
    sheet = Sheet(paper, page_label=lambda page: t("sheet.page_of", page=page, total=total))
    sheet.pdf.set_title(title)
    sheet.page()
    sheet.text(title, TITLE, after=1)
    sheet.text(
        f"{today.isoformat()} · {t('sheet.booklet_count', count=len(views))}",
        SMALL,
        color=MUTED,
        after=4,
    )
    sheet.rule()
    sheet.text(t("sheet.booklet_contents"), HEADING, after=1)
    widths = [sheet.width - PAGE_COLUMN, PAGE_COLUMN]
    for number, view in enumerate(views, 1):
        story = view.story
        strip = " · ".join(p for p in (story.severity, story.occurred_on) if p)
        entry = f"{number}. {story.title}" + (f"  ({strip})" if strip else "")
        page = str(numbers[0][number - 1]) if numbers else "000"
        sheet.row([(entry, BODY), (page, BODY)], widths, pad=0.8, border=False)
    starts = []
    for done, view in enumerate(views, 1):
        starts.append(sheet.pdf.page + 1)  # a story starts on a new page
        write_story(sheet, view, today, lens)
        if progress is not None and numbers is not None:
            progress(done, len(views))
    return sheet, starts
