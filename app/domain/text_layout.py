"""Line breaking that is right for Korean, Japanese and English: in terminal cells for the
screens, or with any measure (points of a PDF font) for printed sheets.

Korean and English break at spaces; Japanese (and Chinese) may break between any two characters,
except that closing punctuation and small kana never start a line and opening brackets never end
one (kinsoku). Widths count wide characters as two cells.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from rich.cells import cell_len

NO_LINE_START = set(
    "、。，．,.・：；？！)）]］｝〕〉》」』】〙〗〟’”ヽヾーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻‐゠–〜～…‥"
)
NO_LINE_END = set("(（[［｛〔〈《「『【〘〖〝‘“")


def _breaks_anywhere(character: str) -> bool:
    """Han, kana and full-width forms: scripts written without spaces between words."""
    if not character or character.isspace():
        return False
    name = unicodedata.name(character, "")
    if name.startswith("HANGUL"):
        return False
    return unicodedata.east_asian_width(character) in ("W", "F")


def _units(text: str) -> list[str]:
    """Pieces that must stay together; a line may break between any two (" " is its own unit)."""
    units: list[str] = []
    current = ""
    for character in text:
        if character == " ":
            if current:
                units.append(current)
                current = ""
            units.append(" ")
            continue
        if current and _may_break_between(current[-1], character):
            units.append(current)
            current = character
        else:
            current += character
    if current:
        units.append(current)
    return units


def _may_break_between(before: str, after: str) -> bool:
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    return _breaks_anywhere(before) or _breaks_anywhere(after)


def _hard_split(unit: str, width: float, measure: Callable[[str], float]) -> list[str]:
    pieces, piece = [], ""
    for character in unit:
        if piece and measure(piece + character) > width:
            pieces.append(piece)
            piece = ""
        piece += character
    return [*pieces, piece] if piece else pieces


def longest_unit(text: str) -> int:
    """Cells of the widest piece wrap() keeps whole: a column narrower than this breaks a word."""
    return max((cell_len(unit) for unit in _units(text.replace("\n", " "))), default=0)


def wrap(text: str, width: float, measure: Callable[[str], float] = cell_len) -> list[str]:
    """Lines of at most `width` (terminal cells unless another measure is given); a single
    character wider than that stands alone."""
    if measure is cell_len:
        width = max(width, 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, pending_space = "", False
        for unit in _units(paragraph):
            if unit == " ":
                pending_space = bool(line)
                continue
            joined = f"{line} {unit}" if pending_space else line + unit
            pending_space = False
            if measure(joined) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            pieces = _hard_split(unit, width, measure)
            lines.extend(pieces[:-1])
            line = pieces[-1]
        lines.append(line)
    return lines


def hanging(text: str, width: int, marker: str = "• ") -> str:
    """Wrapped text with a marker on the first line and the rest indented under the text."""
    indent = " " * cell_len(marker)
    lines = wrap(text, width - cell_len(marker))
    return "\n".join((marker if n == 0 else indent) + line for n, line in enumerate(lines))


def pad_cells(text: str, width: int) -> str:
    """The text padded with spaces to `width` terminal cells (a wide character counts two)."""
    return text + " " * max(0, width - cell_len(text))
