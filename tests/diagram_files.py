"""Diagram files for the tests: a PNG and a JPEG drawn with Pillow (a red left third on white,
so where the colour lands can be checked), an SVG with a blue box, and a text diagram with
Korean and Japanese in it."""

from __future__ import annotations

import io

from PIL import Image

RED = (200, 30, 30)
BLUE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="200" height="100">'
    b'<rect x="10" y="10" width="80" height="40" fill="#1e50c8"/></svg>'
)
# Columns as a terminal counts them: 결제 and データ are two cells a character.
TEXT_DIAGRAM = "\n".join(
    [
        "+--------+     +--------+",
        "| 결제   |---->| データ |",
        "+--------+     +--------+",
        "  client         DB pool",
    ]
)


def picture(width: int = 300, height: int = 150, kind: str = "PNG") -> bytes:
    image = Image.new("RGB", (width, height), (255, 255, 255))
    image.paste(RED, (0, 0, width // 3, height))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()
