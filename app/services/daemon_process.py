"""Starting `storycart daemon` in the background, detached from the terminal that asked (the
board's quit question): the same database and settings file, its output appended to a log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.services.child_process import with_database


def daemon_command(config: Path | None, lang: str, intake: bool = False) -> list[str]:
    """`intake`: the daemon also serves the intake on its default address — for pages whose
    acknowledge links ([intake] public_url) would otherwise lead nowhere. The database is not
    on it (a password would show in `ps`): `start_daemon` hands it over in the environment."""
    command = [sys.executable, "-m", "app.cli", "daemon", "--lang", lang]
    if config is not None:
        command += ["--config", str(config)]
    if intake:
        command.append("--intake")
    return command


def start_daemon(command: list[str], log: Path, db_url: str) -> subprocess.Popen:
    """The daemon in a session of its own (closing the terminal does not stop it), reading
    nothing, writing to `log` (made 0600: its lines name incidents), on the database `db_url`
    (given in its environment, never on its command line)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=descriptor,
            stderr=descriptor,
            start_new_session=True,
            close_fds=True,
            env=with_database(db_url),
        )
    finally:
        os.close(descriptor)
