"""The settings that are tables of their own: paging channels, the alert intake, heartbeats,
the roster and the escalation engine's outside heartbeat. Each check takes (value, where it came
from) and returns the typed value or raises ConfigError with one sentence."""

from __future__ import annotations

import re
from typing import Any

from app.config.errors import ConfigError
from app.domain.durations import DurationError, parse_duration
from app.domain.i18n import LANGUAGES
from app.domain.intake import DEFAULT_SEVERITIES, SOURCES, HeartbeatRule, IntakeMapping
from app.domain.paging import PagingChannel
from app.domain.roster import Roster, RosterError, parse_roster
from app.domain.watchers import EngineSettings

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


INTAKE_KEYS = {
    "policy",
    "type",
    "severities",
    "severity_label",
    "default_severity",
    "resolve",
    "public_url",
}


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
    public_url = value.get("public_url", "")
    if not isinstance(public_url, str) or (
        public_url and not public_url.startswith(("http://", "https://"))
    ):
        raise ConfigError(
            f"{where}: intake 'public_url' must be the http(s):// address people reach the "
            f"intake at (pages link to it), not {public_url!r}."
        )
    return IntakeMapping(
        policy=value.get("policy", ""),
        default_severity=_default_severity(value.get("default_severity", {}), where),
        type_key=value.get("type", ""),
        severities={**DEFAULT_SEVERITIES, **{k.casefold(): v for k, v in severities.items()}},
        severity_label=value.get("severity_label", "severity"),
        resolve=value.get("resolve", False),
        public_url=public_url.rstrip("/"),
    )


def _default_severity(value: Any, where: str) -> dict[str, str]:
    """[intake] default_severity: one level for every source ("SEV-3"), or a table by source
    ({ grafana = "SEV-2", default = "SEV-3" }); checked against the policy when the intake
    starts (the table does not know which policy it will serve)."""
    if isinstance(value, str):
        value = {"default": value} if value else {}
    known = (*SOURCES, "default")
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise ConfigError(
            f"{where}: intake 'default_severity' must be a level, like \"SEV-3\", or a table "
            f'by source, like {{ grafana = "SEV-2", default = "SEV-3" }}.'
        )
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ConfigError(
            f"{where}: intake default_severity: {unknown[0]!r} is not a source "
            f"(known: {', '.join(known)})."
        )
    return dict(value)


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


def _roster(value: Any, where: str) -> Roster:
    try:
        return parse_roster(value)
    except RosterError as error:
        refusal = ConfigError(f"{where}: {error}")
        refusal.key_path, refusal.sentence = ("roster", *error.path), str(error)
        raise refusal from None


ENGINE_KEYS = {"heartbeat_url", "interval"}


def _engine(value: dict, where: str) -> EngineSettings:
    """The [engine] table: the dead-man's switch URL and how often a watcher makes its pass."""
    unknown = sorted(set(value) - ENGINE_KEYS)
    if unknown:
        known = ", ".join(sorted(ENGINE_KEYS))
        raise ConfigError(f"{where}: {unknown[0]!r} is not an engine setting (known: {known}).")
    url = value.get("heartbeat_url", "")
    if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
        raise ConfigError(
            f"{where}: engine 'heartbeat_url' must be an http(s):// address, not {url!r}."
        )
    interval = EngineSettings.interval_s
    if "interval" in value:
        try:
            interval = parse_duration(value["interval"])
        except DurationError as error:
            raise ConfigError(f"{where}: engine interval: {error}") from None
        if not 5 <= interval <= 3600:
            raise ConfigError(f"{where}: engine interval must be from 5 s to 1 h.")
    return EngineSettings(heartbeat_url=url, interval_s=interval)
