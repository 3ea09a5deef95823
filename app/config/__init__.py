"""One typed Settings object: config TOML file, then STORYCART_* environment, then flags.

Every setting is defined once, in SETTINGS: its file key, TOML type, environment variable,
default, check and one line of documentation. The set of known keys, the type checks, the
environment list and the README's table are all read from it.

Directories come from platformdirs. Nothing is created here: the database file and its folder
are created by storage when the app first opens them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from app.config.checks import (
    DEFAULT_KIOSK_SECONDS,
    DEFAULT_UNLOCK,
    _alert_command,
    _claim_lease,
    _db_url,
    _feedback_url,
    _language,
    _login_name,
    _rotation_weeks,
    _same,
    check_seconds,
    parse_languages,
    parse_unlock,
)
from app.config.errors import ConfigError
from app.config.tables import _channels, _engine, _heartbeats, _intake, _roster
from app.domain.i18n import detect_language
from app.domain.intake import HeartbeatRule, IntakeMapping
from app.domain.paging import PagingChannel
from app.domain.roster import Roster
from app.domain.watchers import EngineSettings

APP_NAME = "storycart"
__all__ = ["ConfigError", "Flags", "Settings", "check_seconds", "load_settings", "parse_languages"]


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def default_db_url(directory: Path | None = None) -> str:
    return f"sqlite:///{(directory or data_dir()) / 'storycart.db'}"


@dataclass(frozen=True)
class Setting:
    key: str  # in config.toml
    kind: type  # its TOML type
    doc: str
    default: Callable[[Mapping[str, str]], Any]  # from the environment, when nothing is set
    check: Callable[[Any, str], Any] = _same
    env: str | None = None  # STORYCART_* variable that overrides the file
    flag: str | None = None  # command-line flag that overrides both
    attribute: str = ""  # the Settings field, when it is not named like the key

    @property
    def field_name(self) -> str:
        return self.attribute or self.key


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db",
        str,
        "the database: a SQLite file path or a postgresql:// URL",
        default=lambda _env: default_db_url(),
        check=_db_url,
        env="STORYCART_DB",
        flag="--db",
        attribute="db_url",
    ),
    Setting(
        "lang",
        str,
        "the app's language: en, ko or ja (default: from the locale)",
        default=detect_language,
        check=_language,
        env="STORYCART_LANG",
        flag="--lang",
    ),
    Setting(
        "policy",
        str,
        "the severity policy the board starts with",
        default=lambda _env: None,
        env="STORYCART_POLICY",
        flag="--policy",
    ),
    Setting(
        "policy_files",
        list,
        "more policy files to load",
        default=lambda _env: (),
        check=lambda value, _where: tuple(Path(p).expanduser() for p in value),
        flag="--policy-file",
    ),
    Setting("theme", str, "the Textual theme", default=lambda _env: "storycart"),
    Setting(
        "kitty_keyboard",
        bool,
        "ask the terminal for the Kitty keyboard protocol (false helps some IMEs)",
        default=lambda _env: True,
    ),
    Setting(
        "user",
        str,
        "who you are in timelines (default: your login name)",
        default=lambda _env: _login_name(),
        check=lambda value, _where: value or _login_name(),
        env="STORYCART_USER",
    ),
    Setting(
        "alert_command",
        list,
        "run for every escalation, without a shell; the alert as JSON on stdin",
        default=lambda _env: [],
        check=_alert_command,
    ),
    Setting(
        "desktop_notifications",
        bool,
        "a desktop notification for every escalation",
        default=lambda _env: True,
    ),
    Setting(
        "export_dir",
        str,
        "where saved messages and printed sheets go (default: data dir / exports)",
        default=lambda _env: "",
        check=lambda value, _where: Path(value or data_dir() / "exports").expanduser(),
    ),
    Setting(
        "rotation_weeks",
        int,
        "the story of the week changes every this many weeks (1 to 4)",
        default=lambda _env: 2,
        check=_rotation_weeks,
    ),
    Setting(
        "channels",
        dict,
        "paging channels: [channels.NAME] tables, each an Apprise URL (ntfy, Slack, mail, …)",
        default=lambda _env: {},
        check=_channels,
    ),
    Setting(
        "intake",
        dict,
        "alerts from monitors: policy, type, severity words → levels, resolve on 'resolved'",
        default=lambda _env: {},
        check=_intake,
    ),
    Setting(
        "heartbeats",
        dict,
        "[heartbeats.NAME]: a ping expected every interval; silence declares an incident",
        default=lambda _env: {},
        check=_heartbeats,
    ),
    Setting(
        "engine",
        dict,
        "the escalation engine: heartbeat_url pinged by a healthy watcher (a dead-man's switch)",
        default=lambda _env: {},
        check=_engine,
    ),
    Setting(
        "feedback_url",
        str,
        "where the QR code on printed story sheets points (seed 000's feedback box)",
        default=lambda _env: "",
        check=_feedback_url,
    ),
    Setting(
        "roster",
        dict,
        'who is on call: [roster.people.NAME], [roster.levels."TARGET"] rotations, overrides',
        default=lambda _env: {},
        check=_roster,
    ),
    Setting(
        "claim_lease",
        int,
        "seconds an alert stays with a process delivering it; after a crash another takes it",
        default=lambda _env: 60,
        check=_claim_lease,
    ),
    Setting(
        "kiosk_seconds",
        int,
        "seconds per kiosk slide (5 to 3600)",
        default=lambda _env: DEFAULT_KIOSK_SECONDS,
        check=check_seconds,
    ),
    Setting(
        "kiosk_languages",
        list,
        "languages the kiosk cycles through (default: lang)",
        default=lambda _env: (),
        check=parse_languages,
    ),
    Setting(
        "kiosk_unlock",
        str,
        "keys that leave kiosk mode, separated by spaces",
        default=lambda _env: DEFAULT_UNLOCK,
        check=parse_unlock,
    ),
)
CONFIG_KEYS = {setting.key for setting in SETTINGS}
ENVIRONMENT = {setting.env: setting.key for setting in SETTINGS if setting.env}


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
    user: str = "unknown"
    alert_command: tuple[str, ...] = ()
    desktop_notifications: bool = True
    export_dir: Path = field(default_factory=lambda: data_dir() / "exports")
    rotation_weeks: int = 2
    kiosk_seconds: int = DEFAULT_KIOSK_SECONDS
    kiosk_languages: tuple[str, ...] = ()
    kiosk_unlock: tuple[str, ...] = tuple(DEFAULT_UNLOCK.split())
    channels: tuple[PagingChannel, ...] = ()
    intake: IntakeMapping = field(default_factory=IntakeMapping)
    heartbeats: tuple[HeartbeatRule, ...] = ()
    engine: EngineSettings = field(default_factory=EngineSettings)
    claim_lease: int = 60
    roster: Roster = field(default_factory=Roster)
    feedback_url: str = ""
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
    for variable, key in ENVIRONMENT.items():
        if environ.get(variable):
            values[key] = environ[variable]
            sources[key] = variable
    for setting in SETTINGS:
        given = getattr(flags, setting.key, None) if setting.flag else None
        if given:
            values[setting.key] = given
            sources[setting.key] = setting.flag
    chosen = {}
    for setting in SETTINGS:
        value = values.get(setting.key)
        if value is None or (setting.key in ("db", "lang", "policy") and not value):
            value = setting.default(environ)
        chosen[setting.field_name] = setting.check(value, _where(setting, sources))
    return Settings(
        config_path=config_path,
        policy_dir=config_path.parent / "policies",
        sources=sources,
        **chosen,
    )


def _where(setting: Setting, sources: dict[str, str]) -> str:
    """How a check names where a bad value came from, in the words it has always used."""
    source = sources.get(setting.key)
    if setting.key == "lang":
        return source or "the locale"
    if setting.key == "alert_command":
        return f"Config file {source}"
    if setting.key in ("rotation_weeks", "kiosk_seconds", "kiosk_languages", "kiosk_unlock"):
        return f"{setting.key} in {source or 'the settings'}"
    return source or "the settings"


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
    kinds = {setting.key: setting.kind for setting in SETTINGS}
    for key, value in document.items():
        wanted = kinds[key]
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
