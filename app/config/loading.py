"""Loading the Settings model from its three sources, each a pydantic-settings source: the
config file (TOML, read by app.domain.toml_text: unknown keys and wrong types refused with the
line), STORYCART_* variables, and flags. Later sources win: flags > environment > file >
the model's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

from app.config.errors import ConfigError
from app.config.model import Settings, loading, spec_of
from app.config.paths import config_dir
from app.domain.toml_text import (
    TomlReadError,
    TomlText,
    first_unknown,
    is_kind,
    kind_name,
    read_toml,
)

KEYS = tuple(name for name in Settings.model_fields if spec_of(name))


@dataclass
class Flags:
    """What the command line said; None means "not given"."""

    db: str | None = None
    config: str | None = None
    lang: str | None = None
    policy: str | None = None
    policy_files: list[str] = field(default_factory=list)


class _Layer(PydanticBaseSettingsSource):
    """A source of raw values by config key, and what `storycart settings` calls it."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002
        return self().get(field_name), field_name, False

    def named(self, key: str) -> str:
        raise NotImplementedError

    def where(self, key: str) -> str:
        return self.named(key)


class ConfigFile(_Layer):
    def __init__(self, path: Path, required: bool) -> None:
        super().__init__(Settings)
        self.path = path
        self.document = _read_config(path, required)

    def __call__(self) -> dict[str, Any]:
        return dict(self.document.data) if self.document else {}

    def named(self, key: str) -> str:  # noqa: ARG002 (one file for every key)
        return str(self.path)

    def where(self, key: str) -> str:
        return self.document.where((key,)) if self.document else str(self.path)


class Environment(_Layer):
    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__(Settings)
        self.variables = {key: spec_of(key).env for key in KEYS if spec_of(key).env}
        self.environ = environ

    def __call__(self) -> dict[str, Any]:
        return {
            key: _switch(self.environ[var], var) if spec_of(key).kind is bool else self.environ[var]
            for key, var in self.variables.items()
            if self.environ.get(var)
        }

    def named(self, key: str) -> str:
        return self.variables[key]


class CommandLine(_Layer):
    def __init__(self, flags: Flags) -> None:
        super().__init__(Settings)
        self.flags = flags

    def __call__(self) -> dict[str, Any]:
        given = {key: getattr(self.flags, key, None) for key in KEYS if spec_of(key).flag}
        return {key: value for key, value in given.items() if value}

    def named(self, key: str) -> str:
        return spec_of(key).flag or key


_SWITCH_WORDS = {"1": True, "true": True, "yes": True, "on": True} | {
    "0": False, "false": False, "no": False, "off": False
}  # fmt: skip


def _switch(text: str, variable: str) -> bool:
    """An on/off setting written in an environment variable."""
    try:
        return _SWITCH_WORDS[text.strip().lower()]
    except KeyError:
        raise ConfigError(f"{variable} must be 1 or 0 (true or false), not {text!r}.") from None


def load_settings(flags: Flags, environ: Mapping[str, str]) -> Settings:
    explicit_config = flags.config or environ.get("STORYCART_CONFIG")
    config_path = Path(explicit_config) if explicit_config else config_dir() / "config.toml"
    layers: list[_Layer] = []
    if explicit_config or config_path.exists():
        layers.append(ConfigFile(config_path, required=bool(explicit_config)))
    layers += [Environment(environ), CommandLine(flags)]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    places: dict[str, str] = {}
    for layer in layers:
        for key, value in layer().items():
            values[key] = value
            sources[key] = layer.named(key)
            places[key] = layer.where(key)
    try:
        with loading(environ, {key: _where(key, places) for key in KEYS}):
            return Settings(
                **values,
                config_path=config_path,
                policy_dir=config_path.parent / "policies",
                sources=sources,
            )
    except ValidationError as error:
        raise _first_refusal(error, layers[0]) from None


def _first_refusal(error: ValidationError, first: _Layer) -> Exception:
    for problem in error.errors():
        cause = problem.get("ctx", {}).get("error")
        key_path = getattr(cause, "key_path", ())
        if key_path and isinstance(first, ConfigFile) and first.document and key_path[0] in first():
            return ConfigError(f"{first.document.where(key_path)}: {cause.sentence}")
        if isinstance(cause, ConfigError):
            return cause
    return ConfigError(str(error).splitlines()[0])


def _where(key: str, places: dict[str, str]) -> str:
    """How a check names where a bad value came from, in the words it has always used (with the
    line, when it came from the file)."""
    source = places.get(key)
    if key == "lang":
        return source or "the locale"
    if key == "alert_command":
        return f"Config file {source}"
    if key in ("rotation_weeks", "kiosk_seconds", "kiosk_languages", "kiosk_unlock"):
        return f"{key} in {source or 'the settings'}"
    return source or "the settings"


def _read_config(path: Path, required: bool) -> TomlText | None:
    try:
        document = read_toml(path)
    except TomlReadError as error:
        if error.reason == "missing":
            if required:
                raise ConfigError(f"Config file {path} does not exist.") from None
            return None
        if error.reason == "not_utf8":
            raise ConfigError(f"Config file {path} is not UTF-8 text.") from None
        if error.reason == "not_toml":
            raise ConfigError(f"Config file {path} is not valid TOML ({error.detail}).") from None
        raise ConfigError(f"Config file {path} cannot be read ({error.detail}).") from None
    unknown = first_unknown(document.data, KEYS)
    if unknown:
        raise ConfigError(
            f"Config file {document.where((unknown,))}: {unknown!r} is not a setting "
            f"(known: {', '.join(sorted(KEYS))})."
        )
    for key, value in document.data.items():
        wanted = spec_of(key).kind
        if not is_kind(value, wanted):
            raise ConfigError(
                f"Config file {document.where((key,))}: {key!r} must be "
                f"{kind_name(wanted())}, not {kind_name(value)}."
            )
        if wanted is list and not all(isinstance(item, str) for item in value):
            raise ConfigError(
                f"Config file {document.where((key,))}: {key!r} must be a list of strings."
            )
    return document
