"""Writing what a command produced: to stdout for "-", else beside the target and renamed, so
an existing file is never left half-written."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


class OutputError(Exception):
    """One sentence: the file cannot be written."""


def write_output(output: str, text: str, what: str) -> Path | None:
    if output == "-":
        sys.stdout.write(text)
        return None
    target = Path(output)
    if target.is_dir():
        raise OutputError(f"{target} is a directory; give a file name for the {what}.")
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent or ".", delete=False, suffix=".tmp"
        ) as handle:
            handle.write(text)
        os.replace(handle.name, target)
    except OSError as error:
        raise OutputError(f"Cannot write {target}: {error.strerror}.") from None
    return target
