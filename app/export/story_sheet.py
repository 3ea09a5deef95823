"""The story sheet: a 1–2 page plain-language story for the cart, in the story's language —
title, severity / kind / date / themes strip, highlight, narrative, the chosen lens, the
follow-ups' status, what changed since, and the prompt cards at the foot."""

from __future__ import annotations

from datetime import date

from app.domain.i18n import Catalog
from app.domain.story.bank import story_marks
from app.domain.story.follow_ups import loop_lines
from app.domain.story.model import LENSES
from app.export.diagrams import write_diagrams
from app.export.layout import BODY, HEADING, SMALL, TITLE, Sheet, Style
from app.export.qr import draw_qr

MUTED = (95, 95, 95)
LOOP_MARKS = {"done": "●", "open": "○", "overdue": "▲"}  # all in the shipped font
HIGHLIGHT = Style(11.5, True, 1.45)
MAX_MOMENTS = 6


def story_sheet(
    view, today: date, lens: str = "engineering", paper: str = "a4", feedback_url: str = ""
) -> Sheet:
    """The story on one or two pages; with a feedback address, seed 000's feedback box: a QR
    code to it and the question the cart asks."""
    sheet = Sheet(paper)
    sheet.pdf.set_title(view.story.title)
    write_story(sheet, view, today, lens)
    if feedback_url:
        _feedback_box(sheet, feedback_url, Catalog(view.story.lang).t)
    return sheet


QR_SIZE = 26.0  # millimetres: scans from an arm's length


def _feedback_box(sheet: Sheet, url: str, t) -> None:
    pdf = sheet.pdf
    sheet.keep(QR_SIZE + 6)
    top = pdf.get_y() + 2
    draw_qr(pdf, url, pdf.l_margin, top, QR_SIZE)
    text_x = pdf.l_margin + QR_SIZE + 4
    room = sheet.width - QR_SIZE - 4
    pdf.set_xy(text_x, top + 3)
    for line in sheet.lines(t("sheet.feedback_question"), HEADING, room):
        pdf.set_x(text_x)
        pdf.cell(room, sheet.use(HEADING), line, new_x="LEFT", new_y="NEXT")
    for line in sheet.lines(url, SMALL, room):
        pdf.set_x(text_x)
        pdf.set_text_color(*MUTED)
        pdf.cell(room, sheet.use(SMALL), line, new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(20, 20, 20)
    pdf.set_xy(pdf.l_margin, top + QR_SIZE + 2)


def write_story(sheet: Sheet, view, today: date, lens: str = "engineering") -> None:
    """One story from a new page on: the sheet alone, or one of a booklet's stories."""
    if lens not in LENSES:
        raise ValueError(f"The lens {lens!r} is not one of {', '.join(LENSES)}.")
    story, t = view.story, Catalog(view.story.lang).t
    sheet.page()
    sheet.text(story.title, TITLE, after=1)
    strip = story_marks(story, story.lang, t)
    sheet.text(" · ".join(part for part in strip if part), SMALL, color=MUTED, after=2)
    sheet.rule()
    sheet.text(story.highlight, HIGHLIGHT, after=4)
    for paragraph in story.narrative.split("\n\n"):
        lines = paragraph.strip().splitlines()
        if len(lines) > 1 and len(lines[0]) <= 40:
            sheet.text(lines[0], HEADING, after=0.5)
            lines = lines[1:]
        sheet.text("\n".join(lines), BODY)
    write_diagrams(sheet, story.diagrams, t("story.diagrams"), HEADING)
    if view.moments:
        _timeline_strip(sheet, t("sheet.timeline_strip"), view.moments, t)
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


def _timeline_strip(sheet: Sheet, heading: str, moments, t) -> None:
    """The key moments on a line: a dot per moment, its time, what kind of moment, what."""
    pdf = sheet.pdf
    moments = list(moments)[:MAX_MOMENTS]
    column = sheet.width / len(moments)
    small = sheet.use(SMALL)
    texts = [sheet.lines(text, SMALL, column - 2)[:3] for _, _, text in moments]
    needed = 14 + small * (2 + max(len(lines) for lines in texts))
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    sheet.text(heading, HEADING, after=2)
    y = pdf.get_y() + 2
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, y, pdf.l_margin + sheet.width, y)
    bottom = y
    for index, ((at, marker, _), lines) in enumerate(zip(moments, texts, strict=True)):
        x = pdf.l_margin + index * column
        pdf.set_fill_color(60, 60, 60)
        pdf.ellipse(x + 1, y - 1.2, 2.4, 2.4, style="F")
        sheet.use(SMALL)
        pdf.set_text_color(*MUTED)
        top = sheet.block([_clock(at)], x, y + 2, column - 2, small)
        pdf.set_text_color(20, 20, 20)
        sheet.use(Style(SMALL.size, True))
        top = sheet.block([t(f"pm.value.{marker}")], x, top, column - 2, small)
        sheet.use(SMALL)
        bottom = max(bottom, sheet.block(lines, x, top, column - 2, small))
    pdf.set_xy(pdf.l_margin, bottom + 4)


def _clock(at: str) -> str:
    """ "2026-09-18 14:05:00" → "14:05" (the strip is one incident: the day is in the strip)."""
    parts = at.replace("T", " ").split(" ")
    return parts[1][:5] if len(parts) > 1 else at


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
