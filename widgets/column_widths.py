"""How a list editor's columns share the width it has: each short column wants its width and
can shrink to its minimum (its label and values then end in "…"), the shortest-lived first; the
text columns share what is left and keep at least TEXT_ROOM cells until every short column is at
its minimum. Widths count terminal cells (a Korean or Japanese character is two)."""

from __future__ import annotations

from collections.abc import Sequence

TEXT_ROOM = 16  # cells a text column keeps before the short columns stop shrinking
SHORT_MIN = 6  # a short column's least width: a few cells of its value and "…"


def share(wanted: Sequence[int], shrink: Sequence[int], available: int) -> list[int]:
    """Widths for columns wanting `wanted` cells (0: a text column sharing the rest), given
    `available` cells. `shrink` orders the short columns: the lowest shrinks first."""
    widths = list(wanted)
    texts = [i for i, want in enumerate(wanted) if want == 0]
    needed = sum(widths) + TEXT_ROOM * len(texts)
    for i in sorted((i for i, want in enumerate(wanted) if want), key=lambda i: shrink[i]):
        if needed <= available:
            break
        cut = min(widths[i] - min(SHORT_MIN, widths[i]), needed - available)
        widths[i] -= cut
        needed -= cut
    rest = max(available - sum(widths), len(texts))
    for n, i in enumerate(texts):
        widths[i] = rest // len(texts) + (1 if n < rest % len(texts) else 0)
    return widths
