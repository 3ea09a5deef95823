"""Lists inside a sentence of the user's language: Japanese separates items with 、 (an ASCII
", " reads as foreign there); English and Korean with ", "."""

from __future__ import annotations

from collections.abc import Iterable

SEPARATORS = {"ja": "、"}


def joined(items: Iterable[str], lang: str) -> str:
    return SEPARATORS.get(lang, ", ").join(items)
