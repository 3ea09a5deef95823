"""Boxes to tick on paper, drawn as squares (fpdf2 `rect`): a glyph such as ☐ may be missing
from the font and print as nothing. A row of a checklist: its label, then an optional lead
text and the choices, each after its own box, flowing onto further lines when the cell is too
narrow."""

from __future__ import annotations

from app.domain.textsafe import printable
from app.export.layout import Sheet, Style

BOX = 3.2  # the side of a box, millimetres
AFTER_BOX = 1.6  # between a box and its text
BETWEEN = 6.0  # between one choice and the next box
PAD = 1.5


def _pieces(sheet: Sheet, lead: str, choices: list[str], style: Style) -> list[tuple[bool, str]]:
    """(boxed, text) in order: the lead (unboxed) then each choice."""
    sheet.use(style)
    pieces = [(False, printable(lead))] if lead else []
    return pieces + [(True, printable(choice)) for choice in choices]


def _placed(sheet: Sheet, pieces, width: float, line: float):
    """Each piece's (boxed, text, x offset, line number) within a cell `width` wide."""
    x, row, placed = 0.0, 0, []
    for boxed, text in pieces:
        need = (BOX + AFTER_BOX if boxed else 0) + sheet.pdf.get_string_width(text)
        if x and x + need > width:
            x, row = 0.0, row + 1
        placed.append((boxed, text, x, row))
        x += need + BETWEEN
    return placed, (row + 1) * line


def tick_row(
    sheet: Sheet,
    label: tuple[str, Style],
    choices: list[str],
    style: Style,
    widths: list[float],
    lead: str = "",
    min_height: float = 9,
) -> None:
    """A two-column checklist row: ``label`` on the left, ``lead`` and a box before each of
    ``choices`` on the right."""
    pdf = sheet.pdf
    line = sheet.use(style)
    room = widths[1] - 2 * PAD
    placed, height = _placed(sheet, _pieces(sheet, lead, choices, style), room, line)
    label_height = sheet.row_height([label], widths[:1], pad=PAD)
    height = max(height + 2 * PAD, label_height, min_height)
    sheet.keep(height)
    top = pdf.get_y()
    sheet.row([label, ("", style)], widths, pad=PAD, min_height=height)
    sheet.use(style)
    left = pdf.l_margin + widths[0] + PAD
    pdf.set_draw_color(20, 20, 20)
    pdf.set_line_width(0.3)
    for boxed, text, x, row in placed:
        y = top + PAD + row * line
        if boxed:
            pdf.rect(left + x, y + (line - BOX) / 2, BOX, BOX)
            x += BOX + AFTER_BOX
        pdf.set_xy(left + x, y)
        pdf.cell(pdf.get_string_width(text) + 2 * pdf.c_margin, line, text)
    pdf.set_line_width(0.2)
    pdf.set_xy(pdf.l_margin, top + height)
