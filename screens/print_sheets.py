"""The sheets the print dialog offers: the standard ones any screen can print, and a story's own.
Screens list them (print_jobs) without importing the dialog that prints them."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.export.printing import SheetRequest

PrintJob = tuple[SheetRequest, str]  # what to print, and its label in the dialog


def story_sheets(catalog: Catalog, story, lens: str) -> list[PrintJob]:
    t, lang = catalog.t, catalog.lang
    key, title = story.key, story.title
    return [
        (SheetRequest("story", lang, ref=key, lens=lens), t("print.story", title=title)),
        (SheetRequest("cards", lang, ref=key), t("print.card", title=title)),
        (SheetRequest("prompts", lang, ref=key), t("print.story_prompts", title=title)),
    ]


def standard_sheets(catalog: Catalog) -> list[PrintJob]:
    """The sheets that can be printed from any screen."""
    t, lang = catalog.t, catalog.lang
    return [
        (SheetRequest("booklet", lang), t("print.booklet")),
        (SheetRequest("cards", lang), t("print.cards")),
        (SheetRequest("prompts", lang), t("print.prompts")),
        (SheetRequest("template", lang), t("print.template")),
    ]
