"""The story sheet: a 1–2 page plain-language story for the cart, in the story's language —
title, severity / kind / date / themes strip, highlight, narrative, the chosen lens, the
follow-ups' status, what changed since, and the prompt cards at the foot."""

from __future__ import annotations

from datetime import date

from app.export.layout import BODY, HEADING, SMALL, TITLE, Sheet, Style
from app.i18n import Catalog
from app.stories import LENSES, loop_lines, theme_name

MUTED = (95, 95, 95)
LOOP_MARKS = {"done": "●", "open": "○", "overdue": "▲"}  # all in the shipped font
HIGHLIGHT = Style(11.5, True, 1.45)


def story_sheet(view, today: date, lens: str = "engineering", paper: str = "a4") -> Sheet:
    if lens not in LENSES:
        raise ValueError(f"The lens {lens!r} is not one of {', '.join(LENSES)}.")
    story, t = view.story, Catalog(view.story.lang).t
    sheet = Sheet(paper)
    sheet.page()
    sheet.pdf.set_title(story.title)
    sheet.text(story.title, TITLE, after=1)
    themes = ", ".join(theme_name(theme, story.lang) for theme in story.themes)
    strip = [story.severity, t(f"story.kind.{story.kind}"), story.occurred_on, themes]
    sheet.text(" · ".join(part for part in strip if part), SMALL, color=MUTED, after=2)
    sheet.rule()
    sheet.text(story.highlight, HIGHLIGHT, after=4)
    for paragraph in story.narrative.split("\n\n"):
        lines = paragraph.strip().splitlines()
        if len(lines) > 1 and len(lines[0]) <= 40:
            sheet.text(lines[0], HEADING, after=0.5)
            lines = lines[1:]
        sheet.text("\n".join(lines), BODY)
    sheet.text(t("story.sheet_lens", lens=t(f"story.lens.{lens}")), HEADING, after=0.5)
    sheet.text(story.lenses.get(lens, "") or "—", BODY)
    if view.follow_ups:
        heading, lines = loop_lines(view.follow_ups, today, t, LOOP_MARKS)
        sheet.text(heading, HEADING, after=0.5)
        for line in lines:
            sheet.text(line, BODY, after=0.8)
        sheet.pdf.ln(1.5)
    if story.changes:
        sheet.text(t("story.changes"), HEADING, after=0.5)
        sheet.text(story.changes, BODY)
    if story.prompts:
        _prompt_cards(sheet, t("story.prompts"), story.prompts)
    return sheet


def _prompt_cards(sheet: Sheet, heading: str, prompts: list[str]) -> None:
    """The prompt cards side by side in boxes (two per row) at the foot of the story."""
    pdf = sheet.pdf
    gap, columns = 5.0, 2
    width = (sheet.width - gap * (columns - 1)) / columns
    height = sheet.use(BODY)
    needed = 12 + ((len(prompts) + 1) // 2) * (height * 3 + 8)
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    sheet.text(heading, HEADING, after=1)
    for row in range(0, len(prompts), columns):
        top = pdf.get_y()
        bottom = top
        for column, prompt in enumerate(prompts[row : row + columns]):
            x = pdf.l_margin + column * (width + gap)
            pdf.set_y(top + 3)
            for line in sheet.lines("? " + prompt, BODY, width - 6):
                pdf.set_x(x + 3)
                pdf.cell(width - 6, height, line, new_x="LEFT", new_y="NEXT")
            bottom = max(bottom, pdf.get_y() + 3)
        for column in range(len(prompts[row : row + columns])):
            x = pdf.l_margin + column * (width + gap)
            pdf.set_draw_color(120, 120, 120)
            pdf.rect(x, top, width, bottom - top)
        pdf.set_xy(pdf.l_margin, bottom + gap)
