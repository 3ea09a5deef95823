"""A QR code drawn in the PDF as vector squares (segno computes the modules; nothing is
rasterised), so it stays sharp at any printer's resolution."""

from __future__ import annotations

QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def draw_qr(pdf, data: str, x: float, y: float, size: float) -> None:
    """The code of `data` in a `size` mm square at (x, y), quiet zone included."""
    import segno  # only when a sheet carries a code

    code = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in code.matrix]
    modules = len(rows) + 2 * QUIET_ZONE
    step = size / modules
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            left = x + (QUIET_ZONE + start) * step
            top = y + (QUIET_ZONE + r) * step
            pdf.rect(left, top, (c - start) * step, step, style="F")
