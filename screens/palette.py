"""The command palette: the app's own entries (go to a screen, the kiosk, print, switch or reload
policies, help), the entries offered on every screen and those of the screen on top, then
Textual's, all in the user's language."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from textual.app import App, SystemCommand
from textual.screen import Screen

from app.domain.i18n import Catalog
from app.services.policy_set import tier_key
from screens import anywhere_actions
from screens.base import StoryCartScreen
from screens.localized import textual_commands


def palette_commands(app: App, screen: Screen, catalog: Catalog) -> Iterator[SystemCommand]:
    def command(key: str, callback) -> SystemCommand:
        return SystemCommand(
            catalog.t(f"command.{key}"), catalog.t(f"command.{key}_help"), callback
        )

    yield command("board", app.action_show_board)
    yield command("matrix", app.action_show_matrix)
    yield command("library", app.action_show_library)
    yield command("week", app.action_show_week)
    yield command("metrics", app.action_show_metrics)
    yield command("follow_ups", app.action_show_follow_ups)
    yield command("oncall", app.action_show_oncall)
    yield command("curator", app.action_show_curator)
    yield command("training", app.action_show_training)
    yield SystemCommand(
        catalog.t("kiosk.command"), catalog.t("kiosk.command_help"), app.action_kiosk
    )
    yield SystemCommand(
        catalog.t("print.command"), catalog.t("print.command_help"), app.action_print
    )
    if isinstance(screen, StoryCartScreen):
        for key, callback in chain(anywhere_actions.commands(screen), screen.palette_commands()):
            yield command(key, callback)
    if getattr(app, "drill_run", None) is not None:
        for key, callback in app.drills.palette():
            yield command(key, callback)
    else:
        yield command("drill_start", app.action_start_drill)
    policies = app.policies
    for name, policy in policies.policies.items():
        yield SystemCommand(
            catalog.t("command.use_policy", title=policy.title.get(catalog.lang)),
            catalog.t(
                "command.use_policy_help",
                name=name,
                source=catalog.t(tier_key(policies.tiers[name])),
            ),
            lambda name=name: app.action_use_policy(name),
        )
    yield command("reload", app.action_reload_policies)
    yield command("help", app.action_help)
    yield from textual_commands(app, screen, catalog)
