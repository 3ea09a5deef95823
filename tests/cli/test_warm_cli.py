"""The warm server (app.cli.warm_server): after the first command scripts call, the next ones run
in a forked child of a process that has already imported Story Cart — with the caller's streams,
folder, environment and exit code, and Ctrl-C reaching the command. Real processes; each test
has its own $TMPDIR, so its own server, stopped at the end."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import pytest

from app.cli.warm_client import code_stamp, private_dir
from app.cli.warm_control import stop_server
from tests.procfs import children_of, pids_with

STORYCART = [sys.executable, "-m", "app.cli"]


class Home:
    """A user's environment with its own socket folder ($TMPDIR, short: a socket path has
    about 100 bytes) and database."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tempfile.mkdtemp(prefix="scw-", dir="/tmp")
        self.env = {**os.environ, "TMPDIR": self.tmp}
        self.db = ["--db", f"sqlite:///{tmp_path / 'warm.db'}", "--lang", "en"]
        self.folder = Path(self.tmp) / f"storycart-{os.getuid()}"

    def run(self, *args: str, **options) -> subprocess.CompletedProcess:
        return self.python("-m", "app.cli", *args, **options)

    def timed_imports(self, *args: str, **options) -> subprocess.CompletedProcess:
        """`storycart ARGS` under `python -X importtime`: stderr lists what the caller imported."""
        return self.python("-X", "importtime", "-m", "app.cli", *args, **options)

    def python(self, *args: str, env: dict | None = None, **options) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=60,
            **options,
        )

    def sockets(self) -> list[Path]:
        return sorted(self.folder.glob("cli-*.sock")) if self.folder.exists() else []

    def until_warm(self) -> Path:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for path in self.sockets():
                with socket.socket(socket.AF_UNIX) as probe:
                    try:
                        probe.connect(str(path))
                        return path
                    except OSError:
                        pass
            time.sleep(0.05)
        raise AssertionError("no warm server answered within 60 s")

    def server_pids(self) -> list[int]:
        return pids_with(f"app.cli.warm_server {self.folder}")

    def stop(self) -> None:
        for path in self.sockets():
            stop_server(str(path))


@pytest.fixture
def home(tmp_path):
    made = Home(tmp_path)
    yield made
    made.stop()


def imported(stderr: str) -> set[str]:
    """The modules a process imported, from its `python -X importtime` report."""
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if "|" in line}


def test_a_command_after_the_first_runs_warm_and_answers_as_a_cold_one(home):
    first = home.run("incident", "declare", "--title", "결제 지연", "--severity", "SEV-2", *home.db)
    assert first.returncode == 0, first.stderr
    code = first.stdout.strip()
    home.until_warm()

    warm = home.timed_imports("incident", "list", "--json", *home.db)
    cold = home.timed_imports(
        "incident", "list", "--json", *home.db, env={"STORYCART_WARM_CLI": "0"}
    )
    assert warm.returncode == cold.returncode == 0
    assert _without_countdowns(warm.stdout) == _without_countdowns(cold.stdout)
    assert json.loads(warm.stdout)[0]["id"] == code
    # The caller of a warm command never loads the ORM; a cold one does.
    assert "sqlalchemy" not in imported(warm.stderr) and "app.cli.warm_client" in imported(
        warm.stderr
    )
    assert "sqlalchemy" in imported(cold.stderr)

    missing = home.run("incident", "show", "INC-1999-0001", *home.db)
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "storycart: There is no incident 'INC-1999-0001'.\n"
    usage = home.run("incident", "bogus", *home.db)
    assert usage.returncode == 2 and "invalid choice: 'bogus'" in usage.stderr
    acked = home.run("incident", "ack", code, "--actor", "민지", *home.db)
    assert acked.returncode == 0, acked.stderr
    shown = json.loads(home.run("incident", "show", code, "--json", *home.db).stdout)
    assert shown["acknowledged_at"] and shown["timeline"][-1]["actor"] == "민지"


def _without_countdowns(listing: str) -> list[dict]:
    """The incidents `incident list --json` printed, less the seconds left (read a moment
    apart)."""
    incidents = json.loads(listing)
    for incident in incidents:
        for deadline in incident["deadlines"]:
            deadline.pop("remaining_s")
    return incidents


def test_the_warm_command_works_in_the_callers_folder_language_and_input(home, tmp_path):
    assert home.run("incident", "declare", "--title", "지연", "--severity", "SEV-3", *home.db)
    home.until_warm()
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "ko.toml").write_text('lang = "ko"\n', "utf-8")
    db = home.db[:2]  # the language from the file or the environment, not --lang
    korean = home.run("incident", "list", "--config", "ko.toml", "--all", *db, cwd=folder)
    assert korean.returncode == 0 and "조사 중" in korean.stdout, korean
    japanese = home.run("story", "week", *db, env={"STORYCART_LANG": "ja"})
    assert "今週のストーリー" in japanese.stdout, japanese
    exported = home.run("export", "json", "-o", "library.json", *db, cwd=folder)
    assert exported.returncode == 0, exported.stderr
    assert json.loads((folder / "library.json").read_text("utf-8"))["stories"]

    key = json.loads(home.run("story", "list", "--json", *home.db).stdout)[0]["key"]
    drawn = home.run(
        "story", "diagram", key, "--text", "-", "--caption", "흐름", *home.db,
        input="[LB] --> [결제 API]\n",
    )  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr
    listed = json.loads(home.run("story", "diagram", key, "--json", *home.db).stdout)
    assert any("[결제 API]" in (item.get("text") or "") for item in listed), listed


def test_ctrl_c_reaches_the_warm_command_and_nothing_is_half_done(home, tmp_path):
    declared = home.run("incident", "declare", "--title", "Locked", "--severity", "SEV-3", *home.db)
    code = declared.stdout.strip()
    home.until_warm()
    [server] = home.server_pids()
    holder = sqlite3.connect(tmp_path / "warm.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # the ack waits for the database (5 s at most)
    try:
        ack = subprocess.Popen(
            [*STORYCART, "incident", "ack", code, *home.db],
            env=home.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not children_of(server) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert children_of(server), "the server forked no child for the ack"
        ack.send_signal(signal.SIGINT)
        _out, err = ack.communicate(timeout=60)
        assert ack.returncode == 130, err
        assert "Traceback" not in err
        assert not children_of(server)  # the server reported the child's end: it is gone
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    shown = json.loads(home.run("incident", "show", code, "--json", *home.db).stdout)
    assert shown["acknowledged_at"] is None


def test_turned_off_every_command_runs_cold_and_no_server_starts(home):
    off = {"STORYCART_WARM_CLI": "0"}
    for _ in range(2):
        listed = home.timed_imports("status", *home.db, env=off)
        assert "sqlalchemy" in imported(listed.stderr)
        # A server would have been started (exec'd) before the command returned.
        assert home.server_pids() == [] and home.sockets() == []
    refused = home.run("status", *home.db, env={"STORYCART_WARM_CLI": "maybe"})
    assert refused.returncode == 1
    assert refused.stderr == (
        "storycart: STORYCART_WARM_CLI must be 1 or 0 (true or false), not 'maybe'.\n"
    )


def test_commands_that_are_not_scripts_calls_run_cold(home):
    assert home.run("incident", "list", *home.db).returncode == 0
    home.until_warm()
    # `demo` (like the board, the daemon and the intake) is handed back by the child: cold.
    demo = home.timed_imports("demo", "--incidents", "1", *home.db)
    assert demo.returncode == 0, demo.stderr
    assert "sqlalchemy" in imported(demo.stderr)


def test_only_this_user_can_reach_the_server_and_it_ends_when_idle(home):
    assert home.run("status", *home.db).returncode in (0, 1)
    path = home.until_warm()
    assert home.folder.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    if os.geteuid() == 0 and Path("/usr/bin/python3").exists():  # another user: refused
        stranger = subprocess.run(
            [
                "/usr/bin/python3",
                "-c",
                f"import socket; socket.socket(socket.AF_UNIX).connect({str(path)!r})",
            ],
            user=65534,
            capture_output=True,
            text=True,
        )
        assert stranger.returncode != 0 and "PermissionError" in stranger.stderr

    idle_path = str(home.folder / "cli-idle.sock")
    idle = subprocess.Popen(
        [sys.executable, "-c", "import sys; from app.cli.warm_server import WarmServer; "
         f"WarmServer({idle_path!r}, idle_s=0.5).serve()"],
    )  # fmt: skip
    assert idle.wait(timeout=60) == 0
    assert not Path(idle_path).exists()


def test_a_changed_source_file_or_package_folder_names_another_server(tmp_path):
    for package in ("app", "storage"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "module.py").write_text("x = 1\n")
    before = code_stamp(str(tmp_path))
    assert code_stamp(str(tmp_path)) == before
    (tmp_path / "storage" / "module.py").write_text("x = 22\n")
    assert code_stamp(str(tmp_path)) != before

    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o755)
    open_folder.chmod(0o755)
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(private)
    assert private_dir(str(private))
    assert not private_dir(str(open_folder)) and not private_dir(str(link))


def test_while_the_daemon_runs_even_the_first_command_runs_warm(home):
    daemon = subprocess.Popen(
        [*STORYCART, "daemon", *home.db],
        env=home.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        path = home.until_warm()
        first = home.timed_imports("incident", "list", *home.db)
        assert first.returncode == 0, first.stderr
        assert "sqlalchemy" not in imported(first.stderr)
        # The server stays for the daemon's life, however long it idles.
        [server] = home.server_pids()
        cmdline = Path(f"/proc/{server}/cmdline").read_bytes().split(b"\0")
        assert cmdline[-3:-1] == [b"--keep-while", str(daemon.pid).encode()], cmdline
        assert path.exists()
    finally:
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err


def test_the_board_opens_warm_in_the_callers_terminal_follows_it_and_quits(home):
    assert home.run("incident", "list", *home.db).returncode == 0
    home.until_warm()
    pid, terminal = pty.fork()
    if pid == 0:  # the caller, in a terminal of its own; its imports are written to it
        os.execve(
            sys.executable,
            [sys.executable, "-X", "importtime", "-m", "app.cli", *home.db],
            {**home.env, "TERM": "xterm-256color", "COLUMNS": "", "LINES": ""},
        )
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    screen = Screen(terminal)
    try:
        screen.until(b"Incident board")
        assert b"app.cli.warm_client" in screen.seen  # the caller's imports, written first
        assert not re.search(rb"\| +(sqlalchemy|textual)\b", screen.seen)
        assert b"\x1b[50;1H" not in screen.seen  # 40 rows so far
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 100, 0, 0))
        os.kill(pid, signal.SIGWINCH)  # what the terminal sends its foreground process
        screen.until(b"\x1b[50;1H")  # the board drew its 50th row: it has the new size
        # Stopped from the terminal (as ctrl+z would in a shell): the board suspends, then the
        # caller stops too, so a shell would take the terminal back; continued, it redraws.
        os.kill(pid, signal.SIGTSTP)
        _pid, status = os.waitpid(pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)
        screen.seen = b""
        os.kill(pid, signal.SIGCONT)
        screen.until(b"Incident board")
        status = screen.quit(pid)
    finally:
        os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Traceback" not in screen.seen


class Screen:
    """What a pseudo-terminal's program wrote, read until a marker shows."""

    def __init__(self, terminal: int) -> None:
        self.terminal = terminal
        self.seen = b""

    def quit(self, pid: int) -> int:
        """Press ctrl+q (no open incident: no question) until the program ends, reading what
        it writes meanwhile (a full terminal would hold it); its wait status."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            os.write(self.terminal, b"\x11")
            pressed = time.monotonic()
            while time.monotonic() - pressed < 2:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    return status
                self.read(0.05)
        raise AssertionError("the board did not quit within 60 s")

    def read(self, seconds: float) -> None:
        if select.select([self.terminal], [], [], seconds)[0]:
            with contextlib.suppress(OSError):
                self.seen += os.read(self.terminal, 65536)

    def until(self, marker: bytes) -> None:
        deadline = time.monotonic() + 60
        while marker not in self.seen:
            assert time.monotonic() < deadline, f"{marker!r} never showed"
            self.read(0.1)
