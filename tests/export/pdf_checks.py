"""What every printed sheet must pass, read back from the PDF: its text, page count and size,
nothing outside the printable area, ink on a rendered page."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

PAGE_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0), "a3": (841.89, 1190.55)}
MARGIN_POINTS = 16 / 25.4 * 72


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def assert_pages(data: bytes, paper: str, count: int | range, landscape: bool = False) -> None:
    reader = PdfReader(BytesIO(data))
    pages = len(reader.pages)
    assert pages in count if isinstance(count, range) else pages == count, pages
    width, height = PAGE_POINTS[paper]
    if landscape:
        width, height = height, width
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx((width, height), abs=0.1)


def assert_inside_margins(data: bytes, tmp_path: Path, paper: str, landscape=False) -> int:
    """Every word's box (pdftotext -bbox) inside the margins; returns how many words."""
    pdf = tmp_path / "inside.pdf"
    pdf.write_bytes(data)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width, height = PAGE_POINTS[paper]
    if landscape:
        width, height = height, width
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', boxes)
    for x_min, y_min, x_max, y_max in ((float(v) for v in w) for w in words):
        assert x_min >= MARGIN_POINTS - 0.5 and x_max <= width - MARGIN_POINTS + 0.5
        # The boxes span the font's ascent and descent (1.45 em for StoryCart Sans); the ink
        # lies in the middle em, so the top and bottom fifth of a box may reach past the margin.
        inset = 0.2 * (y_max - y_min)
        assert y_min + inset >= MARGIN_POINTS, (y_min, y_max)
        assert y_max - inset <= height - MARGIN_POINTS, (y_min, y_max)
    return len(words)


def gray_page(data: bytes, tmp_path: Path, page: int = 1, dpi: int = 30):
    """The page rendered by pdftoppm: (width, height, pixels 0–255)."""
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed; .ci/run installs it"
    pdf = tmp_path / "render.pdf"
    pdf.write_bytes(data)
    for old in tmp_path.glob("render-*.pgm"):
        old.unlink()
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(tmp_path / "render"),
        ],
        check=True,
    )
    (image,) = tmp_path.glob("render-*.pgm")
    _magic, size, _maximum, pixels = image.read_bytes().split(b"\n", 3)
    width, height = (int(v) for v in size.split())
    return width, height, pixels


def assert_ink(data: bytes, tmp_path: Path, page: int = 1) -> None:
    """Text and lines on the page (not an empty page), but not a black page."""
    _, _, pixels = gray_page(data, tmp_path, page, dpi=60)
    inked = sum(1 for value in pixels if value < 200)
    assert 0.004 < inked / len(pixels) < 0.5, inked / len(pixels)


def colour_share(data: bytes, tmp_path: Path, rgb: tuple[int, int, int], page: int = 1) -> float:
    """The share of the rendered page (pdftoppm, colour) within a few steps of this colour."""
    pdf = tmp_path / "colour.pdf"
    pdf.write_bytes(data)
    for old in tmp_path.glob("colour-*.ppm"):
        old.unlink()
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "20",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(tmp_path / "colour"),
        ],
        check=True,
    )
    (image,) = tmp_path.glob("colour-*.ppm")
    _magic, _size, _maximum, pixels = image.read_bytes().split(b"\n", 3)
    count = len(pixels) // 3
    near = sum(
        1 for i in range(count) if all(abs(pixels[3 * i + c] - rgb[c]) <= 12 for c in range(3))
    )
    return near / count


def inked_height(data: bytes, tmp_path: Path, page: int = 1) -> float:
    """How far down the page (0–1) its lowest ink reaches."""
    width, height, pixels = gray_page(data, tmp_path, page, dpi=30)
    rows = [pixels[y * width : (y + 1) * width] for y in range(height)]
    lowest = max(y for y, row in enumerate(rows) if min(row) < 200)
    return (lowest + 1) / height


def layout_lines(data: bytes, tmp_path: Path, left: float = 0) -> list[str]:
    """The text as pdftotext -layout places it: columns side by side on one line; only what
    lies right of ``left`` (points) when given."""
    pdf = tmp_path / "layout.pdf"
    pdf.write_bytes(data)
    crop = ["-x", str(int(left)), "-y", "0", "-W", "100000", "-H", "100000"] if left else []
    return subprocess.run(
        ["pdftotext", "-layout", "-r", "72", *crop, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


def text_lines(data: bytes, tmp_path: Path) -> list[tuple[int, str, float, float]]:
    """Every line of text as pdftotext -bbox-layout finds it: (page, text, top, bottom) in
    points from the top of the page."""
    pdf = tmp_path / "lines.pdf"
    pdf.write_bytes(data)
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for number, page in enumerate(xml.split("<page ")[1:], 1):
        for top, bottom, body in re.findall(
            r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>',
            page,
            re.S,
        ):
            words = re.findall(r">([^<]*)</word>", body)
            found.append((number, " ".join(words), float(top), float(bottom)))
    return found


EM_BOX = 1.448  # StoryCart Sans: a word's box (ascent + descent) is this many font sizes tall


def word_boxes(data: bytes, tmp_path: Path) -> list[tuple[int, str, float, float, float, float]]:
    """Every word as pdftotext -bbox places it on the rendered page: (page, text, x_min, y_min,
    x_max, y_max) in points from the top left."""
    pdf = tmp_path / "words.pdf"
    pdf.write_bytes(data)
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for number, page in enumerate(xml.split("<page ")[1:], 1):
        for box in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page,
        ):
            x_min, y_min, x_max, y_max = (float(v) for v in box[:4])
            found.append((number, box[4], x_min, y_min, x_max, y_max))
    return found


def type_size(box: tuple[int, str, float, float, float, float]) -> float:
    """A word's type size in points, from the height of its box on the page."""
    return (box[5] - box[3]) / EM_BOX


def poster_level_sizes(data: bytes, tmp_path: Path, level: str, detail: str) -> list[float]:
    """The type sizes (points) of the words of the poster's first tier: below its column
    headings (the first, ``level``) down to the heading of the detail (``detail``)."""
    words = word_boxes(data, tmp_path)
    heading = next(
        (
            top
            for _page, text, top, _bottom in text_lines(data, tmp_path)
            if squeeze(text).startswith(squeeze(detail))
        ),
        max(box[5] for box in words),  # a poster of one tier: every word below the headings
    )
    header_bottom = min(box[5] for box in words if box[1] == level)
    return [type_size(box) for box in words if header_bottom < box[3] and box[5] <= heading]
