"""Diagrams on a story (seed 000: architecture and sequence diagrams, rough sketches, maps,
screenshots): an image file (PNG, JPEG or SVG) carried inside the story, or a text diagram drawn
in a monospace grid. Both travel with the story — export, translation, another laptop — because
they are part of it.

A text diagram is measured in terminal cells (a Korean or Japanese character takes two), the
same grid the reader shows and the printed sheet's monospace font keeps, so its columns line up
everywhere. An image is checked once, when it is attached: its kind by its first bytes (never
its name), that it opens, and its size in pixels.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass

from rich.cells import cell_len

from app.domain.story.refusal import StoryError
from app.domain.textsafe import first_control

MAX_DIAGRAMS = 4
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_COLUMNS = 120  # cells: still 6.5 pt in the monospace font across an A4 page
MAX_LINES = 60
TAB_STOP = 8
KINDS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/svg+xml": "SVG"}


@dataclass
class Diagram:
    caption: str = ""
    text: str = ""  # a text diagram, lines of monospace cells
    image: str = ""  # the image file, base64
    media_type: str = ""  # image/png, image/jpeg or image/svg+xml
    name: str = ""  # the file it was attached from
    width: int = 0  # pixels (an SVG: its own units)
    height: int = 0

    @property
    def is_image(self) -> bool:
        return bool(self.image)

    def image_bytes(self) -> bytes:
        return base64.b64decode(self.image)

    @property
    def kind(self) -> str:
        """PNG, JPEG, SVG or text."""
        return KINDS.get(self.media_type, "text")

    def lines(self) -> list[str]:
        return self.text.split("\n") if self.text else []

    @property
    def columns(self) -> int:
        return max((cell_len(line) for line in self.lines()), default=0)


def text_diagram(text: str, caption: str = "") -> Diagram:
    """A text diagram as typed or read from a file: tabs become spaces (a tab is as wide as the
    terminal likes, a diagram's columns are not), trailing spaces and blank edges go."""
    lines = [line.rstrip() for line in text.expandtabs(TAB_STOP).replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    diagram = Diagram(caption=caption.strip(), text="\n".join(lines))
    _check_text(diagram)
    return diagram


def _check_text(diagram: Diagram) -> None:
    lines = diagram.lines()
    if not lines:
        raise StoryError("The text diagram is empty.", "refusal.diagram_empty")
    if len(lines) > MAX_LINES:
        raise StoryError(
            f"The text diagram has {len(lines)} lines; a diagram may have at most {MAX_LINES}.",
            "refusal.diagram_lines",
            count=len(lines),
            most=MAX_LINES,
        )
    for number, line in enumerate(lines, 1):
        control = first_control(line)
        if control is not None:
            code = f"U+{ord(control):04X}"
            raise StoryError(
                f"Line {number} of the text diagram holds a control character ({code}); "
                "a diagram is plain text.",
                "refusal.diagram_control",
                line=number,
                code=code,
            )
        if cell_len(line) > MAX_COLUMNS:
            raise StoryError(
                f"Line {number} of the text diagram is {cell_len(line)} columns wide; "
                f"a diagram may be at most {MAX_COLUMNS}.",
                "refusal.diagram_wide",
                line=number,
                width=cell_len(line),
                most=MAX_COLUMNS,
            )


def image_diagram(data: bytes, name: str, caption: str = "") -> Diagram:
    """An image file as a diagram, refused in one sentence when it is not a PNG, JPEG or SVG
    image, is too large, or does not open."""
    if len(data) > MAX_IMAGE_BYTES:
        raise StoryError(
            f"{name} is {len(data) / 1048576:.1f} MiB; an image may be at most "
            f"{MAX_IMAGE_BYTES // 1048576} MiB.",
            "refusal.diagram_large",
            name=name,
            size=f"{len(data) / 1048576:.1f}",
            most=MAX_IMAGE_BYTES // 1048576,
        )
    media_type = sniff(data)
    if media_type is None:
        raise StoryError(
            f"{name} is not a PNG, JPEG or SVG image.", "refusal.diagram_kind", name=name
        )
    width, height = (_svg_size if media_type == "image/svg+xml" else _raster_size)(data, name)
    return Diagram(
        caption=caption.strip(),
        image=base64.b64encode(data).decode("ascii"),
        media_type=media_type,
        name=name,
        width=width,
        height=height,
    )


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        return "image/svg+xml" if b"<svg" in head else None
    return None


def _unreadable(name: str, kind: str, error: Exception) -> StoryError:
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    return StoryError(
        f"{name} could not be read as a {kind} image ({detail}).",
        "refusal.diagram_unreadable",
        name=name,
        kind=kind,
        detail=detail,
    )


def _raster_size(data: bytes, name: str) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    kind = KINDS[sniff(data)]
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() reads the structure; a cut-off file fails only here
            return image.size
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError) as error:
        raise _unreadable(name, kind, error) from None


_NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+)")


def _svg_size(data: bytes, name: str) -> tuple[int, int]:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise _unreadable(name, "SVG", error) from None
    if not root.tag.endswith("svg"):
        raise StoryError(
            f"{name} is not a PNG, JPEG or SVG image.", "refusal.diagram_kind", name=name
        )
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    sizes = [_NUMBER.match(root.get(side) or "") for side in ("width", "height")]
    if all(sizes):
        return round(float(sizes[0].group(1))), round(float(sizes[1].group(1)))
    return 0, 0


def check_diagrams(diagrams: list[Diagram]) -> None:
    """The checks a stored or imported story passes every time it is read: cheap ones (the
    image itself was opened when it was attached, and again by `check_image` on import)."""
    if len(diagrams) > MAX_DIAGRAMS:
        raise StoryError(
            f"A story takes at most {MAX_DIAGRAMS} diagrams.",
            "refusal.diagram_count",
            count=MAX_DIAGRAMS,
        )
    for diagram in diagrams:
        if diagram.is_image == bool(diagram.text):
            raise StoryError(
                "A diagram is either an image or a text diagram.", "refusal.diagram_both"
            )
        if diagram.is_image and diagram.media_type not in KINDS:
            raise StoryError(
                f"The diagram type {diagram.media_type!r} is not PNG, JPEG or SVG.",
                "refusal.diagram_type",
                value=diagram.media_type,
            )
        if not diagram.is_image:
            _check_text(diagram)


def check_image(diagram: Diagram) -> None:
    """The whole check of an image that arrives from elsewhere (a library import)."""
    try:
        data = base64.b64decode(diagram.image, validate=True)
    except (binascii.Error, ValueError):
        raise StoryError(
            f"The image {diagram.name!r} is not base64.",
            "refusal.diagram_base64",
            name=diagram.name,
        ) from None
    checked = image_diagram(data, diagram.name or "image")
    if checked.media_type != diagram.media_type:
        raise StoryError(
            f"The image {diagram.name!r} is {checked.kind}, not {diagram.kind}.",
            "refusal.diagram_mislabelled",
            name=diagram.name,
            actual=checked.kind,
            stated=diagram.kind,
        )
