"""An image diagram for a terminal: scaled to a number of cells and sampled two pixels to a cell
(upper and lower half), so any terminal with colour shows the sketch, not only those that speak
an image protocol. An SVG has no pixels without a renderer; the screen names it instead."""

from __future__ import annotations

import io
from dataclasses import dataclass

from app.domain.story.diagrams import Diagram

RGB = tuple[int, int, int]
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Picture:
    """Rows of cells, each the colour of its upper and its lower half."""

    rows: tuple[tuple[tuple[RGB, RGB], ...], ...]

    @property
    def columns(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def picture(diagram: Diagram, columns: int, max_rows: int) -> Picture | None:
    """The image in at most ``columns`` × ``max_rows`` cells, its proportions kept (a cell is
    about twice as tall as wide, and holds two pixels one above the other); None for an SVG or
    a text diagram."""
    if diagram.kind not in ("PNG", "JPEG"):
        return None
    from PIL import Image

    with Image.open(io.BytesIO(diagram.image_bytes())) as source:
        image = source.convert("RGBA")
    flat = Image.new("RGBA", image.size, (*WHITE, 255))
    flat.alpha_composite(image)  # transparent parts on paper white, as printed
    flat = flat.convert("RGB")
    scale = min(columns / flat.width, (max_rows * 2) / flat.height)
    width = max(1, round(flat.width * scale))
    height = max(2, round(flat.height * scale))
    height += height % 2
    small = flat.resize((width, height), Image.Resampling.BOX)
    pixels = small.load()
    return Picture(
        tuple(
            tuple((pixels[x, y], pixels[x, y + 1]) for x in range(width))
            for y in range(0, height, 2)
        )
    )


def shown_on_screen(diagrams, t, columns: int = 72, max_rows: int = 24) -> tuple:
    """(diagram, picture or None, note) for each diagram, ready for a screen; decoding the
    images is the slow part, done by whoever loads the story (a worker), not by the screen."""
    from app.domain.textsafe import printable

    shown = []
    for diagram in diagrams:
        note = ""
        if diagram.is_image:
            values = dict(
                kind=diagram.kind,
                name=printable(diagram.name),
                width=diagram.width,
                height=diagram.height,
            )
            note = t(
                "story.diagram_svg" if diagram.kind == "SVG" else "story.diagram_image", **values
            )
        shown.append((diagram, picture(diagram, columns, max_rows), note))
    return tuple(shown)
