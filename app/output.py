"""Writing what a command produced: to stdout for "-", else beside the target and renamed, so
an existing file is never left half-written."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


class OutputError(Exception):
    """One sentence: the file cannot be written."""


def write_output(output: str, text: str | bytes, what: str) -> Path | None:
    """Text or bytes (a PDF) to the file, or to stdout for "-"."""
    binary = isinstance(text, bytes)
    if output == "-":
        if binary:
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        return None
    target = Path(output)
    if target.is_dir():
        raise OutputError(f"{target} is a directory; give a file name for the {what}.")
    try:
        with tempfile.NamedTemporaryFile(
            "wb" if binary else "w", encoding=None if binary else "utf-8",
            dir=target.parent or ".", delete=False, suffix=".tmp",
        ) as handle:  # fmt: skip
            handle.write(text)
        os.replace(handle.name, target)
    except OSError as error:
        raise OutputError(f"Cannot write {target}: {error.strerror}.") from None
    return target
