"""A story's diagrams on paper: an image embedded at most the text's width and a third of the
page tall, an SVG drawn as vectors, a text diagram in the shipped monospace font on the grid the
terminal uses — each with its caption under it.

The monospace font draws Latin in one cell and Korean, Japanese and Chinese in two, as a
terminal does; a character it draws at another width (box drawing is full width in a CJK font,
one cell in a terminal) is squeezed into its cells, so every column lands where it is on screen.
"""

from __future__ import annotations

import io
import logging
import warnings
from contextlib import contextmanager
from importlib import resources

from rich.cells import cell_len

from app.export.layout import Sheet, Style

MONO_FAMILY = "storycart-mono"
MAX_MONO_SIZE = 9.0  # points
POINT_MM = 0.3528
HALF_EM = 0.5  # a monospace cell is half the font's size wide
LINE_SPACING = 1.18  # box drawing joins up at about this leading
PIXEL_MM = 25.4 / 96  # an image's natural size on paper: a screen's pixel
CAPTION = Style(8.5)
MUTED = (95, 95, 95)


def mono_font_path() -> str:
    return str(resources.files("assets") / "fonts" / "StoryCartMono-Regular.ttf")


class DiagramNotDrawn(ValueError):
    """An image fpdf2 cannot draw (an SVG feature it does not support, a broken file)."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"The diagram {name!r} could not be drawn ({detail}).")
        self.detail = detail


def write_diagrams(sheet: Sheet, diagrams, heading: str, heading_style: Style) -> None:
    if not diagrams:
        return
    sheet.keep(30)
    sheet.text(heading, heading_style, after=1)
    for diagram in diagrams:
        if diagram.is_image:
            try:
                _image(sheet, diagram)
            except DiagramNotDrawn as error:  # attached before a check refused it: say so
                sheet.text(str(error), CAPTION, color=MUTED, after=1)
        else:
            _text(sheet, diagram)
        if diagram.caption:
            sheet.text(diagram.caption, CAPTION, color=MUTED, after=3)
        else:
            sheet.pdf.ln(3)


def _image(sheet: Sheet, diagram) -> None:
    pdf = sheet.pdf
    width_px, height_px = diagram.width or 400, diagram.height or 300
    width = min(sheet.width, width_px * PIXEL_MM)
    height = width * height_px / width_px
    tallest = (pdf.h - pdf.t_margin - pdf.b_margin) / 3
    if height > tallest:
        width, height = width * tallest / height, tallest
    sheet.keep(height + 6)
    with _quiet_svg():
        _place(pdf, diagram, width, height)
    pdf.set_xy(pdf.l_margin, pdf.get_y() + height + 1.5)


@contextmanager
def _quiet_svg():
    """fpdf2 warns on stderr about an SVG without a viewBox and logs tags it skips: the sheet is
    printed all the same, and a terminal app must not write over its own screen."""
    logger = logging.getLogger("fpdf.svg")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _place(pdf, diagram, width: float, height: float) -> None:
    from fpdf.enums import ResourceAccessPolicy

    try:
        pdf.image(
            io.BytesIO(diagram.image_bytes()),
            x=pdf.l_margin,
            y=pdf.get_y(),
            w=width,
            h=height,
            # a story's SVG from another library draws nothing from this machine or the web
            resource_access_policy=ResourceAccessPolicy(0),
        )
    except Exception as error:  # fpdf2 raises many kinds for an image it cannot draw
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DiagramNotDrawn(diagram.name or diagram.caption, detail) from None


def _text(sheet: Sheet, diagram) -> None:
    pdf = sheet.pdf
    _register_mono(pdf)
    columns = max(diagram.columns, 1)
    pad = pdf.c_margin  # a cell insets its text by this much
    size = min(MAX_MONO_SIZE, (sheet.width - 2 * pad) / (columns * HALF_EM * POINT_MM))
    cell = size * HALF_EM * POINT_MM
    line_height = size * LINE_SPACING * POINT_MM
    lines = diagram.lines()
    pdf.set_font(MONO_FAMILY, "", size)
    sheet.keep(min(len(lines), 12) * line_height + 4)
    pdf.set_fill_color(246, 246, 246)
    width = columns * cell + 2 * pad
    y = pdf.get_y()
    for line in lines:
        if y + line_height > pdf.page_break_trigger:  # a long diagram goes on over the page
            pdf.add_page()
            pdf.set_font(MONO_FAMILY, "", size)
            y = pdf.get_y()
        pdf.rect(pdf.l_margin, y, width, line_height, style="F")  # a grey ground, line by line
        _grid_line(pdf, line, pdf.l_margin, y, cell, line_height)
        y += line_height
    pdf.set_xy(pdf.l_margin, y + 2)


def _grid_line(pdf, line: str, left: float, y: float, cell: float, height: float) -> None:
    """One line of the diagram: runs the font draws at their cell widths printed as they are,
    any other character squeezed (or stretched) into its cells."""
    column, run, run_column = 0, "", 0

    def flush() -> None:
        if run:
            pdf.set_xy(left + run_column * cell, y)
            pdf.cell(text=run, h=height)

    for character in line:
        cells = cell_len(character)
        drawn = pdf.get_string_width(character)
        if abs(drawn - cells * cell) < 0.01 or character == " ":
            if not run:
                run_column = column
            run += character
        else:
            flush()
            run = ""
            pdf.set_stretching(100 * cells * cell / drawn if drawn else 100)
            pdf.set_xy(left + column * cell, y)
            pdf.cell(text=character, h=height)
            pdf.set_stretching(100)
        column += cells
    flush()


def _register_mono(pdf) -> None:
    if MONO_FAMILY not in pdf.fonts:
        pdf.add_font(MONO_FAMILY, "", mono_font_path())


def check_printable(diagram) -> None:
    """Draw an image diagram on a scratch page: raises DiagramNotDrawn when a sheet could not
    show it (an SVG using what fpdf2 does not draw), so attaching it is refused instead."""
    if diagram.is_image:
        sheet = Sheet()
        sheet.page()
        _image(sheet, diagram)


def attachable_image(data: bytes, name: str, caption: str = ""):
    """An image file as a diagram a story sheet can print, or a StoryError in one sentence."""
    from app.domain.story.diagrams import image_diagram
    from app.domain.story.refusal import StoryError

    diagram = image_diagram(data, name, caption)
    try:
        check_printable(diagram)
    except DiagramNotDrawn as error:
        raise StoryError(
            f"{name} cannot be printed ({error.detail}).",
            "refusal.diagram_not_drawn",
            name=name,
            detail=error.detail,
        ) from None
    return diagram
