"""Where Story Cart keeps its files, from platformdirs. Nothing is created here: the database
file and its folder are created by storage when the app first opens them."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "storycart"


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def default_db_url(directory: Path | None = None) -> str:
    return f"sqlite:///{(directory or data_dir()) / 'storycart.db'}"
