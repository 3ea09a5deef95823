"""The footer every screen shows: Textual's compact Footer, except that a binding whose label
does not fit beside the command palette's key is dropped whole instead of cut through a letter
(or through a wide Korean or Japanese character). The footer lays its keys out in a row; once
they are laid out, each key that would reach under the palette's key, and every key after it,
is hidden. The help screen (?) lists them all.

A screen's bindings "change" many times while it is pushed and focused (each focus move, each
refresh of the bindings): Textual's footer composes its keys again for every one. This one
composes them again once per refresh, and only when what it would show differs."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class FitFooter(Footer):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)
        self._composed: tuple | None = None  # what the keys shown were composed from
        self._recompose_asked = False

    def _shown(self) -> tuple | None:
        """What compose() would show: each binding's key, label, action, state and tooltip."""
        if not self._bindings_ready:
            return None
        return (
            self.show_command_palette,
            tuple(
                (binding.key, binding.description, binding.action, binding.show, enabled, tooltip)
                for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
            ),
        )

    def compose(self) -> ComposeResult:
        self._composed = self._shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._recompose_asked:
            return
        if self.is_attached and screen is self.screen:
            self._recompose_asked = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._recompose_asked = False
        if self.is_attached and self._shown() != self._composed:
            await self.recompose()

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
