"""The `storycart` command: one module per command group, each adding its own subparsers.

`main` first offers the command to a warm server (app.cli.warm_client); when none takes it,
it runs here, cold, and starts one for the next command when the command is one it takes.
Nothing heavy is imported before that choice.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        from app.cli.warm_client import run_warm

        code = run_warm(words)
        if code is not None:
            return code
        from app.cli.main import main as run_here

        return run_here(words, on_settings=_warm_next_time)
    except KeyboardInterrupt:  # Ctrl+C before the board took the keyboard: no traceback
        return 130


def _warm_next_time(settings, command: str) -> bool:
    """Start a warm server for the next command; a board keeps it while it is open."""
    import os

    from app.cli.warm_client import socket_path
    from app.cli.warm_control import BOARD_COMMANDS, WARM_COMMANDS, keep_warm, spawn

    path = socket_path()
    if not settings.warm_cli or path is None:
        return True
    if command in BOARD_COMMANDS and os.isatty(0) and os.isatty(1):
        keep_warm(path, os.getpid())
    elif command in WARM_COMMANDS:
        spawn(path)
    return True


__all__ = ["main"]
