"""The app's look: the Story Cart theme and its stylesheet (assets/storycart.tcss)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from textual.theme import Theme

STORYCART_THEME = Theme(
    name="storycart",
    primary="#3B6EA5",
    secondary="#5B8C5A",
    accent="#E0A458",
    warning="#E0A458",
    error="#D1495B",
    success="#5B8C5A",
    background="#15171C",
    surface="#1E2129",
    panel="#262A34",
    dark=True,
)

STYLES = Path(str(resources.files("assets") / "storycart.tcss"))
