"""One typed Settings object: config TOML file, then STORYCART_* environment, then flags.

Directories come from platformdirs. Nothing is created here: the database file and its folder
are created by storage when the app first opens them.
"""

from __future__ import annotations

import getpass
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from app.domain.i18n import LANGUAGES, detect_language
from app.domain.kiosk_playlist import (
    DEFAULT_SECONDS,
    DEFAULT_UNLOCK,
    KioskError,
    check_seconds,
    parse_languages,
    parse_unlock,
)

APP_NAME = "storycart"
CONFIG_KEYS = {
    "db",
    "lang",
    "policy",
    "policy_files",
    "theme",
    "kitty_keyboard",
    "user",
    "alert_command",
    "desktop_notifications",
    "export_dir",
    "rotation_weeks",
    "kiosk_seconds",
    "kiosk_languages",
    "kiosk_unlock",
}


class ConfigError(ValueError):
    """A setting that cannot be used; str() is one sentence."""


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def default_db_url(directory: Path | None = None) -> str:
    return f"sqlite:///{(directory or data_dir()) / 'storycart.db'}"


@dataclass(frozen=True)
class Settings:
    db_url: str
    lang: str
    config_path: Path
    policy_dir: Path
    policy: str | None = None
    policy_files: tuple[Path, ...] = ()
    theme: str = "storycart"
    kitty_keyboard: bool = True
    # Who is acting: recorded with every timeline entry this person makes.
    user: str = "unknown"
    # Run (without a shell) for every escalation, the alert as JSON on stdin.
    alert_command: tuple[str, ...] = ()
    desktop_notifications: bool = True
    # Where saved messages (and later, exported sheets) go.
    export_dir: Path = field(default_factory=lambda: data_dir() / "exports")
    # The story of the week changes every this many weeks (seed 000: every 2 to 4 weeks).
    rotation_weeks: int = 2
    # The kiosk: seconds per slide, languages it cycles through (empty: `lang` only), and the
    # keys (Textual key names, space-separated) that leave it.
    kiosk_seconds: int = DEFAULT_SECONDS
    kiosk_languages: tuple[str, ...] = ()
    kiosk_unlock: tuple[str, ...] = tuple(DEFAULT_UNLOCK.split())
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


@dataclass
class Flags:
    """What the command line said; None means "not given"."""

    db: str | None = None
    config: str | None = None
    lang: str | None = None
    policy: str | None = None
    policy_files: list[str] = field(default_factory=list)


def load_settings(flags: Flags, environ: Mapping[str, str]) -> Settings:
    explicit_config = flags.config or environ.get("STORYCART_CONFIG")
    config_path = Path(explicit_config) if explicit_config else config_dir() / "config.toml"
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if explicit_config or config_path.exists():
        for key, value in _read_config(config_path, required=bool(explicit_config)).items():
            values[key] = value
            sources[key] = str(config_path)

    for key, variable in (
        ("db", "STORYCART_DB"),
        ("lang", "STORYCART_LANG"),
        ("policy", "STORYCART_POLICY"),
        ("user", "STORYCART_USER"),
    ):
        if environ.get(variable):
            values[key] = environ[variable]
            sources[key] = variable
    for key in ("db", "lang", "policy"):
        if getattr(flags, key):
            values[key] = getattr(flags, key)
            sources[key] = f"--{key}"
    if flags.policy_files:
        values["policy_files"] = flags.policy_files
        sources["policy_files"] = "--policy-file"

    lang = values.get("lang") or detect_language(environ)
    if lang not in LANGUAGES:
        where = sources.get("lang", "the locale")
        raise ConfigError(
            f"Language {lang!r} from {where} is not supported; use one of {', '.join(LANGUAGES)}."
        )
    db_url = values.get("db") or default_db_url()
    if "://" not in db_url:
        db_url = f"sqlite:///{Path(db_url).expanduser().resolve()}"
    return Settings(
        db_url=db_url,
        lang=lang,
        config_path=config_path,
        policy_dir=config_path.parent / "policies",
        policy=values.get("policy"),
        policy_files=tuple(Path(p).expanduser() for p in values.get("policy_files", ())),
        theme=values.get("theme", "storycart"),
        kitty_keyboard=values.get("kitty_keyboard", True),
        user=values.get("user") or _login_name(),
        alert_command=_alert_command(values.get("alert_command", []), sources),
        desktop_notifications=values.get("desktop_notifications", True),
        export_dir=Path(values.get("export_dir") or data_dir() / "exports").expanduser(),
        rotation_weeks=_rotation_weeks(values.get("rotation_weeks", 2), sources),
        **_kiosk_settings(values, sources),
        sources=sources,
    )


def _rotation_weeks(value: Any, sources: dict[str, str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        where = sources.get("rotation_weeks", "the settings")
        raise ConfigError(
            f"rotation_weeks in {where} must be a whole number from 1 to 4, not {value!r}."
        )
    return value


def _kiosk_settings(values: dict[str, Any], sources: dict[str, str]) -> dict[str, Any]:
    def where(key: str) -> str:
        return f"{key} in {sources.get(key, 'the settings')}"

    try:
        return {
            "kiosk_seconds": check_seconds(
                values.get("kiosk_seconds", DEFAULT_SECONDS), where("kiosk_seconds")
            ),
            "kiosk_languages": parse_languages(
                values.get("kiosk_languages", ()), where("kiosk_languages")
            ),
            "kiosk_unlock": parse_unlock(
                values.get("kiosk_unlock", DEFAULT_UNLOCK), where("kiosk_unlock")
            ),
        }
    except KioskError as error:
        raise ConfigError(str(error)) from None


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in containers without a passwd entry
        return "unknown"


def _alert_command(value: list, sources: dict[str, str]) -> tuple[str, ...]:
    if not all(isinstance(part, str) and part for part in value):
        raise ConfigError(
            f"Config file {sources.get('alert_command')}: 'alert_command' must be a list of "
            "non-empty strings (program and arguments, no shell)."
        )
    return tuple(value)


def _read_config(path: Path, required: bool) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(f"Config file {path} does not exist.") from None
        return {}
    except OSError as error:
        raise ConfigError(f"Config file {path} cannot be read ({error.strerror}).") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"Config file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"Config file {path} is not valid TOML ({error}).") from None
    unknown = sorted(set(document) - CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"Config file {path}: {unknown[0]!r} is not a setting "
            f"(known: {', '.join(sorted(CONFIG_KEYS))})."
        )
    expected = {
        "db": str,
        "lang": str,
        "policy": str,
        "theme": str,
        "kitty_keyboard": bool,
        "policy_files": list,
        "user": str,
        "alert_command": list,
        "desktop_notifications": bool,
        "export_dir": str,
        "rotation_weeks": int,
        "kiosk_seconds": int,
        "kiosk_languages": list,
        "kiosk_unlock": str,
    }
    for key, value in document.items():
        wanted = expected[key]
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise ConfigError(
                f"Config file {path}: {key!r} must be {_KIND_NAMES[wanted]}, "
                f"not {_KIND_NAMES.get(type(value), type(value).__name__)}."
            )
        if wanted is list and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"Config file {path}: {key!r} must be a list of strings.")
    return document


_KIND_NAMES = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    list: "a list",
    float: "a decimal number",
    dict: "a table",
}
