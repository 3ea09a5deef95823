"""Shared layout for printed sheets: paper sizes, the shipped CJK font, and a Sheet with
headings, paragraphs, rules and boxes.

fpdf2 breaks lines at spaces only and has no kinsoku, so sheets break lines themselves with
`app.text_layout.wrap` measured in the PDF font: Korean and English between words, Japanese
between characters but never before closing punctuation or small kana and never after opening
brackets. Each line is then printed as it is, left-aligned (justifying would stretch the spaces
of Korean lines), so the PDF holds exactly the text and nothing invisible.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

from app.text_layout import wrap
from app.textsafe import printable

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


TITLE = Style(20, True, 1.3)
HEADING = Style(12.5, True, 1.35)
BODY = Style(10.5)
SMALL = Style(8.5)


class Sheet:
    """An fpdf2 document with the shipped font and the helpers every sheet uses."""

    def __init__(self, paper: str = "a4", orientation: str = "portrait") -> None:
        from fpdf import FPDF

        if paper not in PAPER:
            raise ValueError(f"Paper {paper!r} is not one of {', '.join(PAPER)}.")
        self.pdf = FPDF(orientation="L" if orientation == "landscape" else "P",
                        unit="mm", format=PAPER[paper])  # fmt: skip
        self.pdf.set_margins(16, 16, 16)
        self.pdf.set_auto_page_break(True, margin=16)
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
        return wrap(printable(text).strip(), room, self.pdf.get_string_width)

    def text(self, text: str, style: Style = BODY, width: float = 0, after: float = 2.5,
             color: tuple[int, int, int] | None = None) -> None:  # fmt: skip
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

    def missing_characters(self) -> str:
        """Characters of the text the font cannot print (they would show as empty boxes)."""
        missing = set()
        for font in self.pdf.fonts.values():
            missing.update(chr(code) for code in getattr(font, "missing_glyphs", ()))
        return "".join(sorted(missing))

    def output(self) -> bytes:
        with quiet_fpdf():
            return bytes(self.pdf.output())
