"""Writing what a command produced: to stdout for "-", else beside the target and renamed, so
an existing file is never left half-written. The CLI and the TUI write files the same way."""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from app.domain.i18n import DEFAULT_LANGUAGE, Catalog, LocalizedError


class OutputError(LocalizedError):
    """One sentence: the file cannot be written. ``kind`` names what was being written
    (markdown, json, pdf, policy, message) so the sentence can be said in any language."""

    def __init__(self, key: str, path: Path, kind: str, problem: str = "") -> None:
        self.kind = kind
        self.key = f"refusal.{key}"
        self.values = {"path": str(path), "problem": problem}
        ValueError.__init__(self, self.in_language(Catalog(DEFAULT_LANGUAGE)))

    def in_language(self, catalog: Catalog) -> str:
        return catalog.t(self.key, what=catalog.t(f"output_kind.{self.kind}"), **self.values)


def write_output(output: str, text: str | bytes, kind: str) -> Path | None:
    """Text or bytes (a PDF) to the file, or to stdout for "-"."""
    if output == "-":
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        return None
    return write_file(Path(output), text, kind)


def write_file(target: Path, data: str | bytes, kind: str) -> Path:
    """Replace the file a path names with ``data``, atomically.

    A symlink is written through: the file it points at gets the new content and the link stays.
    Anything that is not a regular file (a directory, a device, a pipe) is refused rather than
    replaced. A new file gets the usual permissions (0666 less the umask); an existing file keeps
    its own."""
    real = Path(os.path.realpath(target))
    try:
        status = real.stat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise OutputError("output_failed", target, kind, error.strerror) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError("output_directory", target, kind)
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise OutputError("output_not_regular", target, kind)
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    partial = real.with_name(f".{real.name}.{secrets.token_hex(4)}.part")
    try:
        handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                if status is not None:
                    os.fchmod(stream.fileno(), stat.S_IMODE(status.st_mode))
            os.replace(partial, real)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError("output_failed", target, kind, error.strerror) from None
    return target
