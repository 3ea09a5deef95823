"""Starting `storycart daemon` in the background, detached from the terminal that asked (the
board's quit question): the same database and settings file, its output appended to a log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def daemon_command(db_url: str, config: Path | None, lang: str, intake: bool = False) -> list[str]:
    """`intake`: the daemon also serves the intake on its default address — for pages whose
    acknowledge links ([intake] public_url) would otherwise lead nowhere."""
    command = [sys.executable, "-m", "app.cli", "daemon", "--db", db_url, "--lang", lang]
    if config is not None:
        command += ["--config", str(config)]
    if intake:
        command.append("--intake")
    return command


def start_daemon(command: list[str], log: Path) -> subprocess.Popen:
    """The daemon in a session of its own (closing the terminal does not stop it), reading
    nothing, writing to `log` (made 0600: its lines name incidents)."""
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
        )
    finally:
        os.close(descriptor)
