"""One kiosk slide: a small heading, a title, then either paragraphs (already broken into the
lines of this page) or boxed blocks (prompt cards, near misses, follow-ups, matrix rows), and a
note. The widgets are made once and updated in place, so weeks of rotation allocate nothing
that stays."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Static

from app.domain.kiosk_playlist import SlideText
from widgets.diagram_view import DiagramView

BLOCKS = 8


class KioskSlide(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(id="kiosk-heading")
        yield Static(id="kiosk-title")
        yield Static(id="kiosk-body")
        yield Vertical(id="kiosk-diagram")
        with Grid(id="kiosk-blocks"):
            for _ in range(BLOCKS):
                yield Static(classes="kiosk-block")
        yield Static(id="kiosk-note")

    shown_diagram = None

    def show(self, slide: SlideText, lines: list[str], diagram=None) -> None:
        """``diagram``: the (diagram, picture, note) of this page of a diagrams slide."""
        self._show_diagram(diagram)
        self.query_one("#kiosk-heading", Static).update(Content(slide.heading))
        self.query_one("#kiosk-title", Static).update(Content(slide.title))
        body = self.query_one("#kiosk-body", Static)
        body.update(Content("\n".join(lines)))
        body.display = bool(lines)
        blocks = list(self.query(".kiosk-block").results(Static))
        items = list(slide.blocks)
        if len(items) > BLOCKS:  # more than fits: the last box lists the rest
            rest = items[BLOCKS - 1 :]
            items = [*items[: BLOCKS - 1], ("…", "\n".join(title for title, _ in rest))]
        for block, item in zip(blocks, items + [None] * (BLOCKS - len(items)), strict=True):
            block.display = item is not None
            if item is not None:
                title, text = item
                block.update(Content.assemble((title, "bold"), "\n", text))
        self.query_one("#kiosk-blocks").display = bool(items)
        self.query_one("#kiosk-note", Static).update(Content(slide.note))

    def _show_diagram(self, diagram) -> None:
        box = self.query_one("#kiosk-diagram", Vertical)
        box.display = diagram is not None
        if diagram is self.shown_diagram:
            return  # the same page again (a resize): nothing to rebuild
        self.shown_diagram = diagram
        box.remove_children()
        if diagram is not None:
            box.mount(DiagramView(*diagram))
