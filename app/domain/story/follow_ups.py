"""Closing the loop: the state of each follow-up a story promised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.story.model import FollowUp


def loop_state(item: FollowUp, today: date) -> str:
    if item.status == "done":
        return "done"
    if item.due and date.fromisoformat(item.due) < today:
        return "overdue"
    return "open"


@dataclass(frozen=True)
class LoopSummary:
    done: int
    open: int
    overdue: int

    @property
    def total(self) -> int:
        return self.done + self.open + self.overdue


def loop_summary(items: list[FollowUp], today: date) -> LoopSummary:
    states = [loop_state(item, today) for item in items]
    return LoopSummary(states.count("done"), states.count("open"), states.count("overdue"))


# How a follow-up's state is marked on a terminal (the printed sheets use shapes of their font).
SCREEN_LOOP_MARKS = {"done": "✓", "open": "○", "overdue": "!"}


def loop_lines(follow_ups, today: date, t, marks: dict[str, str]) -> tuple[str, list[str]]:
    """The follow-ups as the reader and the sheets show them: a heading with the done / open /
    overdue count, and a line per item (mark, state, title — owner (due)). `t` is a catalog's
    lookup; the count and the lines are judged against the same day."""
    summary = loop_summary(list(follow_ups), today)
    heading = f"{t('story.loop')} — " + t(
        "story.loop_summary", done=summary.done, open=summary.open, overdue=summary.overdue
    )
    lines = []
    for item in follow_ups:
        state = loop_state(item, today)
        owner = f" — {item.owner}" if item.owner else ""
        due = f" ({item.due})" if item.due else ""
        lines.append(f"{marks[state]} {t(f'story.loop_state.{state}')}: {item.title}{owner}{due}")
    return heading, lines
