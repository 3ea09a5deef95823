"""Incident stories as data: drafting one from a postmortem, the three lenses, closing the loop,
and the story-of-the-week rotation. Pure: no Textual, no storage, time passed in.

A story is written in one language. Translations of the same story share a `group`; the library
and the rotation treat a group as one story and show the member in the reader's language.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources

from app.domain.i18n import LANGUAGE_NAMES, LANGUAGES, KeyedRefusal
from app.domain.postmortem import Postmortem, blame_phrases_in, blameless_hints, valid_date

KINDS = ("recent", "classic", "near_miss")
LENSES = ("engineering", "product", "support")
STATES = ("draft", "published")
LOOP_STATES = ("done", "open", "overdue")
ROTATION_WEEKS = range(1, 5)
DEFAULT_ROTATION_WEEKS = 2
LOCATIONS = ("team_space", "common_area", "oncall_room")
MAX_PROMPTS = 4


class StoryError(KeyedRefusal):
    """A value or a change that cannot be accepted; str() is one sentence in English."""


@dataclass
class FollowUp:
    """An action item as a story shows it. Stories drawn from a postmortem read their follow-ups
    live from its action items; examples and imported stories carry their own."""

    title: str = ""
    owner: str = ""
    due: str = ""
    status: str = "open"


@dataclass
class Story:
    key: str
    lang: str
    title: str
    group: str = ""
    kind: str = "recent"
    severity: str = ""
    occurred_on: str = ""  # YYYY-MM-DD or empty
    themes: list[str] = field(default_factory=list)
    highlight: str = ""
    narrative: str = ""
    lenses: dict[str, str] = field(default_factory=dict)
    lessons: str = ""
    prompts: list[str] = field(default_factory=list)
    changes: str = ""  # what changed since, in the author's words
    follow_ups: list[FollowUp] = field(default_factory=list)
    incident: str = ""
    status: str = "draft"
    example: bool = False
    translated_from: str = ""  # the language of the story this one was translated from

    def __post_init__(self) -> None:
        self.group = self.group or self.key


def to_document(story: Story) -> dict:
    document = {f.name: getattr(story, f.name) for f in fields(Story)}
    document["themes"] = list(story.themes)
    document["prompts"] = list(story.prompts)
    document["lenses"] = dict(story.lenses)
    document["follow_ups"] = [dict(vars(item)) for item in story.follow_ups]
    return document


def from_document(document: dict) -> Story:
    """A story from its JSON form; unknown or missing fields are refused in one sentence."""
    known = {f.name for f in fields(Story)}
    unknown = sorted(set(document) - known)
    if unknown:
        raise StoryError(f"Unknown story field {unknown[0]!r}.", "refusal.story_field",
                         name=unknown[0])  # fmt: skip
    for required in ("key", "lang", "title"):
        if not isinstance(document.get(required), str) or not document[required].strip():
            key = f"refusal.story_needs_{required}_field"
            raise StoryError(f"A story needs a {required}.", key)
    values = dict(document)
    try:
        values["follow_ups"] = [FollowUp(**item) for item in document.get("follow_ups", [])]
    except TypeError as error:
        raise StoryError(
            f"Story {document['key']!r}: a follow-up is malformed ({error}).",
            "refusal.follow_up_malformed", key=document["key"],
        ) from None  # fmt: skip
    story = Story(**values)
    validate(story)
    return story


def validate(story: Story) -> None:
    checks = [
        ("kind", [story.kind], KINDS),
        ("status", [story.status], STATES),
        ("lens", list(story.lenses), LENSES),
        ("follow-up status", [f.status for f in story.follow_ups], ("open", "in_progress", "done")),
    ]
    for name, values, allowed in checks:
        for value in values:
            if value not in allowed:
                raise StoryError(f"The {name} {value!r} is not one of {', '.join(allowed)}.",
                                 f"refusal.story_bad_{name.replace('-', '_').replace(' ', '_')}",
                                 value=value, known=", ".join(allowed))  # fmt: skip
    if story.occurred_on and not valid_date(story.occurred_on):
        raise StoryError(f"The date {story.occurred_on!r} is not a date like 2026-11-24.",
                         "refusal.bad_date", value=story.occurred_on)  # fmt: skip
    for item in story.follow_ups:
        if item.due and not valid_date(item.due):
            raise StoryError(
                f"Follow-up {item.title!r}: due date {item.due!r} is not a date.",
                "refusal.follow_up_due",
                title=item.title,
                value=item.due,
            )
    if len(story.prompts) > MAX_PROMPTS:
        raise StoryError(f"A story takes at most {MAX_PROMPTS} prompt cards.",
                         "refusal.story_prompts", count=MAX_PROMPTS)  # fmt: skip
    for name, values in (("theme", story.themes), ("prompt", story.prompts)):
        if any(not isinstance(value, str) or not value.strip() for value in values):
            raise StoryError(f"A {name} cannot be empty.", f"refusal.story_empty_{name}")
    if not isinstance(story.example, bool):
        raise StoryError("The example flag must be true or false.", "refusal.story_example")
    if story.translated_from and story.translated_from not in LANGUAGES:
        raise StoryError(
            f"The language {story.translated_from!r} is not one of en, ko, ja.",
            "refusal.story_language",
            value=story.translated_from,
        )


def translation_draft(source: Story, lang: str) -> Story:
    """A draft of the story in another language, in the same group, prefilled with the source's
    text for the translator to write over."""
    if lang not in LANGUAGES:
        raise StoryError(
            f"The language {lang!r} is not one of {', '.join(LANGUAGES)}.",
            "refusal.story_language",
            value=lang,
        )
    if lang == source.lang:
        raise StoryError(f"The story is already written in {LANGUAGE_NAMES[lang]}.",
                         "refusal.story_same_language", lang=LANGUAGE_NAMES[lang])  # fmt: skip
    return Story(
        **{
            **vars(source),
            "key": f"{source.group.removesuffix('/' + source.lang)}/{lang}",
            "lang": lang,
            "status": "draft",
            "translated_from": source.lang,
            "lenses": dict(source.lenses),
            "themes": list(source.themes),
            "prompts": list(source.prompts),
            "follow_ups": [FollowUp(**vars(item)) for item in source.follow_ups],
        }
    )


def preferred(members: list, lang: str):
    """Which member of a story's group a reader of ``lang`` is shown: the published one in their
    language, else a published one, else the one in their language, else the first. A fresh
    translation draft (still the source's words) never hides the published original."""
    published = [member for member in members if member.status == "published"]
    pool = published or members
    return next((member for member in pool if member.lang == lang), pool[0])


def publish(story: Story) -> Story:
    missing = [
        name
        for name, text in (
            ("title", story.title),
            ("narrative", story.narrative),
            ("highlight", story.highlight),
        )
        if not text.strip()
    ]
    if missing:
        raise StoryError(f"A story needs a {missing[0]} before it is published.",
                         f"refusal.story_needs_{missing[0]}")  # fmt: skip
    if not story.prompts:
        raise StoryError("A story needs at least one prompt card before it is published.",
                         "refusal.story_needs_prompt")  # fmt: skip
    validate(story)
    return Story(**{**vars(story), "status": "published"})


def parse_themes(text: str) -> list[str]:
    """Themes typed as a comma-separated list (any script; 、 and ， count as commas)."""
    seen: list[str] = []
    for part in re.split(r"[,、，]", text):
        theme = part.strip()
        if theme and theme not in seen:
            seen.append(theme)
    return seen


# -- the bank: prompt cards, themes and drafting words per language ------------------------


@cache
def bank(lang: str) -> dict:
    path = resources.files("assets") / "stories" / f"bank.{lang}.toml"
    return tomllib.loads(path.read_text("utf-8"))


def prompt_bank(lang: str) -> tuple[str, ...]:
    return tuple(bank(lang)["prompts"])


def theme_name(theme: str, lang: str) -> str:
    """A built-in theme's name in the language; a user-defined theme is its own name."""
    return bank(lang)["themes"].get(theme, {}).get("name", theme)


def story_marks(story: Story, lang: str, t) -> list[str]:
    """Severity, kind, date and themes (in `lang`): the strip under a story's title on every
    screen and sheet. Empty parts stay in the list; callers join the non-empty ones."""
    themes = ", ".join(theme_name(theme, lang) for theme in story.themes)
    return [story.severity, t(f"story.kind.{story.kind}"), story.occurred_on, themes]


def week_until(rotates_at, t) -> str:
    """ "until 2026-12-08" for a feature that rotates, "pinned by a curator" for a pin."""
    if rotates_at is None:
        return t("story.week_pinned")
    return t("story.week_until", when=rotates_at.astimezone().strftime("%Y-%m-%d"))


def builtin_themes(lang: str) -> tuple[str, ...]:
    return tuple(bank(lang)["themes"])


def suggest_themes(text: str, lang: str) -> list[str]:
    """Built-in themes whose keywords (in this language and English) occur in the text."""
    folded = text.casefold()
    found = []
    for source in dict.fromkeys((lang, "en")):
        for key, theme in bank(source)["themes"].items():
            if key not in found and any(word.casefold() in folded for word in theme["keywords"]):
                found.append(key)
    return found


# -- drafting a story from a postmortem -----------------------------------------------------


def draft_from_postmortem(postmortem: Postmortem, severity: str, occurred_on: date) -> Story:
    """A plain-language first draft for the author to edit: what happened, why it mattered, how
    the team responded and why it happened, plus a highlight, the three lenses, suggested
    themes and the two prompt cards seed 000 names."""
    p, words = postmortem, bank(postmortem.lang)["draft"]
    happened = _paragraph(
        p.what, p.when and f"{words['when']}: {p.when}", p.who and f"{words['who']}: {p.who}"
    )
    mattered = _paragraph(
        p.users_affected and f"{words['users']}: {p.users_affected}",
        p.duration and f"{words['duration']}: {p.duration}",
        p.sla_breach == "yes" and words["sla_breach"],
        p.business_impact,
        p.brand_impact,
    )
    key_moments = [t for t in p.timeline if t.marker] or [
        t for t in p.timeline if t.certainty == "fact"
    ]
    responded = "\n".join(f"- {t.at} {t.text}".replace("-  ", "- ") for t in key_moments[:8])
    responded = _paragraph(
        responded, p.temporary and f"{words['temporary']}: {p.temporary}", p.went_well
    )
    why = _paragraph(p.root_cause, *(f"{words['why']} {w.why} — {w.because}" for w in p.whys))
    narrative = "\n\n".join(
        f"{words[heading]}\n{text}"
        for heading, text in (
            ("happened", happened),
            ("mattered", mattered),
            ("responded", responded),
            ("cause", why),
        )
        if text
    )
    factors = {
        c: [f.text for f in p.factors if f.category == c and f.text.strip()]
        for c in ("technical", "process", "organisational", "environmental")
    }
    actions = {
        c: [a.title for a in p.actions if a.category == c and a.title.strip()]
        for c in ("prevention", "detection", "response", "documentation", "training")
    }
    lenses = {
        "engineering": _paragraph(
            p.root_cause,
            *factors["technical"],
            p.permanent and f"{words['permanent']}: {p.permanent}",
            *actions["prevention"],
            *actions["detection"],
        ),
        "product": _paragraph(
            mattered, *factors["process"], *factors["organisational"], p.was_hard
        ),
        "support": _paragraph(
            p.who,
            p.brand_impact,
            *factors["environmental"],
            *actions["response"],
            *actions["documentation"],
            *actions["training"],
        ),
    }
    whole = " ".join(
        [
            p.title,
            p.what,
            p.root_cause,
            p.lessons,
            *(t for texts in factors.values() for t in texts),
        ]
    )
    bank_prompts = prompt_bank(p.lang)
    return Story(
        key=f"{p.incident}/{p.lang}",
        lang=p.lang,
        title=p.title,
        kind="recent",
        severity=severity,
        occurred_on=occurred_on.isoformat(),
        themes=suggest_themes(whole, p.lang),
        highlight=_highlight(p),
        narrative=narrative,
        lenses={k: v for k, v in lenses.items() if v},
        lessons=p.lessons,
        prompts=list(bank_prompts[:2]),
        incident=p.incident,
    )


def _paragraph(*parts) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?。！？])(\s|$)", text.strip(), re.S)
    return (match.group(1) if match else text.strip()).strip()


def _highlight(p: Postmortem) -> str:
    """The first sentences of what happened and of the lessons, leaving out any that blames a
    person (the wizard flagged it; the highlight is what people remember)."""
    parts = [_first_sentence(p.what), _first_sentence(p.lessons)]
    text = " ".join(part for part in parts if part and not blameless_hints(part, p.lang))
    return text if len(text) <= 280 else text[:279] + "…"


# -- lenses and closing the loop ------------------------------------------------------------


def story_blame_phrases(story: Story) -> list[str]:
    """Phrases in the story's text that blame a person, each once, in order of the text."""
    texts = [story.title, story.highlight, story.narrative, *story.lenses.values(),
             story.lessons, story.changes]  # fmt: skip
    return blame_phrases_in(texts, story.lang)


def lens_text(story: Story, lens: str) -> str:
    if lens not in LENSES:
        raise StoryError(f"The lens {lens!r} is not one of {', '.join(LENSES)}.")
    return story.lenses.get(lens, "")


def next_lens(lens: str) -> str:
    return LENSES[(LENSES.index(lens) + 1) % len(LENSES)]


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


# -- story of the week ----------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    group: str
    starts_at: datetime
    ends_at: datetime | None  # None while pinned
    reason: str  # "rotation", "nomination" or "pin"
    themes: tuple[str, ...] = ()

    def covers(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)


@dataclass(frozen=True)
class Candidate:
    group: str
    themes: tuple[str, ...]
    occurred_on: str = ""
    example: bool = False
    nominations: int = 0
    first_nominated_at: datetime | None = None


def check_rotation_weeks(weeks: int) -> int:
    if weeks not in ROTATION_WEEKS:
        raise StoryError(f"Rotation must be every 1 to 4 weeks, not {weeks}.")
    return weeks


def current_feature(history: list[Feature], now: datetime) -> Feature | None:
    """The feature in force now: the last one started, if it has not ended."""
    started = [f for f in history if f.starts_at <= now]
    if not started:
        return None
    latest = max(started, key=lambda f: f.starts_at)
    return latest if latest.covers(now) else None


def next_start(history: list[Feature], now: datetime, weeks: int) -> datetime:
    """Features follow one another on the same weekly beat: after a gap (nobody looked at the
    cart for a while), the new one starts at the latest beat not after now."""
    period = timedelta(weeks=weeks)
    ended = [f.ends_at for f in history if f.ends_at is not None and f.ends_at <= now]
    if not ended:
        return now
    last_end = max(ended)
    return last_end + period * ((now - last_end) // period)


def choose_next(
    candidates: list[Candidate], history: list[Feature], now: datetime
) -> Candidate | None:
    """Nominated stories first (most nominations, then the earliest), then those never
    featured (newest incident first), then those not shown longest; real stories before
    examples; never the same story, nor a theme of the previous feature, twice in a row (unless
    nothing else is left)."""
    previous = max(history, key=lambda f: f.starts_at) if history else None
    last_shown: dict[str, datetime] = {}
    for feature in history:
        last_shown[feature.group] = max(
            feature.starts_at, last_shown.get(feature.group, feature.starts_at)
        )
    pool = [c for c in candidates if previous is None or c.group != previous.group]
    if previous is not None:
        fresh = [c for c in pool if not set(c.themes) & set(previous.themes)]
        pool = fresh or pool
    if not pool:
        return None
    far_past = datetime.min.replace(tzinfo=now.tzinfo)

    def rank(c: Candidate):
        shown = last_shown.get(c.group)
        return (
            c.nominations == 0,
            -c.nominations,
            c.first_nominated_at or far_past,
            c.example,
            shown is not None,
            shown or far_past,
            _negated_date(c.occurred_on),
            c.group,
        )

    return min(pool, key=rank)


def _negated_date(text: str) -> int:
    return -date.fromisoformat(text).toordinal() if text else 0


# -- the starter library --------------------------------------------------------------------


@cache
def starter_stories() -> tuple[Story, ...]:
    """The example stories shipped in assets/stories/starter: one file per story, a table per
    language; the translations share a group."""
    folder = resources.files("assets") / "stories" / "starter"
    stories = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        document = tomllib.loads(entry.read_text("utf-8"))
        shared = {k: v for k, v in document.items() if not isinstance(v, dict)}
        for lang in ("en", "ko", "ja"):
            text = dict(document[lang])
            text["narrative"] = text["narrative"].strip()
            stories.append(
                from_document(
                    {
                        **shared,
                        **text,
                        "key": f"{shared['group']}/{lang}",
                        "lang": lang,
                        "status": "published",
                        "example": True,
                    }
                )
            )
    return tuple(stories)
