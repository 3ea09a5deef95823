"""Message catalogs for en / ko / ja (assets/i18n/*.toml) and localized durations."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources

from app.domain.durations import split_duration
from app.domain.word_lists import joined

LANGUAGES = ("en", "ko", "ja")
LANGUAGE_NAMES = {"en": "English", "ko": "한국어", "ja": "日本語"}  # each in its own language
DEFAULT_LANGUAGE = "en"


@cache
def _load(lang: str) -> dict[str, str]:
    text = (resources.files("assets") / "i18n" / f"{lang}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def _flatten(table: Mapping, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def catalog_keys(lang: str) -> set[str]:
    return set(_load(lang))


def detect_language(environ: Mapping[str, str]) -> str:
    """The first supported language named by LC_ALL, LC_MESSAGES or LANG; English otherwise."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


# Korean particles chosen by whether the word before them ends in a consonant (받침):
# "{code:을/를}" writes the value and then 을 or 를.
KOREAN_PARTICLES = ("을/를", "이/가", "은/는", "과/와", "으로/로")
# How the last character of an id or a Latin word is read: does the reading end in a consonant?
_DIGIT_ENDS_IN_CONSONANT = dict(zip("0123456789", (1, 1, 0, 1, 0, 0, 1, 1, 1, 0), strict=True))
_LATIN_ENDS_IN_CONSONANT = set("lmnrLMNR")  # 엘 엠 엔 알; the other letters end in a vowel


def ends_in_consonant(word: str) -> bool:
    word = word.rstrip(" )]\"'」』")
    if not word:
        return False
    last = word[-1]
    if "가" <= last <= "힣":
        return (ord(last) - ord("가")) % 28 != 0
    if last in _DIGIT_ENDS_IN_CONSONANT:
        return bool(_DIGIT_ENDS_IN_CONSONANT[last])
    return last in _LATIN_ENDS_IN_CONSONANT


def korean_particle(word: str, pair: str) -> str:
    with_consonant, without = pair.split("/")
    final_rieul = bool(word) and "가" <= word[-1] <= "힣" and (ord(word[-1]) - 0xAC00) % 28 == 8
    if pair == "으로/로" and final_rieul:
        return without  # a word ending in ㄹ takes 로, not 으로
    return with_consonant if ends_in_consonant(word) else without


class _Formatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec in KOREAN_PARTICLES:
            text = str(value)
            return text + korean_particle(text, format_spec)
        if "/" in format_spec and (isinstance(value, int) or str(value).isdigit()):
            # "{pages:page/pages}" writes "1 page", "2 pages" (English counts; a count kept
            # in an entry's data may come back as text).
            one, many = format_spec.split("/", 1)
            return f"{value} {one if int(value) == 1 else many}"
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


class LocalizedError(ValueError):
    """A refusal said in the user's language: a catalog key and its values. str() is the English
    sentence (logs, tests); in_language() says it in a catalog's language."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(self.in_language(Catalog(DEFAULT_LANGUAGE)))

    def in_language(self, catalog: Catalog) -> str:
        """A value written in several languages (a policy's LocalText) is said in the catalog's."""
        values = {
            name: value.get(catalog.lang) if hasattr(value, "languages") else value
            for name, value in self.values.items()
        }
        return catalog.t(self.key, **values)


class KeyedRefusal(ValueError):
    """A refusal whose str() is its English sentence, as written where it is raised; with a
    ``catalog_key`` and values, said_in says it in the reader's language. (Storage errors carry
    the same two attributes without importing this module.)"""

    def __init__(self, message: str, catalog_key: str = "", **catalog_values: object) -> None:
        super().__init__(message)
        self.catalog_key = catalog_key
        self.catalog_values = catalog_values


def said_in(error: BaseException, catalog: Catalog) -> str:
    """An error's sentence in the catalog's language when it has one, else as raised."""
    if hasattr(error, "in_language"):  # LocalizedError, PolicyError, MarkdownError
        return error.in_language(catalog)
    key = getattr(error, "catalog_key", "")  # storage errors: storage/ does not import app/
    if key and catalog.get(key) is not None:
        values = {
            name: said_in(value, catalog) if isinstance(value, BaseException) else value
            for name, value in getattr(error, "catalog_values", {}).items()
        }
        return catalog.t(key, **values)
    return str(error)


class Catalog:
    """Looks up user-visible strings; a key missing in one language falls back to English."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r} (use {', '.join(LANGUAGES)})")
        self.lang = lang
        self._messages = {**_load(DEFAULT_LANGUAGE), **_load(lang)}

    def t(self, key: str, **values: object) -> str:
        message = self._messages.get(key)
        if message is None:
            raise KeyError(f"no message {key!r} in the {self.lang} catalog")
        return _FORMATTER.format(message, **values) if values else message

    def get(self, key: str) -> str | None:
        """The message, or None when no catalog has the key (optional texts)."""
        return self._messages.get(key)

    def joined(self, items) -> str:
        """Items listed in a sentence of this language (、 in Japanese)."""
        return joined(items, self.lang)

    def duration(self, seconds: int | None) -> str:
        if seconds is None:
            return self.t("duration.not_set")
        if seconds == 0:
            return self.t("duration.immediate")
        parts = [self.t(f"duration.{unit}", n=count) for count, unit in split_duration(seconds)]
        return self.t("duration.separator").join(parts)
