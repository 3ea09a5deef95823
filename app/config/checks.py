"""Checks for single settings: each takes (value, where it came from) and returns the value to
use, or raises ConfigError with one sentence."""

from __future__ import annotations

import getpass
import re
from pathlib import Path
from typing import Any

from app.config.errors import ConfigError
from app.domain.i18n import LANGUAGES

KIOSK_SECONDS_RANGE = range(5, 3601)
DEFAULT_KIOSK_SECONDS = 20
DEFAULT_UNLOCK = "ctrl+k u n l o c k"
MIN_UNLOCK_KEYS = 3
_KEY_NAME = re.compile(r"^((ctrl|shift|alt|meta)\+)*([a-z0-9_]+|[^\s+])$")


# -- checks: (value, where it came from) -> the value to use ----------------------------------


def parse_unlock(text: str, where: str = "kiosk_unlock") -> tuple[str, ...]:
    """Key names separated by spaces, as Textual names keys: `ctrl+k u n l o c k`."""
    keys = tuple(str(text).split())
    bad = [key for key in keys if not _KEY_NAME.match(key)]
    if bad:
        raise ConfigError(f"{where}: {bad[0]!r} is not a key name (write keys like ctrl+k or u).")
    if len(keys) < MIN_UNLOCK_KEYS:
        raise ConfigError(
            f"{where} needs at least {MIN_UNLOCK_KEYS} keys separated by spaces, "
            f"so passers-by do not type it by chance; got {text!r}."
        )
    return keys


def parse_languages(values, where: str = "kiosk_languages") -> tuple[str, ...]:
    """The languages a kiosk cycles through, in order; empty means the app's language."""
    if isinstance(values, str):
        values = [part for part in re.split(r"[\s,]+", values) if part]
    languages = tuple(values)
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise ConfigError(
            f"{where}: {unknown[0]!r} is not a language; use some of {', '.join(LANGUAGES)}."
        )
    return tuple(dict.fromkeys(languages))


def check_seconds(value, where: str = "kiosk_seconds") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in KIOSK_SECONDS_RANGE:
        raise ConfigError(
            f"{where} must be a whole number of seconds from {KIOSK_SECONDS_RANGE.start} "
            f"to {KIOSK_SECONDS_RANGE.stop - 1}, not {value!r}."
        )
    return value


def _rotation_weeks(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise ConfigError(f"{where} must be a whole number from 1 to 4, not {value!r}.")
    return value


def _alert_command(value: list, where: str) -> tuple[str, ...]:
    if not all(isinstance(part, str) and part for part in value):
        raise ConfigError(
            f"{where}: 'alert_command' must be a list of non-empty strings "
            "(program and arguments, no shell)."
        )
    return tuple(value)


def _language(value: str, where: str) -> str:
    if value not in LANGUAGES:
        raise ConfigError(
            f"Language {value!r} from {where} is not supported; use one of {', '.join(LANGUAGES)}."
        )
    return value


def _db_url(value: str, _where: str) -> str:
    return value if "://" in value else f"sqlite:///{Path(value).expanduser().resolve()}"


def _feedback_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or (value and not value.startswith(FEEDBACK_SCHEMES)):
        raise ConfigError(
            f"feedback_url in {where} must be an http(s):// or mailto: address, not {value!r}."
        )
    return value


FEEDBACK_SCHEMES = ("https://", "http://", "mailto:")


def _claim_lease(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3600:
        raise ConfigError(f"claim_lease in {where} must be 1 to 3600 seconds, not {value!r}.")
    return value


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in containers without a passwd entry
        return "unknown"


def _same(value: Any, _where: str) -> Any:
    return value
