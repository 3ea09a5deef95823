"""The warm server: one process per user and code version that has imported Story Cart once and
forks a child for each `storycart` command handed to it by app.cli.warm_client.

The child becomes the command's process in all that matters — the caller's stdin, stdout and
stderr, working directory, environment, umask and stream encodings — and runs the same
`app.cli.main.main(argv)` a cold start runs. It tells the caller its pid once the settings are
read (or that the command should run cold: warm_cli is off, or the command is not one scripts
call); the server reports how it ended. The server stays single-threaded, so a fork copies no
lock another thread holds, and it never opens a database: every child opens its own.

It serves only its own user (the socket's folder is private and each caller's uid is checked),
ends after IDLE_S with no command, and a second server for the same code steps aside.

    python -m app.cli.warm_server SOCKET_PATH
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import time

from app.cli.warm_child import run_child
from app.cli.warm_client import read_exactly, send_message
from app.cli.warm_control import keep_warm

IDLE_S = 600.0
# What those commands import when they run, imported once here instead of in every child.
PRELOAD = (
    "app.cli.main",
    "app.cli.incident",
    "app.cli.status",
    "app.cli.metrics",
    "app.cli.alert",
    "app.cli.settings",
    "app.cli.policy",
    "app.cli.maintenance",
    "app.cli.oncall",
    "app.cli.story",
    "app.cli.postmortem",
    "app.cli.database",
    "app.services.incident_service",
    "app.services.engine_report",
    "app.services.metrics_service",
    "app.services.library",
    "app.services.postmortem_service",
    "app.domain.incident_document",
    "app.domain.metrics_view",
    "storage.engine",
    "rich.cells",
    "app.tui",  # the board: Textual, the screens and widgets, and what its first read needs
    "app.services.bundle",
    "app.services.engine",
    "app.services.escalation_scheduler",
    "app.services.alert_delivery",
    "screens.library",
    "screens.story_screen",
    "textual.drivers.linux_driver",
    "textual.layouts.factory",
    "textual.scrollbar",
    "apscheduler.executors.asyncio",
    "app.services.team_feed",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",  # the team database's driver
    "psycopg",
)
_PEER_CREDENTIALS = struct.Struct("3i")  # pid, uid, gid


class _Stop(Exception):
    """A caller of this user asked the server to end (`stop_server`)."""


def _make_private_dir(directory: str) -> None:
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, 0o700)


class WarmServer:
    def __init__(self, path: str, idle_s: float = IDLE_S, keep_while: int | None = None) -> None:
        self.path = path
        self.idle_s = idle_s
        self.keep_while = keep_while
        self.children: dict[int, socket.socket] = {}
        self.selector = selectors.DefaultSelector()

    def serve(self) -> None:
        from app.cli.warm_client import private_dir

        directory = os.path.dirname(self.path)
        _make_private_dir(directory)
        if not private_dir(directory):
            return
        lock = open(self.path + ".lock", "a")  # held for the server's life  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another server for this code is up or starting
            if self.keep_while:
                keep_warm(self.path, self.keep_while, spawning=False)
            return
        for module in PRELOAD:
            importlib.import_module(module)
        # The ORM sets its mappers up at the first query of each process; once, here.
        importlib.import_module("sqlalchemy.orm").configure_mappers()
        if threading.active_count() != 1:
            return  # an import started a thread: forking would copy its locks
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        os.chmod(self.path, 0o600)
        bound = os.stat(self.path).st_ino  # a later server may bind the same name
        listener.listen(64)
        reaped_r, reaped_w = os.pipe()
        os.set_blocking(reaped_w, False)
        signal.set_wakeup_fd(reaped_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        self.selector.register(reaped_r, selectors.EVENT_READ, "reap")
        try:
            self._loop(listener, reaped_r)
        finally:
            with contextlib.suppress(FileNotFoundError):
                if os.stat(self.path).st_ino == bound:
                    os.unlink(self.path)
            listener.close()

    def _loop(self, listener: socket.socket, reaped_r: int) -> None:
        last_used = time.monotonic()
        stopping = False
        while True:
            if self._kept():
                last_used = time.monotonic()
            idle_left = last_used + self.idle_s - time.monotonic()
            if not self.children and (idle_left <= 0 or stopping):
                return
            for key, _events in self.selector.select(None if self.children else idle_left):
                if key.data == "accept":
                    try:
                        self._accept(listener, reaped_r)
                    except _Stop:  # take no more commands; end when the running ones have
                        stopping = True
                        self.selector.unregister(listener)
                    last_used = time.monotonic()
                elif key.data == "reap":
                    with contextlib.suppress(BlockingIOError):
                        os.read(reaped_r, 512)
                    self._reap()
                else:  # the caller went away before its command ended: hang up, as a terminal
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(key.data, signal.SIGHUP)
                    self.selector.unregister(key.fileobj)
            self._reap()

    def _kept(self) -> bool:
        """True while the process the server was started for (the daemon) still runs."""
        if self.keep_while is None:
            return False
        try:
            os.kill(self.keep_while, 0)
        except ProcessLookupError:
            self.keep_while = None
            return False
        except PermissionError:
            return True
        return True

    def _accept(self, listener: socket.socket, reaped_r: int) -> None:
        connection, _ = listener.accept()
        credentials = connection.getsockopt(
            socket.SOL_SOCKET, socket.SO_PEERCRED, _PEER_CREDENTIALS.size
        )
        if _PEER_CREDENTIALS.unpack(credentials)[1] != os.getuid():
            connection.close()
            return
        connection.settimeout(5)
        fds: list[int] = []
        try:
            data, fds, _flags, _addr = socket.recv_fds(connection, 1 << 20, 3)
            asked = _decoded(connection, data)
            if asked.get("stop"):
                connection.close()
                raise _Stop
            if asked.get("keep_while"):
                self.keep_while = int(asked["keep_while"])
                connection.close()
                return
            if len(fds) != 3:
                raise ValueError("the caller sent no streams")
            connection.settimeout(None)
        except (OSError, ValueError, struct.error):
            for fd in fds:
                os.close(fd)
            connection.close()
            return
        pid = os.fork()
        if pid == 0:
            self.selector.close()
            for fd in (listener, *self.children.values()):
                fd.close()
            os.close(reaped_r)
            run_child(connection, asked, fds)  # never returns
        for fd in fds:
            os.close(fd)
        self.children[pid] = connection
        self.selector.register(connection, selectors.EVENT_READ, pid)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG | os.WUNTRACED)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if os.WIFSTOPPED(status):  # the board suspended itself (ctrl+z): so does its caller
                with contextlib.suppress(OSError, KeyError):
                    send_message(self.children[pid], {"stopped": os.WSTOPSIG(status)})
                continue
            connection = self.children.pop(pid, None)
            if connection is None:
                continue
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(connection)
            ended = (
                {"signal": os.WTERMSIG(status)}
                if os.WIFSIGNALED(status)
                else {"exit": os.waitstatus_to_exitcode(status)}
            )
            with contextlib.suppress(OSError):
                send_message(connection, ended)
            connection.close()


def _decoded(connection: socket.socket, data: bytes) -> dict:
    """The request whose first part is `data` (a long environment may come in more parts)."""
    import json

    (size,) = struct.unpack("!I", data[:4])
    rest = 4 + size - len(data)
    return json.loads(data[4:] + (read_exactly(connection, rest) if rest > 0 else b""))


if __name__ == "__main__":
    keep_while = int(sys.argv[3]) if sys.argv[2:3] == ["--keep-while"] else None
    WarmServer(sys.argv[1], keep_while=keep_while).serve()
