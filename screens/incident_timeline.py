"""The incident screen's timeline, laid out for the width it has.

When the full timeline (date, time and zone; who; what) fits, it is shown as it is. When it
does not, "When" gives way first (the time alone, the date only for another day), then "Who"
(cut with "…" at a character boundary), and "What" — the entry itself — takes the rest of the
row and wraps onto more lines instead of being cut."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from app.domain.i18n import Catalog
from app.domain.incident import IncidentView
from app.domain.incident_text import entry_text
from app.domain.message_templates import local_time
from app.domain.textsafe import printable
from screens.incident_ladder import ellipsize

COLUMNS = ("at", "certainty", "actor", "text")
CELL_PADDING = 2
SCROLLBAR = 2
MAX_ACTOR = 10
MIN_TEXT = 16


def _short_at(at: datetime, now: datetime) -> str:
    at, today = at.astimezone(), now.astimezone()
    return f"{at:%H:%M}" if at.date() == today.date() else f"{at:%m-%d %H:%M}"


def _widths(headers: list[str], rows: list[tuple]) -> list[int]:
    return [max([cell_len(h), *(cell_len(row[i]) for row in rows)]) for i, h in enumerate(headers)]


class Timeline:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.layout: tuple | None = None

    def draw(self, table: DataTable, view: IncidentView, now: datetime) -> None:
        t = self.catalog.t
        headers = [t(f"incident.timeline_{key}") for key in COLUMNS]
        entries = []
        for entry in view.timeline:
            style = "" if entry.certainty == "fact" else "italic #E0A458"
            certainty = t(f"certainty.{entry.certainty}")
            text = entry_text(entry, self.catalog)
            entries.append((str(entry.id), entry, certainty, printable(entry.actor), text, style))
        full = [(local_time(e.at), c, a, x) for _k, e, c, a, x, _s in entries]
        room = (table.size.width or table.app.size.width) - SCROLLBAR
        room -= CELL_PADDING * len(COLUMNS)
        widths = [
            max([cell_len(h), *(cell_len(r[i]) for r in full)]) for i, h in enumerate(headers)
        ]
        layout: tuple = (None,) * len(COLUMNS)
        if sum(widths) > room:
            shown = [(_short_at(e.at, now), c, a) for _k, e, c, a, _x, _s in entries]
            fixed = [
                max([cell_len(h), *(cell_len(r[i]) for r in shown)])
                for i, h in enumerate(headers[:3])
            ]
            fixed[2] = min(fixed[2], max(MAX_ACTOR, cell_len(headers[2])))
            layout = (*fixed, max(MIN_TEXT, room - sum(fixed)))
        if layout != self.layout:
            self.layout = layout
            table.clear(columns=True)
            for key, header, width in zip(COLUMNS, headers, layout, strict=True):
                table.add_column(header, key=key, width=width)
        narrow = layout[0] is not None
        for key, entry, certainty, actor, text, style in entries:
            if key in table.rows:
                continue
            at = _short_at(entry.at, now) if narrow else local_time(entry.at)
            table.add_row(
                at,
                Text(certainty, style=style),
                Text(ellipsize(actor, layout[2]) if narrow else actor),
                Text(text, style=style),
                key=key,
                height=None if narrow else 1,
            )
