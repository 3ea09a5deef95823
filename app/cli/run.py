"""`storycart` / `storycart run`: the full-screen TUI."""

from __future__ import annotations

import os

from app.cli.textual_env import reread_textual_environment
from app.config import Settings
from app.domain.clock import SystemClock
from app.services.first_look import look_in_a_child
from app.services.policy_set import load_policies, policy_sources


def add_run_parser(commands, common) -> None:
    run = commands.add_parser(
        "run",
        parents=[common],
        help="open the TUI (the default)",
        description="Open the full-screen TUI.",
    )
    run.set_defaults(handler=cmd_run)


def cmd_run(settings: Settings, _args, kiosk: bool = False) -> int:
    if not settings.kitty_keyboard:
        os.environ["TEXTUAL_DISABLE_KITTY_KEY"] = "1"
        reread_textual_environment()
    policies = load_policies(policy_sources(settings.policy_dir, settings.policy_files))
    # Before Textual loads: a team server's look then runs on another core meanwhile.
    server_look = None if kiosk else look_in_a_child(settings.db_url, SystemClock(), policies)
    from app.tui import run_tui

    return run_tui(settings, policies, server_look, kiosk=kiosk)


def run_drill(settings: Settings, clock, policies, drill) -> int:
    """The TUI running a drill (`storycart drill start`): its settings already point at the
    drill database and reach nobody (app.cli.drill.drill_settings)."""
    if not settings.kitty_keyboard:
        os.environ["TEXTUAL_DISABLE_KITTY_KEY"] = "1"
        reread_textual_environment()
    from app.tui import StoryCartApp

    app = StoryCartApp(settings, clock=clock, policies=policies, drill=drill)
    app.run()
    return app.return_code or 0
