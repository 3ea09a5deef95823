"""Reading a policy file into the model (the reader itself is policy/reader.py); every problem
is one PolicyError."""

from __future__ import annotations

import tomllib
from pathlib import Path

from app.domain.policy.errors import PolicyError
from app.domain.policy.model import Policy
from app.domain.policy.reader import PolicyReader
from app.domain.toml_text import toml_error_line, without_position


def load_policy_file(path: Path | str) -> Policy:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(str(path), "no_file") from None
    except IsADirectoryError:
        raise PolicyError(str(path), "directory") from None
    except OSError as error:
        raise PolicyError(str(path), "unreadable", reason=error.strerror) from None
    return parse_policy_bytes(raw, str(path))


def parse_policy_bytes(raw: bytes, source: str) -> Policy:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PolicyError(
            source, "not_utf8", line=line, byte=f"{raw[error.start]:02x}", offset=error.start
        ) from None
    return parse_policy_text(text, source)


def parse_policy_text(text: str, source: str) -> Policy:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = toml_error_line(error)
        message = without_position(str(error))
        reason = f"{message[:1].lower()}{message[1:]}"
        raise PolicyError(source, "not_toml", line=line, reason=reason) from None
    return PolicyReader(document, text, source).policy()
