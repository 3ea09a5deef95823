"""The `storycart` command: one module per command group, each adding its own subparsers."""

from app.cli.main import main

__all__ = ["main"]
