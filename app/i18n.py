"""Message catalogs for en / ko / ja (assets/i18n/*.toml) and localized durations."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources

from app.durations import split_duration

LANGUAGES = ("en", "ko", "ja")
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
        return message.format(**values) if values else message

    def duration(self, seconds: int | None) -> str:
        if seconds is None:
            return self.t("duration.not_set")
        if seconds == 0:
            return self.t("duration.immediate")
        parts = [self.t(f"duration.{unit}", n=count) for count, unit in split_duration(seconds)]
        return self.t("duration.separator").join(parts)
