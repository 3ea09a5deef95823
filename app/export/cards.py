"""Highlight cards and prompt cards: several per page with cut marks, for the cart's tray."""

from __future__ import annotations

from app.domain.i18n import Catalog
from app.domain.story.bank import story_marks
from app.export.layout import BODY, HEADING, SMALL, Sheet, Style

MUTED = (95, 95, 95)
PAD = 5.0
HIGHLIGHT_GRID = (2, 3)  # columns, rows on A4 / Letter
PROMPT_GRID = (2, 4)
PROMPT_TEXT = Style(14, True, 1.4)


def fitted(sheet: Sheet, text: str, style: Style, width: float, room: float):
    """The text's lines in `style`, made smaller (down to 7 pt) until they fit `room`."""
    size = style.size
    while True:
        current = Style(size, style.bold, style.leading)
        lines = sheet.lines(text, current, width)
        if len(lines) * sheet.use(current) <= room or size <= 7:
            return lines, current
        size -= 0.5


def highlight_cards(views, paper: str = "a4") -> Sheet:
    """One card per story: title, highlight, and severity · kind · date · themes at the foot."""
    sheet = Sheet(paper)
    sheet.pdf.set_title("Highlight cards")

    def draw(view, x, y, width, height):
        story = view.story
        t = Catalog(story.lang).t
        inner = width - 2 * PAD
        top = y + PAD
        sheet.use(SMALL)
        sheet.pdf.set_text_color(*MUTED)
        top = sheet.block([t("sheet.highlight_card")], x + PAD, top, inner, sheet.use(SMALL))
        sheet.pdf.set_text_color(20, 20, 20)
        marks = story_marks(story, story.lang, t)
        foot = sheet.lines(" · ".join(m for m in marks if m), SMALL, inner)
        foot_height = len(foot) * sheet.use(SMALL)
        title, style = fitted(sheet, story.title, HEADING, inner, (height - 2 * PAD) / 3)
        top = sheet.block(title, x + PAD, top + 1.5, inner, sheet.use(style)) + 2
        room = y + height - PAD - foot_height - 2 - top
        lines, style = fitted(sheet, story.highlight, BODY, inner, room)
        sheet.block(lines, x + PAD, top, inner, sheet.use(style))
        sheet.use(SMALL)
        sheet.pdf.set_text_color(*MUTED)
        sheet.block(foot, x + PAD, y + height - PAD - foot_height, inner, sheet.use(SMALL))
        sheet.pdf.set_text_color(20, 20, 20)

    sheet.cards(list(views), *HIGHLIGHT_GRID, draw)
    return sheet


def prompt_cards(prompts: list[str], lang: str, paper: str = "a4") -> Sheet:
    """One question per card, large, with a line on how to use it."""
    t = Catalog(lang).t
    sheet = Sheet(paper)
    sheet.pdf.set_title(t("sheet.prompt_card"))

    def draw(prompt, x, y, width, height):
        inner = width - 2 * PAD
        sheet.pdf.set_text_color(*MUTED)
        sheet.block([t("sheet.prompt_card")], x + PAD, y + PAD, inner, sheet.use(SMALL))
        hint = sheet.lines(t("sheet.prompt_hint"), SMALL, inner)
        hint_height = len(hint) * sheet.use(SMALL)
        sheet.block(hint, x + PAD, y + height - PAD - hint_height, inner, sheet.use(SMALL))
        sheet.pdf.set_text_color(20, 20, 20)
        room = height - 2 * PAD - hint_height - sheet.use(SMALL) - 4
        lines, style = fitted(sheet, prompt, PROMPT_TEXT, inner, room)
        sheet.block(lines, x + PAD, y + PAD + sheet.use(SMALL) + 3, inner, sheet.use(style))

    sheet.cards(list(prompts), *PROMPT_GRID, draw)
    return sheet
