"""Textual's TEXTUAL_* variables, read again after the environment changed."""

from __future__ import annotations

import importlib
import sys


def reread_textual_environment() -> None:
    """Textual reads its TEXTUAL_* variables when first imported; a warm child imported it
    under the server's environment, so it reads them again under its caller's."""
    constants = sys.modules.get("textual.constants")
    if constants is not None:
        importlib.reload(constants)
