"""Key bindings whose descriptions come from the message catalog of the chosen language."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.screen import Screen
from textual.theme import ThemeProvider

from app.domain.i18n import Catalog


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


def textual_commands(app: App, screen: Screen, catalog: Catalog) -> Iterator[SystemCommand]:
    """The commands Textual itself puts in the palette (App.get_system_commands), with the same
    actions, said in the user's language."""

    def command(key: str, callback) -> SystemCommand:
        return SystemCommand(
            catalog.t(f"command.{key}"), catalog.t(f"command.{key}_help"), callback
        )

    yield command("theme", lambda: search_themes(app, catalog))
    yield command("quit", app.action_quit)
    if screen.query("HelpPanel"):
        yield command("keys_hide", app.action_hide_help_panel)
    else:
        yield command("keys_show", app.action_show_help_panel)
    if screen.maximized is not None:
        yield command("minimize", screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield command("maximize", screen.action_maximize)
    yield command("screenshot", lambda: app.set_timer(0.1, app.action_save_screenshot))


def command_palette(catalog: Catalog) -> CommandPalette:
    return CommandPalette(placeholder=catalog.t("command.search"), id="--command-palette")


def search_themes(app: App, catalog: Catalog) -> None:
    app.push_screen(
        CommandPalette(providers=[ThemeProvider], placeholder=catalog.t("command.search_themes"))
    )
