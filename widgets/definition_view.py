"""Shows the full definition of one matrix cell: plain text sections, rendered as data."""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from app.domain.policy.view import Section


class DefinitionView(VerticalScroll):
    """A heading and titled sections; text is never interpreted as markup."""

    can_focus = True

    def compose(self):
        yield Static(id="definition-heading")
        yield Static(id="definition-body")

    def show(self, heading: str, sections: Sequence[Section]) -> None:
        self.query_one("#definition-heading", Static).update(Content(heading))
        body = Content("\n").join(self._section(section) for section in sections)
        self.query_one("#definition-body", Static).update(body)
        self.scroll_home(animate=False)

    @staticmethod
    def _section(section: Section) -> Content:
        title = Content.styled(section.title, "bold $accent")
        if len(section.lines) == 1:
            return Content.assemble(title, ": ", section.lines[0])
        lines = [Content.assemble("  ", line) for line in section.lines]
        return Content("\n").join([title, *lines])
