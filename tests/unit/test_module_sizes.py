"""No module in app/, screens/, widgets/ or storage/ grows past 450 lines.

The house limit is 400 lines: a module past it gets split into modules with one job each.
This test is the hard stop at 450, so a module that creeps over 400 is a review comment,
and one past 450 fails here with its path and size.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "screens", "widgets", "storage")
HARD_STOP = 450


def _line_count(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)


def test_no_module_is_over_the_hard_stop():
    too_long = {
        str(path.relative_to(REPO)): lines
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if (lines := _line_count(path)) > HARD_STOP
    }
    assert not too_long, "\n".join(
        f"{name}: {lines} lines (hard stop {HARD_STOP}, house limit 400)"
        for name, lines in too_long.items()
    )


def test_the_walk_finds_the_modules():
    """Guard against a test that passes because it looked at nothing."""
    found = [path for package in PACKAGES for path in (REPO / package).rglob("*.py")]
    assert len(found) > 100
