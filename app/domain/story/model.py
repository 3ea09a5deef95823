"""Incident stories as data. A story is written in one language; translations of one story share
a group, which the library and the rotation treat as one story shown in the reader's language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from app.domain.i18n import LANGUAGE_NAMES, LANGUAGES
from app.domain.postmortem.model import valid_date
from app.domain.story.diagrams import Diagram, check_diagrams
from app.domain.story.refusal import StoryError

KINDS = ("recent", "classic", "near_miss")
LENSES = ("engineering", "product", "support")
STATES = ("draft", "published")
ROTATION_WEEKS = range(1, 5)
MAX_PROMPTS = 4


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
    diagrams: list[Diagram] = field(default_factory=list)  # sketches, maps, screenshots

    def __post_init__(self) -> None:
        self.group = self.group or self.key


def to_document(story: Story) -> dict:
    document = {f.name: getattr(story, f.name) for f in fields(Story)}
    document["themes"] = list(story.themes)
    document["prompts"] = list(story.prompts)
    document["lenses"] = dict(story.lenses)
    document["follow_ups"] = [dict(vars(item)) for item in story.follow_ups]
    document["diagrams"] = [dict(vars(item)) for item in story.diagrams]
    return document


def from_document(document: dict) -> Story:
    """A story from its JSON form; unknown or missing fields are refused in one sentence."""
    known = {f.name for f in fields(Story)}
    unknown = sorted(set(document) - known)
    if unknown:
        raise StoryError(
            f"Unknown story field {unknown[0]!r}.", "refusal.story_field", name=unknown[0]
        )
    for required in ("key", "lang", "title"):
        if not isinstance(document.get(required), str) or not document[required].strip():
            key = f"refusal.story_needs_{required}_field"
            raise StoryError(f"A story needs a {required}.", key)
    values = dict(document)
    for name, kind, what in (
        ("follow_ups", FollowUp, "follow-up"),
        ("diagrams", Diagram, "diagram"),
    ):
        try:
            values[name] = [kind(**item) for item in document.get(name, [])]
        except TypeError as error:
            raise StoryError(
                f"Story {document['key']!r}: a {what} is malformed ({error}).",
                f"refusal.{what.replace('-', '_')}_malformed",
                key=document["key"],
            ) from None
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
                raise StoryError(
                    f"The {name} {value!r} is not one of {', '.join(allowed)}.",
                    f"refusal.story_bad_{name.replace('-', '_').replace(' ', '_')}",
                    value=value,
                    known=", ".join(allowed),
                )
    if story.occurred_on and not valid_date(story.occurred_on):
        raise StoryError(
            f"The date {story.occurred_on!r} is not a date like 2026-11-24.",
            "refusal.bad_date",
            value=story.occurred_on,
        )
    for item in story.follow_ups:
        if item.due and not valid_date(item.due):
            raise StoryError(
                f"Follow-up {item.title!r}: due date {item.due!r} is not a date.",
                "refusal.follow_up_due",
                title=item.title,
                value=item.due,
            )
    if len(story.prompts) > MAX_PROMPTS:
        raise StoryError(
            f"A story takes at most {MAX_PROMPTS} prompt cards.",
            "refusal.story_prompts",
            count=MAX_PROMPTS,
        )
    for name, values in (("theme", story.themes), ("prompt", story.prompts)):
        if any(not isinstance(value, str) or not value.strip() for value in values):
            raise StoryError(f"A {name} cannot be empty.", f"refusal.story_empty_{name}")
    check_diagrams(story.diagrams)
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
        raise StoryError(
            f"The story is already written in {LANGUAGE_NAMES[lang]}.",
            "refusal.story_same_language",
            lang=LANGUAGE_NAMES[lang],
        )
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
            "diagrams": [Diagram(**vars(item)) for item in source.diagrams],
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
        raise StoryError(
            f"A story needs a {missing[0]} before it is published.",
            f"refusal.story_needs_{missing[0]}",
        )
    if not story.prompts:
        raise StoryError(
            "A story needs at least one prompt card before it is published.",
            "refusal.story_needs_prompt",
        )
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
