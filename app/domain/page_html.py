"""A page as HTML, for the HTML part of a mail: the same lines as the plain text, each value
escaped, a line break where the text has one, and web addresses (http and https only) as links.
Mail services build the plain part from it again, so the two say the same thing."""

from __future__ import annotations

import html
import re

_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+")


def mail_html(body: str) -> str:
    return "<br>".join(_line(line) for line in body.split("\n"))


def _line(line: str) -> str:
    parts, start = [], 0
    for match in _WEB_ADDRESS.finditer(line):
        address = match.group()
        parts.append(html.escape(line[start : match.start()]))
        parts.append(f'<a href="{html.escape(address)}">{html.escape(address)}</a>')
        start = match.end()
    parts.append(html.escape(line[start:]))
    return "".join(parts)
