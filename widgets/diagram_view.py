"""A story's diagram on screen: a text diagram as typed (never wrapped: its columns are the
point, so it scrolls sideways when the screen is narrower), an image as coloured half-block
cells — two pixels a cell, which every colour terminal shows — or, for an SVG, a line saying
what it is and that the printed sheet draws it. The caption under each."""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from app.domain.story.diagram_picture import Picture
from app.domain.textsafe import printable

UPPER_HALF = "▀"


class PictureView(Widget):
    """Half-block cells of a Picture: the upper half in the foreground colour, the lower half
    in the background colour. Strips are made once."""

    def __init__(self, picture: Picture, **kwargs) -> None:
        super().__init__(**kwargs)
        self.picture = picture
        self._strips = [
            Strip(
                [
                    Segment(
                        UPPER_HALF,
                        Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom)),
                    )
                    for top, bottom in row
                ],
                len(row),
            )
            for row in picture.rows
        ]

    def get_content_width(self, *_sizes: Size) -> int:
        return self.picture.columns

    def get_content_height(self, *_sizes_and_width: Size | int) -> int:
        return len(self._strips)

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width)


class DiagramView(Vertical):
    """One diagram and its caption. ``note`` names an image the screen cannot draw."""

    def __init__(self, diagram, picture: Picture | None, note: str, **kwargs) -> None:
        super().__init__(classes="diagram", **kwargs)
        self.diagram = diagram
        self.picture = picture
        self.note = note

    def compose(self) -> ComposeResult:
        if not self.diagram.is_image:
            with HorizontalScroll(classes="diagram-text-scroll"):
                yield Static(Content(printable(self.diagram.text)), classes="diagram-text")
        elif self.picture is not None:
            yield PictureView(self.picture, classes="diagram-picture")
        if self.note:
            yield Static(Content(self.note), classes="diagram-note")
        if self.diagram.caption:
            yield Static(Content(printable(self.diagram.caption)), classes="diagram-caption")
