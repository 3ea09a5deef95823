"""How assets/fonts/StoryCartSans-*.ttf and StoryCartMono-Regular.ttf were made (run once by a
maintainer, not at run time).

Source: Noto Sans CJK JP Regular and Bold from Debian's fonts-noto-cjk (SIL Open Font License
1.1, see OFL.txt). Kept: ASCII and Latin-1, general punctuation, arrows and shapes used on the
sheets, CJK symbols and punctuation, kana, full- and half-width forms, every Hangul syllable and
jamo, and every character of KS X 1001 and JIS X 0208 (so common hanja and kanji print). The
CFF outlines are converted to TrueType (quadratic) outlines: fpdf2 embeds and subsets them, and
PDF text extractors read them back correctly. Renamed "StoryCart Sans" as the OFL asks of
modified versions. The monospace face (text diagrams on printed stories) is Noto Sans Mono CJK
JP from the same collection, renamed "StoryCart Mono": Latin in one cell, CJK in two, as a
terminal draws them, so a diagram's columns line up on paper as they do on screen.

    python3 assets/fonts/make_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
        /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

JAPANESE_FACE = "Noto Sans CJK JP"
MONO_FACE = "Noto Sans Mono CJK JP"
RANGES = [
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x2010, 0x205E),
    (0x2190, 0x21FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x30FF),
    (0x3130, 0x318F),
    (0x1100, 0x11FF),
    (0xAC00, 0xD7A3),
    (0xFF01, 0xFFEF),
]


def wanted_characters() -> set[int]:
    codes = {c for low, high in RANGES for c in range(low, high + 1)}
    for encoding in ("euc_kr", "euc_jp"):
        for first in range(0xA1, 0xFF):
            for second in range(0xA1, 0xFF):
                with contextlib.suppress(UnicodeDecodeError):  # unassigned code points
                    codes.update(map(ord, bytes([first, second]).decode(encoding)))
    return codes


def face(collection_path: str, name: str = JAPANESE_FACE):
    for font in TTCollection(collection_path).fonts:
        if font["name"].getDebugName(1) == name:
            return font
    raise SystemExit(f"{collection_path} has no {name} face")


def to_truetype(font) -> None:
    """Replace the CFF table with glyf/loca (quadratic curves, error under 1 unit)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = glyph_order, glyphs
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font, style: str, family: str = "StoryCart Sans", source: str = JAPANESE_FACE) -> None:
    names = {
        1: family,
        2: style,
        3: f"{family} {style}; subset of {source}",
        4: f"{family} {style}",
        6: f"{family.replace(' ', '')}-{style}",
    }
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names and n.nameID not in (16, 17)]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)


def main(regular: str, bold: str) -> None:
    out = Path(__file__).parent
    options = subset.Options()
    options.layout_features = []  # fpdf2 does not shape; alternates only add weight
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    codes = wanted_characters()
    for source, style, family, name in (
        (regular, "Regular", "StoryCart Sans", JAPANESE_FACE),
        (bold, "Bold", "StoryCart Sans", JAPANESE_FACE),
        (regular, "Regular", "StoryCart Mono", MONO_FACE),
    ):
        font = face(source, name)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codes)
        subsetter.subset(font)
        to_truetype(font)
        rename(font, style, family, name)
        target = out / f"{family.replace(' ', '')}-{style}.ttf"
        font.save(target)
        print(f"{target}: {target.stat().st_size / 1e6:.1f} MB, {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main(*sys.argv[1:3])
