"""The incident type x severity grid. It renders the policy it is given; it never loads data."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from app.policy import Policy
from app.policy_view import cell_examples
from app.text_layout import hanging, wrap
from app.textsafe import printable

MIN_COLUMN_WIDTH = 12
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
        """Lay the grid out for a policy; keys are the type / severity keys."""
        self.policy = policy
        self.lang = lang
        self.clear(columns=True)
        padding = 2 * self.cell_padding
        labels = {t.key: printable(t.name.get(lang)) for t in policy.types}
        label_width = min(MAX_LABEL_WIDTH, max(cell_len(label) for label in labels.values()))
        columns = len(policy.severities)
        spare = available_width - label_width - padding - SCROLLBAR_AND_MARGIN
        width = max(MIN_COLUMN_WIDTH, spare // columns - padding)
        for severity in policy.severities:
            header = Text(printable(f"{severity.key} {severity.name.get(lang)}"), style="bold")
            self.add_column(header, key=severity.key, width=width)
        for incident_type in policy.types:
            cells = []
            for severity in policy.severities:
                examples = cell_examples(policy, incident_type.key, severity.key, lang)
                text = "\n".join(hanging(example, width) for example in examples) or "—"
                cells.append(Text(text))
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
