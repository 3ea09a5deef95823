"""The incident type x severity grid. It renders the policy it is given; it never loads data."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from app.domain.policy.model import Policy
from app.domain.policy.view import cell_examples
from app.domain.text_layout import hanging, longest_unit, wrap
from app.domain.textsafe import printable

MIN_COLUMN_WIDTH = 8
MARKER = "• "
MAX_LABEL_WIDTH = 26
SCROLLBAR_AND_MARGIN = 2


class SeverityGrid(DataTable):
    """Rows are incident types (row labels), columns are severities, cells list the examples."""

    class CellFocused(Message):
        """The cursor moved onto the cell for (type_key, severity_key)."""

        def __init__(self, type_key: str, severity_key: str) -> None:
            super().__init__()
            self.type_key = type_key
            self.severity_key = severity_key

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.policy: Policy | None = None
        self.lang = "en"

    def show(self, policy: Policy, lang: str, available_width: int) -> None:
        """Lay the grid out for a policy; keys are the type / severity keys. No word is ever
        broken: a column is never narrower than its longest word; when they cannot all fit,
        the grid scrolls sideways."""
        self.policy = policy
        self.lang = lang
        self.clear(columns=True)
        padding = 2 * self.cell_padding
        labels = {t.key: printable(t.name.get(lang)) for t in policy.types}
        headers = {s.key: printable(f"{s.key} {s.name.get(lang)}") for s in policy.severities}
        examples = {
            (t.key, s.key): cell_examples(policy, t.key, s.key, lang)
            for t in policy.types
            for s in policy.severities
        }
        marker = cell_len(MARKER)
        narrowest = {
            s.key: max(
                [MIN_COLUMN_WIDTH, longest_unit(headers[s.key])]
                + [
                    longest_unit(text) + marker
                    for t in policy.types
                    for text in examples[(t.key, s.key)]
                ]
            )
            for s in policy.severities
        }
        room = available_width - SCROLLBAR_AND_MARGIN - padding * (len(narrowest) + 1)
        label_width = min(MAX_LABEL_WIDTH, max(cell_len(label) for label in labels.values()))
        shortest_label = max(longest_unit(label) for label in labels.values())
        if label_width + sum(narrowest.values()) > room:
            label_width = max(shortest_label, room - sum(narrowest.values()))
        share = (room - label_width) // max(1, len(narrowest))
        widths = {key: max(least, share) for key, least in narrowest.items()}
        header_lines = {key: wrap(headers[key], widths[key]) for key in headers}
        self.header_height = max(len(lines) for lines in header_lines.values())
        for severity in policy.severities:
            header = Text("\n".join(header_lines[severity.key]), style="bold")
            self.add_column(header, key=severity.key, width=widths[severity.key])
        for incident_type in policy.types:
            cells = []
            for severity in policy.severities:
                width = widths[severity.key]
                texts = examples[(incident_type.key, severity.key)]
                cells.append(Text("\n".join(hanging(t, width, MARKER) for t in texts) or "—"))
            label = Text("\n".join(wrap(labels[incident_type.key], label_width)))
            height = max(cell.plain.count("\n") + 1 for cell in [*cells, label])
            self.add_row(*cells, key=incident_type.key, label=label, height=height)
        self.move_cursor(row=0, column=0)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        if self.policy is None:
            return
        row_key, column_key = event.cell_key.row_key, event.cell_key.column_key
        self.post_message(self.CellFocused(str(row_key.value), str(column_key.value)))
