"""The warm path of the `storycart` command: hand the command to a warm server (a process that
has already imported Story Cart, app.cli.warm_server) and wait for its exit code.

A cold `storycart incident list` spends about a second importing SQLAlchemy, SQLModel and
pydantic before it reads a row. The warm server forks a child that runs the very same
`app.cli.main.main(argv)`, on this process's stdin, stdout and stderr (passed over the socket),
in its working directory and with its environment, so a command behaves the same either way,
only sooner. Only the standard library is imported here: this runs before anything else.

The server listens on a Unix socket in a directory only this user can enter; its name is a
hash of the code it runs (every source file's size and time, the interpreter and the installed
packages), so a changed checkout or an upgrade never meets an old server.
"""

from __future__ import annotations

import _socket  # socket.py's enums cost more to import than the rest of this module
import array
import contextlib
import json
import os
import signal
import struct
import sys
import zlib

# Signals a user sends to "the command" reach the child that runs it; so do the terminal's
# resize and a stop (the board suspends itself, then says so) and the shell's "continue".
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
PASSED_ON = (*FORWARDED_SIGNALS, signal.SIGWINCH, signal.SIGTSTP, signal.SIGCONT)
_SOURCE_PACKAGES = ("app", "storage")
_HEADER = struct.Struct("!I")
_MAX_SOCKET_PATH = 104  # sun_path: 108 bytes on Linux, 104 on macOS


def socket_dir() -> str:
    """/tmp/storycart-<uid> (or under $TMPDIR): the same for every environment a command runs
    in, so one warm server serves every data dir and database of this user."""
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", f"storycart-{os.getuid()}")


def private_dir(path: str) -> bool:
    """True when `path` is a real directory owned by this user that nobody else can enter."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        os.path.isdir(path)
        and not os.path.islink(path)
        and (info.st_uid == os.getuid() and info.st_mode & 0o077 == 0)
    )


def checkout_root() -> str:
    """The folder holding the `app` and `storage` packages."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def code_stamp(root: str | None = None) -> str:
    """What the server's imports depend on: the sources under `root` (this checkout), the
    interpreter and its packages folders. A cache key, not a signature: the folder is
    private, so two checksums of the whole description are enough."""
    root = root or checkout_root()
    parts = [f"{sys.executable}|{sys.version}|{root}|{sys.flags.utf8_mode}"]
    for package in _SOURCE_PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(root, package)):
            dirs[:] = sorted(name for name in dirs if name != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    info = os.stat(os.path.join(folder, name))
                    parts.append(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns}")
    for entry in sys.path:  # an install or upgrade changes its packages folder
        if entry.endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
            parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
    text = "\n".join(parts).encode()
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}"


def socket_path() -> str | None:
    """Where the server for this code listens; None when the folder's name is too long for
    a socket's (a deep $TMPDIR) or the system cannot fork: then commands run cold."""
    if not hasattr(os, "fork"):
        return None
    path = os.path.join(socket_dir(), f"cli-{code_stamp()}.sock")
    return path if len(path.encode()) < _MAX_SOCKET_PATH else None


def send_message(connection, message: dict, fds: list[int] | None = None) -> None:
    """One length-prefixed JSON message, with open file descriptors riding along."""
    body = json.dumps(message).encode()
    rights = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    data = _HEADER.pack(len(body)) + body
    sent = connection.sendmsg([data], rights)
    if sent < len(data):
        connection.sendall(data[sent:])


def read_exactly(connection, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the warm server closed the connection")
        data += chunk
    return data


def read_message(connection) -> dict:
    (size,) = _HEADER.unpack(read_exactly(connection, _HEADER.size))
    return json.loads(read_exactly(connection, size))


def request(argv: list[str]) -> dict:
    """What the child needs to be this process: its arguments, place, environment and how its
    standard streams encode text."""
    umask = os.umask(0)
    os.umask(umask)
    streams = (sys.stdin, sys.stdout, sys.stderr)
    return {
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": umask,
        "streams": [
            [getattr(s, "encoding", None) or "utf-8", getattr(s, "errors", None) or "strict"]
            for s in streams
        ],
    }


def run_warm(argv: list[str]) -> int | None:
    """The command's exit code when a warm server ran it; None when none could (no server for
    this code, a command it does not take, warm_cli turned off): run it here then."""
    if not hasattr(os, "fork"):  # Windows: no fork, no Unix socket folders; always cold
        return None
    directory = socket_dir()
    if not private_dir(directory):
        return None
    path = socket_path()
    if path is None:
        return None
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.connect(path)
        send_message(connection, request(argv), [0, 1, 2])
        answer = read_message(connection)
    except (OSError, ValueError):
        connection.close()
        return None
    except KeyboardInterrupt:  # before the command said who it is: the server hangs it up
        connection.close()
        return 130
    if "cold" in answer:  # the server said: run it yourself
        connection.close()
        return None
    if "pid" not in answer:  # it ended before it read its settings (a usage error, --help)
        connection.close()
        return _ended(answer)
    return _ended(_wait_for(connection, answer["pid"]))


def _wait_for(connection, pid: int) -> dict:
    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in PASSED_ON:
        signal.signal(signum, forward)
    try:
        while "stopped" in (message := read_message(connection)):
            # The command stopped itself (the board suspended): stop here too, so the shell
            # takes the terminal back; its `fg` continues this process, which continues it.
            os.kill(os.getpid(), signal.SIGSTOP)
        return message
    except (OSError, ValueError):
        print("storycart: the warm server stopped before the command ended.", file=sys.stderr)
        return {"exit": 1}
    finally:
        connection.close()


def _ended(ended: dict) -> int:
    if ended.get("signal") in FORWARDED_SIGNALS:  # end as the command ended, as a shell sees
        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), ended["signal"])
    if "signal" in ended:
        return 128 + ended["signal"]
    return int(ended["exit"])
