"""The warm server's child (app.cli.warm_server): it becomes the caller — its standard
streams, folder, environment, umask and stream encodings — and runs the same
`app.cli.main.main(argv)` a cold start runs. Once the settings are read it tells the caller its
pid, or hands the command back to run cold (warm_cli is off, or the command is not one that
runs warm)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys

from app.cli.textual_env import reread_textual_environment
from app.cli.warm_client import send_message
from app.cli.warm_control import BOARD_COMMANDS, WARM_COMMANDS


def run_child(connection: socket.socket, asked: dict, fds: list[int]) -> None:
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _become_the_caller(asked, fds)
        code = _run_command(connection, asked["argv"])
    except SystemExit as exiting:
        code = exiting.code if isinstance(exiting.code, int) else 1
    except KeyboardInterrupt:  # before main took over its own Ctrl-C
        code = 130
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _become_the_caller(asked: dict, fds: list[int]) -> None:
    os.setsid()  # its own session: the server's signals and hang-ups are not the command's
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(asked["cwd"])
    os.umask(asked["umask"])
    os.environ.clear()
    os.environ.update(asked["env"])
    reread_textual_environment()
    import locale

    with contextlib.suppress(locale.Error):
        locale.setlocale(locale.LC_CTYPE, "")
    (in_enc, in_err), (out_enc, out_err), (err_enc, err_err) = asked["streams"]
    sys.stdin = sys.__stdin__ = _stream(0, "r", in_enc, in_err, line=False)
    sys.stdout = sys.__stdout__ = _stream(1, "w", out_enc, out_err, line=os.isatty(1))
    sys.stderr = sys.__stderr__ = _stream(2, "w", err_enc, err_err, line=True)
    sys.argv = ["storycart", *asked["argv"]]


def _stream(fd: int, mode: str, encoding: str, errors: str, line: bool):
    """A standard stream on the caller's descriptor, encoding as the caller's does."""
    buffering = 1 if line else -1
    return open(fd, mode, buffering, encoding, errors, closefd=False)


def _run_command(connection: socket.socket, argv: list[str]) -> int:
    from app.cli.main import main

    def on_settings(settings, command: str) -> bool:
        board = command in BOARD_COMMANDS and os.isatty(0) and os.isatty(1)
        if settings.warm_cli and (command in WARM_COMMANDS or board):
            send_message(connection, {"pid": os.getpid()})
            return True
        send_message(connection, {"cold": command})
        return False

    return main(argv, on_settings=on_settings)
