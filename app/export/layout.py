"""Shared layout for printed sheets: paper sizes, the shipped CJK font, and a Sheet with
headings, paragraphs, rules and boxes.

fpdf2 breaks lines at spaces only and has no kinsoku, so sheets break lines themselves with
`app.domain.text_layout.wrap` measured in the PDF font: Korean and English between words, Japanese
between characters but never before closing punctuation or small kana and never after opening
brackets. Headings (`Style.phrases`) break Japanese between phrases instead (BudouX, in
`app.domain.phrase_breaks`). Each line is then printed as it is, left-aligned (justifying would
stretch the spaces of Korean lines), so the PDF holds exactly the text and nothing invisible.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources

from app.domain.phrase_breaks import wrap_phrases
from app.domain.text_layout import wrap
from app.domain.textsafe import printable

PAPER = {"a4": "A4", "letter": "Letter", "a3": "A3"}
FONT_FAMILY = "storycart"


def font_path(style: str) -> str:
    name = "StoryCartSans-Bold.ttf" if style == "B" else "StoryCartSans-Regular.ttf"
    return str(resources.files("assets") / "fonts" / name)


@contextmanager
def quiet_fpdf():
    """fpdf2 logs missing glyphs as a warning; sheets report them themselves
    (`Sheet.missing_characters`), in one sentence."""
    logger = logging.getLogger("fpdf.output")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True)
class Style:
    size: float
    bold: bool = False
    leading: float = 1.45  # line height as a multiple of the font size
    phrases: bool = False  # a heading: Japanese breaks between phrases (BudouX), not characters

    def scaled(self, scale: float) -> Style:
        return Style(self.size * scale, self.bold, self.leading, self.phrases)


@dataclass(frozen=True)
class Fill:
    """A coloured table cell: its background and the colour of its text (RGB)."""

    background: tuple[int, int, int]
    text: tuple[int, int, int] = (255, 255, 255)


TITLE = Style(20, True, 1.3, phrases=True)
HEADING = Style(12.5, True, 1.35, phrases=True)
BODY = Style(10.5)
SMALL = Style(8.5)


FOOTER_HEIGHT = 8.0  # millimetres kept for a page label above the bottom margin


@cache
def _pdf_class():
    """FPDF with a page label in its footer (fpdf2 draws footers through a method)."""
    from fpdf import FPDF

    class LabelledPDF(FPDF):
        page_label: Callable[[int], str] | None = None

        def footer(self) -> None:
            if self.page_label is None:
                return
            self.set_font(FONT_FAMILY, "", 8.5)
            self.set_text_color(95, 95, 95)
            self.set_xy(self.l_margin, self.h - 16 - 5)
            self.cell(self.epw, 5, printable(self.page_label(self.page_no())), align="C")
            self.set_text_color(20, 20, 20)

    return LabelledPDF


class Sheet:
    """An fpdf2 document with the shipped font and the helpers every sheet uses."""

    def __init__(
        self,
        paper: str = "a4",
        orientation: str = "portrait",
        page_label: Callable[[int], str] | None = None,
    ) -> None:
        """``page_label(page)`` prints a line at the foot of every page (a page number),
        inside the printable area: the text stops that much higher."""
        if paper not in PAPER:
            raise ValueError(f"Paper {paper!r} is not one of {', '.join(PAPER)}.")
        self.pdf = _pdf_class()(
            orientation="L" if orientation == "landscape" else "P", unit="mm", format=PAPER[paper]
        )
        self.pdf.set_margins(16, 16, 16)
        self.pdf.set_auto_page_break(True, margin=16 + (FOOTER_HEIGHT if page_label else 0))
        self.pdf.page_label = page_label
        self.pdf.add_font(FONT_FAMILY, "", font_path(""))
        self.pdf.add_font(FONT_FAMILY, "B", font_path("B"))
        self.pdf.set_creator("Story Cart")
        self.pdf.set_text_color(20, 20, 20)

    @property
    def width(self) -> float:
        return self.pdf.epw

    def page(self) -> None:
        self.pdf.add_page()

    def use(self, style: Style) -> float:
        self.pdf.set_font(FONT_FAMILY, "B" if style.bold else "", style.size)
        return style.size * style.leading * 0.3528  # points to millimetres

    def lines(self, text: str, style: Style, width: float = 0) -> list[str]:
        self.use(style)
        # A cell insets its text by c_margin on both sides.
        room = (width or self.width) - 2 * self.pdf.c_margin
        breaker = wrap_phrases if style.phrases else wrap
        return breaker(printable(text).strip(), room, self._measure())

    def _measure(self) -> Callable[[str], float]:
        """The width of a text in the current font, as fpdf2's get_string_width computes it for
        this font (the sum of the glyphs' advances; no kerning, stretching or spacing here),
        without its per-call overhead: line breaking measures many candidate lines."""
        pdf = self.pdf
        font = pdf.current_font
        if pdf.char_spacing or pdf.font_stretching != 100 or getattr(font, "is_symbol", True):
            return pdf.get_string_width
        widths, scale = font.cw, pdf.font_size_pt * 0.001 / pdf.k
        return lambda text: sum(widths[ord(c)] for c in pdf.normalize_text(text)) * scale

    def text(
        self,
        text: str,
        style: Style = BODY,
        width: float = 0,
        after: float = 2.5,
        color: tuple[int, int, int] | None = None,
    ) -> None:
        """A paragraph: user text printed literally (no markup), control characters removed,
        broken into lines for its script; pages break between lines."""
        lines = self.lines(text, style, width)
        if not any(lines):
            return
        height = self.use(style)
        if color:
            self.pdf.set_text_color(*color)
        for line in lines:
            self.pdf.cell(width or self.width, height, line, new_x="LMARGIN", new_y="NEXT")
        if color:
            self.pdf.set_text_color(20, 20, 20)
        self.pdf.ln(after)

    def rule(self, after: float = 3) -> None:
        y = self.pdf.get_y()
        self.pdf.set_draw_color(170, 170, 170)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.l_margin + self.width, y)
        self.pdf.ln(after)

    def last_page_fill(self) -> float:
        """How much of the last page's printable height is used (0–1)."""
        pdf = self.pdf
        return (pdf.get_y() - pdf.t_margin) / (pdf.page_break_trigger - pdf.t_margin)

    def missing_characters(self) -> str:
        """Characters of the text the font cannot print (they would show as empty boxes)."""
        missing = set()
        for font in self.pdf.fonts.values():
            missing.update(chr(code) for code in getattr(font, "missing_glyphs", ()))
        return "".join(sorted(missing))

    def output(self) -> bytes:
        with quiet_fpdf():
            return bytes(self.pdf.output())

    # -- shapes shared by several sheets -------------------------------------------------------

    def block(self, lines: list[str], x: float, y: float, width: float, height: float) -> float:
        """Lines already broken for `width`, printed from (x, y) in the current font; returns
        the y below them."""
        for line in lines:
            self.pdf.set_xy(x, y)
            self.pdf.cell(width, height, line)
            y += height
        return y

    def row(
        self,
        cells: list[tuple[str, Style]],
        widths: list[float],
        pad: float = 1.5,
        border: bool = True,
        fills: list[Fill | None] | None = None,
        min_height: float = 0,
    ) -> None:
        """A table row: each cell's text broken for its column, the row as tall as its tallest
        cell (or ``min_height``), a new page first when it would not fit. ``fills`` colours a
        cell's background and text."""
        pdf = self.pdf
        wrapped = self._wrapped(cells, widths, pad)
        height = max(self._height(wrapped, pad), min_height)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        top, x = pdf.get_y(), pdf.l_margin
        fills = fills or [None] * len(cells)
        for (lines, style), width, fill in zip(wrapped, widths, fills, strict=True):
            if fill is not None:
                pdf.set_fill_color(*fill.background)
                pdf.rect(x, top, width, height, style="F")
                pdf.set_text_color(*fill.text)
            line_height = self.use(style)
            self.block(lines, x + pad, top + pad, width - 2 * pad, line_height)
            pdf.set_text_color(20, 20, 20)
            if border:
                pdf.set_draw_color(150, 150, 150)
                pdf.rect(x, top, width, height)
            x += width
        pdf.set_xy(pdf.l_margin, top + height)

    def row_height(
        self, cells: list[tuple[str, Style]], widths: list[float], pad: float = 1.5
    ) -> float:
        """How tall `row` would make these cells."""
        return self._height(self._wrapped(cells, widths, pad), pad)

    def _wrapped(self, cells, widths, pad: float) -> list[tuple[list[str], Style]]:
        """Each cell's text broken for its column (inside the padding)."""
        return [
            (self.lines(text, style, width - 2 * pad) or [""], style)
            for (text, style), width in zip(cells, widths, strict=True)
        ]

    def _height(self, wrapped: list[tuple[list[str], Style]], pad: float) -> float:
        return max(len(lines) * self.use(style) for lines, style in wrapped) + 2 * pad

    def table(
        self,
        header: list[tuple[str, Style]],
        rows: list[list[tuple[str, Style]]],
        widths: list[float],
        pad: float = 1.5,
    ) -> None:
        """A header row and its rows; the header is printed again at the top of every page the
        table continues on, and never ends a page without a row under it."""
        pdf = self.pdf
        header_height = self.row_height(header, widths, 1.5)
        first = self.row_height(rows[0], widths, pad) if rows else 0
        if pdf.get_y() + header_height + first > pdf.page_break_trigger:
            pdf.add_page()
        self.row(header, widths, pad=1.5)
        for cells in rows:
            if pdf.get_y() + self.row_height(cells, widths, pad) > pdf.page_break_trigger:
                pdf.add_page()
                self.row(header, widths, pad=1.5)
            self.row(cells, widths, pad=pad)

    def keep(self, height: float) -> None:
        """A new page unless ``height`` more millimetres fit on this one: a heading or a label
        stays with what follows it."""
        if self.pdf.get_y() + height > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def text_height(self, text: str, style: Style, after: float = 0) -> float:
        return len(self.lines(text, style)) * self.use(style) + after

    def writing_space(self, lines: int, gap: float = 8.0) -> None:
        """Ruled lines to write on by hand."""
        pdf = self.pdf
        if pdf.get_y() + gap * min(lines, 3) > pdf.page_break_trigger:
            pdf.add_page()
        pdf.set_draw_color(190, 190, 190)
        for _ in range(lines):
            if pdf.get_y() + gap > pdf.page_break_trigger:
                pdf.add_page()
            pdf.set_y(pdf.get_y() + gap)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + self.width, pdf.get_y())
        pdf.ln(3)

    def cards(self, items: list, columns: int, rows: int, draw, gap: float = 8.0) -> None:
        """Cards of equal size, `columns` × `rows` per page, with cut marks in the gaps between
        them (never over a card). `draw(item, x, y, width, height)` fills one card."""
        pdf = self.pdf
        width = (self.width - gap * (columns - 1)) / columns
        height = (pdf.h - pdf.t_margin - pdf.b_margin - gap * (rows - 1)) / rows
        per_page = columns * rows
        for index, item in enumerate(items):
            if index % per_page == 0:
                pdf.add_page()
                self._cut_marks(columns, rows, width, height, gap)
            column, row = index % columns, (index % per_page) // columns
            x = pdf.l_margin + column * (width + gap)
            y = pdf.t_margin + row * (height + gap)
            pdf.set_draw_color(215, 215, 215)
            pdf.rect(x, y, width, height)
            draw(item, x, y, width, height)

    def _cut_marks(self, columns: int, rows: int, width: float, height: float, gap: float):
        """Short lines on every cutting line, in the margins and the gutters."""
        pdf = self.pdf
        mark = min(5.0, gap / 2 - 0.5) if gap > 2 else 3.0
        pdf.set_draw_color(60, 60, 60)
        pdf.set_line_width(0.2)
        xs = [
            pdf.l_margin + c * (width + gap) + edge for c in range(columns) for edge in (0, width)
        ]
        ys = [pdf.t_margin + r * (height + gap) + edge for r in range(rows) for edge in (0, height)]
        top, bottom = ys[0], ys[-1]
        left, right = xs[0], xs[-1]
        for x in xs:  # vertical cuts: marks above and below the grid, and in the row gutters
            pdf.line(x, top - 1 - mark, x, top - 1)
            pdf.line(x, bottom + 1, x, bottom + 1 + mark)
            for r in range(rows - 1):
                middle = ys[2 * r + 1] + gap / 2
                pdf.line(x, middle - mark / 2, x, middle + mark / 2)
        for y in ys:  # horizontal cuts: marks left and right of the grid, and in the column gutters
            pdf.line(left - 1 - mark, y, left - 1, y)
            pdf.line(right + 1, y, right + 1 + mark, y)
            for c in range(columns - 1):
                middle = xs[2 * c + 1] + gap / 2
                pdf.line(middle - mark / 2, y, middle + mark / 2, y)
