"""`storycart settings`: every setting in effect, where it came from, and what it does."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

from app.config import SETTINGS, Settings
from app.domain.redact import redact_text, redact_url, url_kind
from app.domain.textsafe import printable


def add_settings_parser(commands, common) -> None:
    shown = commands.add_parser(
        "settings",
        parents=[common],
        help="the settings in effect and where each came from",
        description="Print every setting: its value, where it came from (the config file, an "
        "environment variable, a flag, or the default) and what it does.",
    )
    shown.add_argument("--json", action="store_true", help="machine-readable JSON")
    shown.set_defaults(handler=cmd_settings)


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")


def _plain(value):
    """The value as JSON has it, with every URL and credential in it redacted."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, str):
        return redact_url(value) if _URL.match(value) else redact_text(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value):
        document = {key: _plain(item) for key, item in dataclasses.asdict(value).items()}
        if document.get("url"):  # a channel's URL may hold a token: only its kind is shown
            url = value.url
            plain_url = url.get_secret_value() if isinstance(url, SecretStr) else url
            document["url"] = url_kind(plain_url)
        return document
    return value


def _shown(value) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def cmd_settings(settings: Settings, args) -> int:
    rows = [
        {
            "key": setting.key,
            "value": _plain(getattr(settings, setting.field_name)),
            "source": settings.sources.get(setting.key, "default"),
            "about": setting.doc,
        }
        for setting in SETTINGS
    ]
    if args.json:
        document = {"config_file": str(settings.config_path), "settings": rows}
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    print(printable(f"config file: {settings.config_path}"))
    width = max(len(row["key"]) for row in rows)
    for row in rows:
        shown = _shown(row["value"])
        print(printable(f"{row['key']:<{width}}  {shown}  ({row['source']})"))
        print(printable(f"{'':<{width}}  {row['about']}"))
    return 0
