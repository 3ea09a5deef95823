"""Starting, keeping and stopping warm servers (app.cli.warm_server), and which commands run
warm: what the cold command line, the daemon and the test suite call. Only the standard
library: nothing here imports the server's preloads."""

from __future__ import annotations

import os
import socket
import sys
import time

from app.cli.warm_client import checkout_root, send_message

# The command groups scripts and monitors call, short and never a server; and the board ("" or
# `run`) when it has a terminal.
WARM_COMMANDS = frozenset(
    {
        "incident", "status", "metrics", "follow-ups", "alert", "settings", "policy",
        "maintenance", "oncall", "story", "export", "import", "db",
    }
)  # fmt: skip
BOARD_COMMANDS = frozenset({"", "run"})


def spawn(path: str, keep_while: int | None = None) -> None:
    """Start a server for `path` in the background, detached from the caller's terminal,
    session and output; when one is already starting, it steps aside by itself. With
    `keep_while` (the daemon's pid) it does not end for idleness while that process lives."""
    import subprocess

    keep = ["--keep-while", str(keep_while)] if keep_while else []
    with open(os.devnull, "rb") as nothing_in, open(os.devnull, "wb") as nothing_out:
        subprocess.Popen(
            [sys.executable, "-m", "app.cli.warm_server", path, *keep],
            cwd=checkout_root(),
            stdin=nothing_in,
            stdout=nothing_out,
            stderr=nothing_out,
            start_new_session=True,
        )


def keep_warm(path: str, pid: int, spawning: bool = True) -> None:
    """Have the server on `path` stay while process `pid` lives: tell the running one, or
    start one (`spawning`); a server still starting is told once it listens (up to 60 s)."""
    deadline = time.monotonic() + (0 if spawning else 60)
    while True:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(path)
            send_message(connection, {"keep_while": pid})
            return
        except OSError:
            if spawning:
                spawn(path, keep_while=pid)
                return
            if time.monotonic() > deadline:
                return
            time.sleep(0.2)
        finally:
            connection.close()


def stop_server(path: str) -> bool:
    """Ask the server on `path` to end once its running commands have; False when none
    listens there."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        send_message(connection, {"stop": True})
        connection.recv(1)  # it closes the connection as it stops
    except OSError:
        return False
    finally:
        connection.close()
    return True
