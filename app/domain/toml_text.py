"""The one way Story Cart reads a TOML file and says where in it a problem is: config.toml
(app.config, with its [roster]), drill scenarios and policies all read through read_toml and
name a line with TomlText.line / where.

A problem is reported as "<file> (line N): <one sentence>"; each reader keeps its own
sentences (and their translations), this module only finds the file, the text and the line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Path_ = tuple[str | int, ...]

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGNMENT = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")

KIND_NAMES = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    list: "a list",
    float: "a decimal number",
    dict: "a table",
}


class TomlReadError(ValueError):
    """The file cannot be read as TOML. `reason` is missing, unreadable, not_utf8 or
    not_toml; `detail` the OS's or the TOML parser's words; `line` where known. Each reader
    turns it into its own sentence."""

    def __init__(self, path: Path, reason: str, detail: str = "", line: int | None = None):
        self.path, self.reason, self.detail, self.line = path, reason, detail, line
        super().__init__(f"{path}: {reason} {detail}".strip())


@dataclass(frozen=True)
class TomlText:
    """A parsed TOML document with the text it came from, so a problem can name its line."""

    data: dict[str, Any]
    text: str
    source: str

    def line(self, path: Path_) -> int | None:
        return locate(self.text, path)

    def where(self, path: Path_ = ()) -> str:
        """`source (line N)` for the key path, or the source alone when no line is known."""
        line = self.line(path) if path else None
        return f"{self.source} (line {line})" if line else self.source


def read_toml(path: Path) -> TomlText:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TomlReadError(path, "missing") from None
    except OSError as error:
        raise TomlReadError(path, "unreadable", error.strerror or str(error)) from None
    return parse_toml(raw, path)


def parse_toml(raw: bytes, path: Path) -> TomlText:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TomlReadError(path, "not_utf8", f"{raw[error.start]:02x}", line) from None
    try:
        return TomlText(tomllib.loads(text), text, str(path))
    except tomllib.TOMLDecodeError as error:
        raise TomlReadError(path, "not_toml", str(error), toml_error_line(error)) from None


def toml_error_line(error: tomllib.TOMLDecodeError) -> int | None:
    found = _TOML_POSITION.search(str(error))
    return int(found.group(1)) if found else None


def without_position(message: str) -> str:
    """A TOML parser message without its "(at line L, column C)"."""
    return _TOML_POSITION.sub("", message)


def kind_name(value: Any) -> str:
    return KIND_NAMES.get(type(value), type(value).__name__)


def is_kind(value: Any, kind: type) -> bool:
    """Whether a TOML value is of the kind a key wants (true is not a whole number)."""
    return isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))


def first_unknown(table: dict, known) -> str | None:
    unknown = sorted(set(table) - set(known))
    return unknown[0] if unknown else None


def _key_parts(text: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _KEY_PART.findall(text))


def key_lines(text: str) -> dict[Path_, int]:
    """Where each table header and each key is first written: ('roster', 'levels', 'L1', 'start')
    → 12; arrays of tables count from 0: ('severities', 2, 'response')."""
    found: dict[Path_, int] = {}
    counters: dict[Path_, int] = {}
    table: Path_ = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            in_string = line.count('"""') % 2 == 0 and line.count("'''") % 2 == 0
            continue
        header = _HEADER.match(line)
        if header and "=" not in header.group(2):
            parts = _key_parts(header.group(2))
            if header.group(1) == "[[":
                counters[parts] = counters.get(parts, -1) + 1
                table = (*parts, counters[parts])
            else:
                table = parts
            found.setdefault(table, number)
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment:
            found.setdefault((*table, *_key_parts(assignment.group(1))), number)
            in_string = (line.count('"""') + line.count("'''")) % 2 == 1
    return found


def locate(text: str, path: Path_) -> int | None:
    """The line of a key path, or of the nearest table or key above it that is written."""
    lines = key_lines(text)
    for length in range(len(path), 0, -1):
        if path[:length] in lines:
            return lines[path[:length]]
    return None
