"""Key bindings whose descriptions come from the message catalog of the chosen language."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.theme import ThemeProvider

from app.domain.i18n import Catalog
from widgets.keys import bind_localized

__all__ = ["bind_localized", "command_palette", "localize_palette_binding", "textual_commands"]


def localize_palette_binding(app: App, catalog: Catalog) -> None:
    """Textual adds its command-palette key and ctrl+q in App.__init__ with English labels;
    same keys, actions and priority, in the user's language."""
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
    # Textual's own ctrl+q quits from everywhere, forms too (where `q` is typing): said in the
    # user's language beside `q` in the footer and the help screen.
    app._bindings.key_to_bindings["ctrl+q"] = [
        Binding("ctrl+q", "quit", catalog.t("binding.quit"), show=False, priority=True)
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
