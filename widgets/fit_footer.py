"""The footer every screen shows: Textual's compact Footer, except that a binding whose label
does not fit beside the command palette's key is dropped whole instead of cut through a letter
(or through a wide Korean or Japanese character). The footer lays its keys out in a row; once
they are laid out, each key that would reach under the palette's key, and every key after it,
is hidden. The help screen (?) lists them all."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer


class FitFooter(Footer):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)

    def _fit(self, tries: int = 3) -> None:
        """Hide the keys that do not fit whole, in the footer's order; until the keys are laid
        out (a footer composed on a screen that is not shown), try again after a refresh."""
        shown = [child for child in self.children if child.display]
        if not shown or not all(child.region for child in shown):
            if tries:
                self.call_after_refresh(self._fit, tries - 1)
            return
        right = self.content_region.right
        for child in shown:
            if child.has_class("-command-palette"):
                right = child.region.x
        full = False
        for child in shown:
            if not child.has_class("-command-palette"):
                full = full or child.region.right > right
                child.display = not full

    def _fit_after_layout(self) -> None:
        self.call_after_refresh(self._fit)

    async def recompose(self) -> None:
        await super().recompose()
        self._fit_after_layout()

    def on_resize(self, _event: events.Resize) -> None:
        for child in self.children:
            child.display = True
        self._fit_after_layout()

    def on_show(self, _event: events.Show) -> None:
        self._fit_after_layout()
