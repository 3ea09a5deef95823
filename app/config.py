"""One typed Settings object: config TOML file, then STORYCART_* environment, then flags.

Every setting is defined once, in SETTINGS: its file key, TOML type, environment variable,
default, check and one line of documentation. The set of known keys, the type checks, the
environment list and the README's table are all read from it.

Directories come from platformdirs. Nothing is created here: the database file and its folder
are created by storage when the app first opens them.
"""

from __future__ import annotations

import getpass
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from app.domain.durations import DurationError, parse_duration
from app.domain.i18n import LANGUAGES, detect_language
from app.domain.intake import DEFAULT_SEVERITIES, HeartbeatRule, IntakeMapping
from app.domain.paging import PagingChannel
from app.domain.roster import Roster, RosterError, parse_roster

APP_NAME = "storycart"
KIOSK_SECONDS_RANGE = range(5, 3601)
DEFAULT_KIOSK_SECONDS = 20
DEFAULT_UNLOCK = "ctrl+k u n l o c k"
MIN_UNLOCK_KEYS = 3
_KEY_NAME = re.compile(r"^((ctrl|shift|alt|meta)\+)*([a-z0-9_]+|[^\s+])$")


class ConfigError(ValueError):
    """A setting that cannot be used; str() is one sentence."""


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def default_db_url(directory: Path | None = None) -> str:
    return f"sqlite:///{(directory or data_dir()) / 'storycart.db'}"


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


CHANNEL_KEYS = {"url", "url_env", "url_file", "lang", "pages", "priority", "broadcast"}
_CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def _channels(value: dict, where: str) -> tuple[PagingChannel, ...]:
    """[channels.NAME] tables: each names exactly one of url / url_env / url_file."""
    return tuple(
        _channel(name, table, f"{where}: channel {name!r}") for name, table in value.items()
    )


def _channel(name: str, table: Any, here: str) -> PagingChannel:
    if not _CHANNEL_NAME.match(name):
        raise ConfigError(f"{here}: a name is lower-case letters, digits, - or _.")
    if not isinstance(table, dict):
        raise ConfigError(f"{here} must be a table ([channels.{name}]).")
    unknown = sorted(set(table) - CHANNEL_KEYS)
    if unknown:
        known = ", ".join(sorted(CHANNEL_KEYS))
        raise ConfigError(f"{here}: {unknown[0]!r} is not a channel setting (known: {known}).")
    _channel_strings(table, here)
    pages = table.get("pages", [])
    if not isinstance(pages, list) or not all(isinstance(p, str) and p for p in pages):
        raise ConfigError(f"{here}: 'pages' must be a list of ladder targets.")
    priority = table.get("priority", {})
    if not isinstance(priority, dict) or not all(
        isinstance(v, str) and v for v in priority.values()
    ):
        raise ConfigError(f"{here}: 'priority' must map severities to names, like SEV-1 = \"max\".")
    broadcast = table.get("broadcast", False)
    if not isinstance(broadcast, bool):
        raise ConfigError(f"{here}: 'broadcast' must be true or false.")
    return PagingChannel(
        name=name,
        url=table.get("url", ""),
        url_env=table.get("url_env", ""),
        url_file=table.get("url_file", ""),
        lang=table.get("lang", ""),
        pages=tuple(pages),
        priority=dict(priority),
        broadcast=broadcast,
    )


def _channel_strings(table: dict, here: str) -> None:
    """Where the URL is (exactly one place) and the page language."""
    sources = [key for key in ("url", "url_env", "url_file") if table.get(key)]
    if len(sources) != 1:
        raise ConfigError(
            f"{here} needs exactly one of url, url_env (a variable holding the URL) or "
            "url_file (a 0600 file holding it)."
        )
    for key in ("url", "url_env", "url_file", "lang"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{here}: {key!r} must be a string.")
    url = table.get("url", "")
    if url and "://" not in url:
        raise ConfigError(f"{here}: {url!r} is not an Apprise URL (like ntfy://host/topic).")
    lang = table.get("lang", "")
    if lang and lang not in LANGUAGES:
        raise ConfigError(f"{here}: language {lang!r} is not one of {', '.join(LANGUAGES)}.")


INTAKE_KEYS = {"policy", "type", "severities", "severity_label", "resolve"}


def _intake(value: dict, where: str) -> IntakeMapping:
    """The [intake] table: how alerts from monitors become incidents."""
    unknown = sorted(set(value) - INTAKE_KEYS)
    if unknown:
        known = ", ".join(sorted(INTAKE_KEYS))
        raise ConfigError(f"{where}: {unknown[0]!r} is not an intake setting (known: {known}).")
    for key in ("policy", "type", "severity_label"):
        if key in value and not isinstance(value[key], str):
            raise ConfigError(f"{where}: intake {key!r} must be a string.")
    severities = value.get("severities", {})
    if not isinstance(severities, dict) or not all(
        isinstance(v, str) and v for v in severities.values()
    ):
        raise ConfigError(
            f"{where}: intake 'severities' must map monitor words to levels, like "
            'critical = "SEV-1".'
        )
    if not isinstance(value.get("resolve", False), bool):
        raise ConfigError(f"{where}: intake 'resolve' must be true or false.")
    return IntakeMapping(
        policy=value.get("policy", ""),
        type_key=value.get("type", ""),
        severities={**DEFAULT_SEVERITIES, **{k.casefold(): v for k, v in severities.items()}},
        severity_label=value.get("severity_label", "severity"),
        resolve=value.get("resolve", False),
    )


def _heartbeats(value: dict, where: str) -> tuple[HeartbeatRule, ...]:
    """[heartbeats.NAME] tables: interval (like "5m") and severity; title optional."""
    rules = []
    for name, table in value.items():
        here = f"{where}: heartbeat {name!r}"
        if not _CHANNEL_NAME.match(name) or not isinstance(table, dict):
            raise ConfigError(f"{here} must be a table named with letters, digits, - or _.")
        unknown = sorted(set(table) - {"interval", "severity", "title"})
        if unknown:
            raise ConfigError(f"{here}: {unknown[0]!r} is not a heartbeat setting.")
        try:
            interval = parse_duration(table.get("interval"))
        except DurationError as error:
            raise ConfigError(f"{here}: interval: {error}") from None
        severity, title = table.get("severity"), table.get("title", "")
        if not isinstance(severity, str) or not severity or not isinstance(title, str):
            raise ConfigError(f'{here} needs a severity (like "SEV-2").')
        rules.append(HeartbeatRule(name, max(1, interval), severity, title))
    return tuple(rules)


def _feedback_url(value: Any, where: str) -> str:
    if not isinstance(value, str) or (value and not value.startswith(FEEDBACK_SCHEMES)):
        raise ConfigError(
            f"feedback_url in {where} must be an http(s):// or mailto: address, not {value!r}."
        )
    return value


FEEDBACK_SCHEMES = ("https://", "http://", "mailto:")


def _roster(value: Any, where: str) -> Roster:
    try:
        return parse_roster(value)
    except RosterError as error:
        raise ConfigError(f"{where}: {error}") from None


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
