"""Key bindings whose descriptions come from the message catalog of the chosen language."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from app.i18n import Catalog


def bind_localized(node: DOMNode, catalog: Catalog, specs: Iterable[tuple]) -> None:
    """Bind (keys, action, catalog key of the description, show in footer[, priority]).
    A footer label kept short has its full name under `<key>_long`, shown by the help screen.

    Textual's BINDINGS are class-level and English-only; the footer must speak the user's
    language, so the bindings are added per instance, the way App.bind does it.
    """
    for keys, action, description_key, show, *priority in specs:
        description = catalog.t(description_key)
        for key in (key.strip() for key in keys.split(",")):
            # BindingsMap.bind() has no tooltip; the same Binding it would make, with one.
            node._bindings.key_to_bindings.setdefault(key, []).append(
                Binding(
                    key,
                    action,
                    description,
                    show=bool(show),
                    tooltip=catalog.get(f"{description_key}_long") or "",
                    priority=bool(priority and priority[0]),
                )
            )


def localize_palette_binding(app: App, catalog: Catalog) -> None:
    """Textual adds its command-palette key in App.__init__ with an English label; same key,
    action and priority, in the user's language."""
    key = app.COMMAND_PALETTE_BINDING
    app._bindings.key_to_bindings[key] = [
        Binding(
            key,
            "command_palette",
            catalog.t("binding.palette"),
            show=False,
            key_display=app.COMMAND_PALETTE_DISPLAY,
            priority=True,
            tooltip=catalog.t("command.palette_tooltip"),
        )
    ]
