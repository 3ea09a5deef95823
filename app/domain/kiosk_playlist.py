"""The cart's screen, without a screen: what the kiosk shows (a playlist of slides in one or
more languages), when it moves on (deadlines against the injected clock), and the unlock
sequence that lets a curator leave it. Plain data and strings; the kiosk screen renders them."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.domain.i18n import Catalog
from app.domain.kiosk_metrics import metrics_blocks
from app.domain.policy.targets import severity_targets
from app.domain.textsafe import printable

if TYPE_CHECKING:  # app.domain.story loads its banks: not needed to read the settings
    from app.domain.story.follow_ups import LoopSummary

SLIDES = (
    "story",
    "diagrams",
    "highlight",
    "prompts",
    "near_misses",
    "follow_ups",
    "metrics",
    "matrix",
)
NEAR_MISSES = 3
KIOSK_PICTURE = (90, 30)  # cells an image diagram may take on the cart's screen
PAST_STORIES = 4
# After the database went away: try again after 5 s, then 10, 20, … up to a minute.
RETRY_FIRST_S, RETRY_MAX_S = 5, 60


class UnlockSequence:
    """Recognises the unlock keys typed in order, whatever was typed before them."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self._recent: deque[str] = deque(maxlen=len(keys))

    def feed(self, key: str) -> bool:
        self._recent.append(key)
        if tuple(self._recent) == self.keys:
            self._recent.clear()
            return True
        return False


# -- what the slides show -----------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A story as another slide names it: title, date, one line."""

    title: str
    occurred_on: str
    line: str


@dataclass(frozen=True)
class PastLoop:
    title: str
    occurred_on: str
    summary: LoopSummary
    lines: tuple[str, ...]


@dataclass(frozen=True)
class MatrixRow:
    severity: str
    name: str
    definition: str
    response: str  # "respond within 15 min", in the slide's language
    resolution: str
    first_notify: str


@dataclass(frozen=True)
class KioskContent:
    """Everything one language's pass through the playlist shows, loaded in one go."""

    lang: str
    week: object | None  # app.services.library.week.Week
    near_misses: tuple[Mention, ...] = ()
    past: tuple[PastLoop, ...] = ()
    matrix_title: str = ""
    matrix: tuple[MatrixRow, ...] = ()
    metrics_title: str = ""  # this quarter's figures: a block per severity that had incidents
    metrics: tuple[tuple[str, str], ...] = ()
    diagrams: tuple = ()  # the week's story's diagrams, ready to show (shown_on_screen)

    def slides(self) -> tuple[str, ...]:
        """The slides that have something to show, in playlist order."""
        story = self.week.view.story if self.week is not None else None
        present = {
            "story": True,  # says "no story yet" when there is none
            "diagrams": bool(self.diagrams),
            "highlight": bool(story and story.highlight),
            "prompts": bool(story and story.prompts),
            "near_misses": bool(self.near_misses),
            "follow_ups": bool(self.past),
            "matrix": bool(self.matrix),
            "metrics": bool(self.metrics),
        }
        return tuple(kind for kind in SLIDES if present[kind])


@dataclass(frozen=True)
class SlideText:
    """One slide as plain strings: a small heading, a title, paragraphs (body) and blocks
    (boxed items such as prompt cards or matrix rows)."""

    heading: str
    title: str
    body: tuple[str, ...] = ()
    blocks: tuple[tuple[str, str], ...] = ()  # (block title, block text)
    note: str = ""
    diagrams: tuple = ()  # one a page: (diagram, picture, note)


def slide_text(content: KioskContent, kind: str) -> SlideText:
    from app.domain.story.bank import story_marks, week_until

    t = Catalog(content.lang).t
    week = content.week
    if kind == "story":
        if week is None:
            return SlideText(t("kiosk.week"), t("story.week_none"))
        story = week.view.story
        marks = story_marks(story, content.lang, t)
        return SlideText(
            f"{t('kiosk.week')} · {week_until(week.rotates_at, t)}",
            printable(story.title),
            tuple(_paragraphs(story.narrative)),
            note=" · ".join(part for part in marks if part),
        )
    story = week.view.story if week is not None else None
    if kind == "diagrams":
        return SlideText(t("kiosk.diagrams"), printable(story.title), diagrams=content.diagrams)
    if kind == "highlight":
        return SlideText(
            t("kiosk.highlight"), printable(story.title), (printable(story.highlight),)
        )
    if kind == "prompts":
        blocks = tuple((f"{number}", printable(p)) for number, p in enumerate(story.prompts, 1))
        return SlideText(
            t("kiosk.prompts"), printable(story.title), blocks=blocks, note=t("kiosk.prompts_note")
        )
    if kind == "near_misses":
        blocks = tuple(
            (" · ".join(p for p in (m.occurred_on, m.title) if p), m.line)
            for m in content.near_misses
        )
        return SlideText(t("kiosk.near_misses"), t("kiosk.near_misses_title"), blocks=blocks)
    if kind == "follow_ups":
        blocks = tuple(
            (
                " · ".join(part for part in (p.occurred_on, p.title) if part),
                "\n".join((_loop_count(p.summary, t), *p.lines)),
            )
            for p in content.past
        )
        return SlideText(t("kiosk.follow_ups"), t("kiosk.follow_ups_title"), blocks=blocks)
    if kind == "matrix":
        blocks = tuple(
            (
                f"{row.severity} · {row.name}",
                "\n".join(
                    part
                    for part in (
                        row.definition,
                        " · ".join(p for p in (row.response, row.resolution) if p),
                        t("kiosk.first_notify", who=row.first_notify),
                    )
                    if part
                ),
            )
            for row in content.matrix
        )
        return SlideText(t("kiosk.matrix"), content.matrix_title, blocks=blocks)
    if kind == "metrics":
        return SlideText(t("kiosk.metrics"), content.metrics_title, blocks=content.metrics)
    raise KeyError(kind)


def _paragraphs(text: str) -> list[str]:
    return [printable(part.strip()) for part in text.split("\n\n") if part.strip()]


def _loop_count(summary: LoopSummary, t) -> str:
    return t("story.loop_summary", done=summary.done, open=summary.open, overdue=summary.overdue)


# -- the playlist -------------------------------------------------------------------------


@dataclass
class Playlist:
    """Where the kiosk is: which language's pass, which slide, and when it moves on. Deadlines
    are stored; the screen only asks whether one has passed."""

    languages: tuple[str, ...]
    seconds: int
    lang_index: int = 0
    slide_index: int = 0
    page: int = 0  # a long story spreads over several pages of one slide
    next_at: datetime | None = None
    passes: int = 0  # completed passes over the playlist (the kiosk reloads after each)
    rotations: int = 0
    _slides: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.languages[self.lang_index]

    def set_slides(self, lang: str, slides: tuple[str, ...]) -> None:
        self._slides[lang] = slides

    def slides(self) -> tuple[str, ...]:
        return self._slides.get(self.lang, ("story",))

    @property
    def slide(self) -> str:
        slides = self.slides()
        return slides[min(self.slide_index, len(slides) - 1)]

    def start(self, now: datetime) -> None:
        self.next_at = now + timedelta(seconds=self.seconds)

    def due(self, now: datetime) -> bool:
        return self.next_at is not None and now >= self.next_at

    def advance(self, now: datetime, pages: int = 1) -> bool:
        """Show the next page of this slide, or the next slide; after the last one, the next
        language's pass begins. Returns True when a pass was completed (time to look for new
        stories). However long the kiosk was away (a suspended machine), it moves one step
        and starts a fresh deadline."""
        self.rotations += 1
        self.next_at = now + timedelta(seconds=self.seconds)
        if self.page + 1 < pages:
            self.page += 1
            return False
        self.page = 0
        self.slide_index += 1
        if self.slide_index < len(self.slides()):
            return False
        self.slide_index = 0
        self.lang_index = (self.lang_index + 1) % len(self.languages)
        self.passes += 1
        return True


def seconds_until(deadline: datetime, now: datetime) -> int:
    """Whole seconds left, rounded up (0 once the deadline has passed)."""
    return max(0, int((deadline - now).total_seconds() + 0.999))


def retry_after(failures: int) -> int:
    return min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** max(0, failures - 1))


# -- loading ------------------------------------------------------------------------------


def load_content(stories, weeks, policy, lang: str, today, metrics=None) -> KioskContent:
    """One language's content from the story and week services (app.services.library), the
    active policy and this quarter's metrics report. Blocking: runs in a worker."""
    from app.domain.story.follow_ups import SCREEN_LOOP_MARKS, loop_lines

    catalog = Catalog(lang)
    week = weeks.week(lang, actor="kiosk")
    summaries = [s for s in stories.summaries(lang) if s.status == "published"]
    near = sorted(
        (s for s in summaries if s.kind == "near_miss"),
        key=lambda s: s.occurred_on,
        reverse=True,
    )[:NEAR_MISSES]
    near_misses = []
    for summary in near:
        story = stories.view(summary.key, lang).story
        near_misses.append(
            Mention(printable(story.title), story.occurred_on, printable(story.highlight))
        )
    past = []
    featured_now = week.feature.group if week is not None else None
    groups = [f.group for f in (week.history if week is not None else ()) if f.group]
    groups = list(dict.fromkeys(reversed(groups)))  # latest feature first
    groups += [s.group for s in sorted(summaries, key=lambda s: s.occurred_on, reverse=True)]
    seen = set()
    for group in groups:
        if len(past) >= PAST_STORIES or group == featured_now or group in seen:
            continue
        seen.add(group)
        member = next((s for s in summaries if s.group == group), None)
        if member is None:
            continue
        view = stories.view(member.key, lang)
        if not view.follow_ups:
            continue
        _, lines = loop_lines(view.follow_ups, today, catalog.t, SCREEN_LOOP_MARKS)
        past.append(
            PastLoop(
                printable(view.story.title),
                view.story.occurred_on,
                view.loop,
                tuple(printable(line) for line in lines),
            )
        )
    metrics_title, metrics_shown = metrics_blocks(metrics, catalog)
    diagrams = ()
    if week is not None and week.view.story.diagrams:
        from app.domain.story.diagram_picture import shown_on_screen

        diagrams = shown_on_screen(week.view.story.diagrams, catalog.t, *KIOSK_PICTURE)
    return KioskContent(
        lang,
        week,
        tuple(near_misses),
        tuple(past),
        printable(policy.title.get(lang)) if policy is not None else "",
        matrix_rows(policy, catalog) if policy is not None else (),
        metrics_title,
        tuple((title, printable(text)) for title, text in metrics_shown),
        diagrams,
    )


def matrix_rows(policy, catalog: Catalog) -> tuple[MatrixRow, ...]:
    lang = catalog.lang
    rows = []
    for severity in policy.severities:
        rows.append(
            MatrixRow(
                severity.key,
                printable(severity.name.get(lang)),
                printable(severity.impact.get(lang) if severity.impact else ""),
                catalog.t("kiosk.respond_now")
                if severity.response_s == 0
                else catalog.t("kiosk.respond_within", time=catalog.duration(severity.response_s)),
                ""
                if (resolve := severity_targets(severity).resolve) is None
                else catalog.t("kiosk.resolve_within", time=catalog.duration(resolve)),
                printable(catalog.joined(who.get(lang) for who in severity.first_notify)),
            )
        )
    return tuple(rows)


def paginate(paragraphs, width: int, height: int) -> list[list[str]]:
    """Paragraphs broken into lines of `width` cells (by each script's rules), then into pages
    of at most `height` lines; a blank line separates paragraphs but never starts a page."""
    from app.domain.text_layout import wrap

    width, height = max(8, width), max(3, height)
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        for source_line in paragraph.splitlines() or [""]:
            lines.extend(wrap(source_line, width) or [""])
    pages: list[list[str]] = [[]]
    for line in lines:
        if len(pages[-1]) >= height:
            pages.append([])
        if line == "" and not pages[-1]:
            continue
        pages[-1].append(line)
    return pages
