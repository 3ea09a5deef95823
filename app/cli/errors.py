"""The one error type a command raises for the user: one sentence and an exit code.

In a module of its own so that it is the same class whether the CLI runs as `storycart` or as
`python -m app.cli` (where app/cli.py is __main__)."""

from __future__ import annotations


class CommandError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
