"""The key acknowledge links are derived from: `ack.secret` beside the config file, made on first
use, readable by its owner alone (like `intake.token`), never written to the database or a log.

With it, every process that reads this config makes the same link for the same page, so a page
tried again after a failure carries the link of its first try, while the database keeps only
each link's SHA-256."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

SECRET_NAME = "ack.secret"


class AckSecretError(Exception):
    """The secret cannot be read or made; str() is one sentence saying what to do."""


def secret_path(config_path: Path) -> Path:
    return config_path.parent / SECRET_NAME


def read_secret(path: Path) -> bytes:
    """The secret in `path`, made (0600, atomically: two processes starting together agree)
    when there is none yet."""
    try:
        if not path.exists():
            _make(path)
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AckSecretError(
                f"{path}, the key of acknowledge links, must be readable by its owner alone "
                f"(chmod 600 {path})."
            )
        value = path.read_text("utf-8").strip()
    except OSError as error:
        raise AckSecretError(
            f"cannot read or make {path}, the key of acknowledge links ({error.strerror})."
        ) from None
    if len(value) < 32:
        raise AckSecretError(
            f"{path}, the key of acknowledge links, is too short; delete it and a new one "
            "is made (links already sent stop working)."
        )
    return value.encode("utf-8")


def _make(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
