"""Japanese headings broken between phrases, not inside a word: BudouX (Google's phrase
segmenter) splits the text into phrases, and a heading's line breaks only between them
(止まった stays whole). Body text keeps the kinsoku rules of `text_layout.wrap`, which may break
between any two characters; a phrase wider than the line falls back to them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from app.domain.text_layout import wrap


def is_japanese(text: str) -> bool:
    """Hiragana or katakana: text BudouX's Japanese model is for (Korean and English break at
    spaces already)."""
    return any("\u3040" <= character <= "\u30ff" for character in text)


@cache
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


def phrases(text: str) -> list[str]:
    """The text's phrases, in order; joined, they are the text."""
    return _parser().parse(text) if text else []


def wrap_phrases(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of at most `width`, broken between Japanese phrases; other text as `wrap` breaks
    it."""
    if not is_japanese(text):
        return wrap(text, width, measure)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for phrase in phrases(paragraph):
            joined = line + phrase
            if measure(joined.strip()) <= width:
                line = joined
                continue
            if line.strip():
                lines.append(line.strip())
            pieces = wrap(phrase.strip(), width, measure)  # only a phrase too wide for a line
            lines.extend(pieces[:-1])
            line = pieces[-1] if pieces else ""
        lines.append(line.strip())
    return lines
