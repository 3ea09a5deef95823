"""The Settings model: every setting declared once — its config.toml key (the field name), TOML
type, environment variable, flag, default and check (Spec), and its one line of documentation
(the field's description). The loader (app.config.loading), the README's table and
`storycart settings` all read it.

A field's default is the value as written in config.toml ("" for "from the environment": the
locale, the login name, the data dir); with validate_default it goes through the same check as a
written value, so the app gets one typed value either way. Checks take (value, where it came
from); the loader passes where through `loading`. A value that is already typed
(Settings.with_overrides, tests) is kept as it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

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
from app.config.paths import data_dir, default_db_url
from app.config.tables import _channels, _engine, _heartbeats, _intake, _roster
from app.domain.i18n import detect_language
from app.domain.intake import HeartbeatRule, IntakeMapping
from app.domain.paging import PagingChannel
from app.domain.roster import Roster
from app.domain.toml_text import is_kind
from app.domain.watchers import EngineSettings

# BaseSettings validates through its own __init__, which drops pydantic's validation context:
# the loader says where values came from (and which environment it was given) through this.
_LOADING: ContextVar[dict[str, Any] | None] = ContextVar("storycart_loading", default=None)


@contextmanager
def loading(environ, where: dict[str, str]) -> Iterator[None]:
    token = _LOADING.set({"environ": environ, "where": where})
    try:
        yield
    finally:
        _LOADING.reset(token)


@dataclass(frozen=True)
class Spec:
    """How a setting is written: its TOML type, where else it can come from, its check."""

    kind: type
    check: Callable[[Any, str], Any] = _same
    env: str | None = None  # STORYCART_* variable that overrides the file
    flag: str | None = None  # command-line flag that overrides both
    attribute: str = ""  # how code reads it, when not by the key (db → db_url)


def _policy_files(value: list, _where: str) -> tuple[Path, ...]:
    return tuple(Path(p).expanduser() for p in value)


def _export_dir(value: str, _where: str) -> Path:
    return Path(value or data_dir() / "exports").expanduser()


def _db(value: str, where: str) -> str:
    return _db_url(value or default_db_url(), where)


def _user(value: str, _where: str) -> str:
    return value or _login_name()


class Settings(BaseSettings):
    """The settings in effect: config.toml, then STORYCART_* variables, then flags."""

    model_config = SettingsConfigDict(
        frozen=True, validate_default=True, arbitrary_types_allowed=True, extra="forbid"
    )

    db: Annotated[SecretStr, Spec(str, _db, "STORYCART_DB", "--db", "db_url")] = Field(
        "", description="the database: a SQLite file path or a postgresql:// URL"
    )
    lang: Annotated[str, Spec(str, _language, "STORYCART_LANG", "--lang")] = Field(
        "", description="the app's language: en, ko or ja (default: from the locale)"
    )
    policy: Annotated[str | None, Spec(str, env="STORYCART_POLICY", flag="--policy")] = Field(
        None, description="the severity policy the board starts with"
    )
    policy_files: Annotated[tuple[Path, ...], Spec(list, _policy_files, flag="--policy-file")] = (
        Field([], description="more policy files to load")
    )
    theme: Annotated[str, Spec(str)] = Field("storycart", description="the Textual theme")
    kitty_keyboard: Annotated[bool, Spec(bool)] = Field(
        True,
        description="ask the terminal for the Kitty keyboard protocol (false helps some IMEs)",
    )
    user: Annotated[str, Spec(str, _user, "STORYCART_USER")] = Field(
        "", description="who you are in timelines (default: your login name)"
    )
    alert_command: Annotated[tuple[str, ...], Spec(list, _alert_command)] = Field(
        [], description="run for every escalation, without a shell; the alert as JSON on stdin"
    )
    desktop_notifications: Annotated[bool, Spec(bool)] = Field(
        True, description="a desktop notification for every escalation"
    )
    export_dir: Annotated[Path, Spec(str, _export_dir)] = Field(
        "", description="where saved messages and printed sheets go (default: data dir / exports)"
    )
    rotation_weeks: Annotated[int, Spec(int, _rotation_weeks)] = Field(
        2, description="the story of the week changes every this many weeks (1 to 4)"
    )
    channels: Annotated[tuple[PagingChannel, ...], Spec(dict, _channels)] = Field(
        {},
        description="paging channels: [channels.NAME] tables, each an Apprise URL "
        "(ntfy, Slack, mail, …)",
    )
    intake: Annotated[IntakeMapping, Spec(dict, _intake)] = Field(
        {},
        description="alerts from monitors: policy, type, severity words → levels, "
        "resolve on 'resolved'",
    )
    heartbeats: Annotated[tuple[HeartbeatRule, ...], Spec(dict, _heartbeats)] = Field(
        {},
        description="[heartbeats.NAME]: a ping expected every interval; silence declares an "
        "incident",
    )
    engine: Annotated[EngineSettings, Spec(dict, _engine)] = Field(
        {},
        description="the escalation engine: heartbeat_url pinged by a healthy watcher "
        "(a dead-man's switch)",
    )
    feedback_url: Annotated[str, Spec(str, _feedback_url)] = Field(
        "", description="where the QR code on printed story sheets points (seed 000's feedback box)"
    )
    roster: Annotated[Roster, Spec(dict, _roster)] = Field(
        {},
        description='who is on call: [roster.people.NAME], [roster.levels."TARGET"] '
        "rotations, overrides",
    )
    claim_lease: Annotated[int, Spec(int, _claim_lease)] = Field(
        60,
        description="seconds an alert stays with a process delivering it; after a crash "
        "another takes it",
    )
    kiosk_seconds: Annotated[int, Spec(int, check_seconds)] = Field(
        DEFAULT_KIOSK_SECONDS, description="seconds per kiosk slide (5 to 3600)"
    )
    kiosk_languages: Annotated[tuple[str, ...], Spec(list, parse_languages)] = Field(
        [], description="languages the kiosk cycles through (default: lang)"
    )
    kiosk_unlock: Annotated[tuple[str, ...], Spec(str, parse_unlock)] = Field(
        DEFAULT_UNLOCK, description="keys that leave kiosk mode, separated by spaces"
    )
    warm_cli: Annotated[bool, Spec(bool, env="STORYCART_WARM_CLI")] = Field(
        True,
        description="commands scripts call (incident, status, metrics…) run in a warm "
        "server's child, started by the first one, instead of importing for a second each",
    )
    # Not settings: where the file is, and where each setting came from.
    config_path: Path
    policy_dir: Path
    sources: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)

    @field_validator("*", mode="before")
    @classmethod
    def _checked(cls, value: Any, info: ValidationInfo) -> Any:
        spec = spec_of(info.field_name)
        if spec is None or value is None or not is_kind(value, spec.kind):
            return value  # not a setting, or already typed
        context = info.context or _LOADING.get() or {}
        if info.field_name == "lang" and not value:
            value = detect_language(context.get("environ", os.environ))
        if info.field_name == "policy":
            return value or None
        return spec.check(value, context.get("where", {}).get(info.field_name, "the settings"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],  # noqa: ARG003
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Settings(...) takes what it is given: load_settings layers the file, the environment
        and the flags (app.config.loading), so building one never reads os.environ."""
        return (init_settings,)

    @property
    def db_url(self) -> str:
        """The database URL for code that must connect (it may hold a password)."""
        return self.db.get_secret_value()

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with typed values changed (db_url= sets the database)."""
        if "db_url" in changes:
            changes["db"] = SecretStr(changes.pop("db_url"))
        return self.model_copy(update=changes)


def spec_of(name: str) -> Spec | None:
    field = Settings.model_fields.get(name)
    if field is None:
        return None
    return next((item for item in field.metadata if isinstance(item, Spec)), None)
