"""The bank per language: prompt cards, themes and the words a drafted story is made of."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from app.domain.i18n import LANGUAGES
from app.domain.story.model import Story, parse_themes
from app.domain.word_lists import joined


@cache
def bank(lang: str) -> dict:
    path = resources.files("assets") / "stories" / f"bank.{lang}.toml"
    return tomllib.loads(path.read_text("utf-8"))


def prompt_bank(lang: str) -> tuple[str, ...]:
    return tuple(bank(lang)["prompts"])


def theme_name(theme: str, lang: str) -> str:
    """A built-in theme's name in the language; a user-defined theme is its own name."""
    return bank(lang)["themes"].get(theme, {}).get("name", theme)


def theme_names(themes, lang: str) -> str:
    """Themes as the reader reads them: built-in ones by their names, joined in `lang`."""
    return joined((theme_name(theme, lang) for theme in themes), lang)


def theme_key(typed: str) -> str:
    """A theme as typed: a built-in theme's key when it is that key or its name in any language
    (any case); a theme of the team's own as typed."""
    folded = typed.strip().casefold()
    for lang in LANGUAGES:
        for key, theme in bank(lang)["themes"].items():
            if folded in (key.casefold(), theme.get("name", key).casefold()):
                return key
    return typed.strip()


def themes_from_text(text: str) -> list[str]:
    """The keys of the themes typed as a comma-separated list of names or keys, each once."""
    return list(dict.fromkeys(theme_key(theme) for theme in parse_themes(text)))


def story_marks(story: Story, lang: str, t) -> list[str]:
    """Severity, kind, date and themes (in `lang`): the strip under a story's title on every
    screen and sheet. Empty parts stay in the list; callers join the non-empty ones."""
    themes = theme_names(story.themes, lang)
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
