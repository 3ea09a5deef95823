"""One typed Settings object: config TOML file, then STORYCART_* environment, then flags.

Every setting is declared once, as a field of the Settings model (app.config.model): its file
key, TOML type, environment variable, flag, default, check and one line of documentation.
SETTINGS, the set of known keys, the environment list and the README's table are read from it;
app.config.loading layers the sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.config.checks import check_seconds, parse_languages, parse_unlock
from app.config.errors import ConfigError
from app.config.loading import KEYS, Flags, load_settings
from app.config.model import Settings, spec_of
from app.config.paths import APP_NAME, config_dir, data_dir, default_db_url

__all__ = [
    "APP_NAME",
    "CONFIG_KEYS",
    "ENVIRONMENT",
    "SETTINGS",
    "ConfigError",
    "Flags",
    "Setting",
    "Settings",
    "check_seconds",
    "config_dir",
    "data_dir",
    "default_db_url",
    "load_settings",
    "parse_languages",
    "parse_unlock",
]


@dataclass(frozen=True)
class Setting:
    """One setting as the model declares it (a view of its field, for listings)."""

    key: str  # in config.toml
    kind: type  # its TOML type
    doc: str
    default: Any  # as written in config.toml
    check: Callable[[Any, str], Any]
    env: str | None = None
    flag: str | None = None
    attribute: str = ""

    @property
    def field_name(self) -> str:
        return self.attribute or self.key


def _setting(key: str) -> Setting:
    spec, field = spec_of(key), Settings.model_fields[key]
    return Setting(
        key,
        spec.kind,
        field.description or "",
        field.default,
        spec.check,
        spec.env,
        spec.flag,
        spec.attribute,
    )


SETTINGS: tuple[Setting, ...] = tuple(_setting(key) for key in KEYS)
CONFIG_KEYS = set(KEYS)
ENVIRONMENT = {setting.env: setting.key for setting in SETTINGS if setting.env}
