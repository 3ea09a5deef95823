"""Quitting while escalations are being fired: the real app in pseudo-terminals, the real daemon,
stopped at random moments while their sweeps, wake-ups and deliveries are under way. Whatever
was in flight is cancelled or finished quietly: the terminal shows no traceback afterwards, and
the exit status is 0.

The database holds BUSY_INCIDENTS open incidents whose ladders page every second for minutes,
so every wake-up has work to do. A keeper daemon runs throughout (as on a team's server): it
keeps the ladders current, so each process under test starts with a short catch-up and then
races it for every step (fired exactly once), and the board's quit question does not come up
(another watcher is alive). 50 quits: 42 boards and 8 drills, RUN_AT_ONCE at a time, each
quitting 0–3 s after its screen showed it was up (the start-up sweep, then steady passes)."""

from __future__ import annotations

import contextlib
import os
import random
import select
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.domain.clock import SystemClock
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from app.services.watchers import WatcherService
from storage.database import Database
from tests.cli.test_postmortem_kill import STORYCART, Terminal

# Real processes timed from outside: one worker runs them all in turn, so that the clean-exit
# test's six apps and keeper daemon never share the machine with another app's start-up clock.
pytestmark = pytest.mark.xdist_group("real_terminals")


BUSY_INCIDENTS = 30
BOARDS = 42
DRILLS = 8
RUN_AT_ONCE = 6
DAEMON_STOPS = 10
DAEMONS_AT_ONCE = 5
QUIT_WITHIN_S = 20.0
# What a clean exit never prints.
NOISE = ("Traceback", "raised an exception", "CancelledError", "Task was destroyed")

# Two steps a second apart, starting once the keeper is up, in rounds a second apart: each
# incident pages about every two seconds for minutes.
BUSY_POLICY = """
[policy]
name = "busy"
scheme = "SEV"
title = "Busy"

[[severities]]
key = "SEV-1"
name = "Critical"
response = "1h"
update_every = "1h"
rounds = 100
repeat_after = "1s"

[[types]]
key = "service"
name = "Service"

[[ladder]]
severity = "SEV-1"
after = "10s"
notify = ["On-call"]

[[ladder]]
severity = "SEV-1"
after = "11s"
unless = ["acknowledged"]
notify = ["Tech lead"]
"""

CTRL_Q = b"\x11"


class Busy:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.policy = folder / "busy.toml"
        self.url = f"sqlite:///{folder / 'busy.db'}"
        self.args = ["--db", self.url, "--policy-file", str(self.policy), "--policy", "busy"]
        self.env = {
            **os.environ,
            "TEXTUAL_ANIMATIONS": "none",
            "TERM": "xterm-256color",
            "TEXTUAL_DISABLE_KITTY_KEY": "1",
            "STORYCART_USER": "민지",
            "HOME": str(folder),  # the drills' folders, the daemon log: all in here
        }

    def seed(self) -> None:
        self.policy.write_text(BUSY_POLICY)
        database = Database.open(self.url)
        try:
            clock = SystemClock()
            policy = load_policies(policy_sources(None, [self.policy])).get("busy")
            service = IncidentService(database, clock, PolicyVersions(database, clock))
            for number in range(BUSY_INCIDENTS):
                service.declare(policy, title=f"결제 장애 {number}", severity="SEV-1", actor="민지")
        finally:
            database.close()

    def watchers(self) -> list:
        database = Database.open(self.url)
        try:
            return WatcherService(database, SystemClock()).current()
        finally:
            database.close()

    def watcher_pids(self) -> set[int]:
        return {watcher.pid for watcher in self.watchers()}

    def has_swept(self, pid: int) -> bool:
        """The process recorded a pass after it started: its start-up sweep is done."""
        return any(w.pid == pid and w.last_pass_at > w.started_at for w in self.watchers())


@pytest.fixture
def busy(tmp_path_factory):
    """The busy database, with the keeper daemon watching it: seeded for each test (its
    ladders page for about three minutes from then, so not for the test after)."""
    place = Busy(tmp_path_factory.mktemp("busy"))
    place.seed()
    keeper = subprocess.Popen(
        [*STORYCART, "daemon", *place.args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=place.env,
    )
    try:
        wait_until(lambda: keeper.pid in place.watcher_pids(), "the keeper daemon never watched")
        yield place
    finally:
        keeper.send_signal(signal.SIGTERM)
        keeper.wait(timeout=30)


def wait_until(condition, failure: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.1)


class Run:
    """One app in a pseudo-terminal: up once `ready` is on its screen, then quit after a
    random moment."""

    def __init__(self, command: list[str], env: dict[str, str], ready: str, wait_s: float):
        self.terminal = Terminal(command, env)
        self.ready = ready.encode("utf-8")
        self.wait_s = wait_s
        self.started = time.monotonic()
        self.quit_at: float | None = None
        self.quit_sent: float | None = None
        self.code: int | None = None

    def step(self) -> bool:
        """Read what is on the screen, quit when it is time; True once the process ended."""
        terminal, now = self.terminal, time.monotonic()
        if self.quit_at is None and self.ready in terminal.seen:
            self.quit_at = now + self.wait_s
        if self.quit_at is not None and self.quit_sent is None and now >= self.quit_at:
            os.write(terminal.master, CTRL_Q)
            self.quit_sent = now
        self.code = terminal.process.poll()
        if self.code is not None:
            terminal.drain(0.2)  # what it printed last
            os.close(terminal.master)
            return True
        limit = (self.quit_sent or self.started) + (QUIT_WITHIN_S if self.quit_sent else 90)
        if now > limit:
            terminal.process.kill()
            terminal.process.wait(timeout=10)
            self.code = "stuck after ctrl+q" if self.quit_sent else "never came up"
            os.close(terminal.master)
            return True
        return False

    def read(self) -> None:
        with contextlib.suppress(OSError):  # the process has gone
            self.terminal.seen += os.read(self.terminal.master, 65536)

    def printed(self) -> str:
        return self.terminal.seen.decode("utf-8", "replace")


def run_all(starts: list, at_once: int) -> list[Run]:
    """Start each (a callable making a Run) with at most ``at_once`` running; all finished."""
    waiting, running, done = list(starts), [], []
    while waiting or running:
        while waiting and len(running) < at_once:
            running.append(waiting.pop(0)())
        masters = {run.terminal.master: run for run in running}
        for master in select.select(list(masters), [], [], 0.05)[0]:
            masters[master].read()
        for run in list(running):
            if run.step():
                running.remove(run)
                done.append(run)
    return done


def problems(runs: list[Run]) -> list[str]:
    found = []
    for run in runs:
        printed = run.printed()
        noise = [word for word in NOISE if word in printed]
        if run.code != 0 or noise:
            after = printed[printed.rfind("\x1b[?1049l") :][-2000:]  # after the alternate screen
            found.append(f"exit {run.code}, {noise}, quit after {run.wait_s:.2f} s: {after!r}")
    return found


def test_quitting_the_board_and_drills_mid_sweep_prints_nothing(busy, tmp_path):
    chance = random.Random()

    def board():
        return Run([*STORYCART, *busy.args], busy.env, "INC-", chance.uniform(0, 3))

    def drill():
        command = [*STORYCART, "drill", "start", "--speed", "600", "--dir", str(tmp_path)]
        return Run(command + busy.args[:2], busy.env, "DRILL", chance.uniform(0, 3))

    starts = [board] * BOARDS + [drill] * DRILLS
    chance.shuffle(starts)
    started = time.monotonic()
    runs = run_all(starts, RUN_AT_ONCE)
    took = time.monotonic() - started
    assert len(runs) == BOARDS + DRILLS
    assert problems(runs) == []
    print(f"{len(runs)} quits in {took:.1f} s")


def read_out(daemon: subprocess.Popen, seconds: float, until_a_line: bool = False) -> bytes:
    """What the daemon prints on stdout for ``seconds`` (its pipe never fills), or until its
    first whole line with ``until_a_line``; stops early once the daemon closed it."""
    deadline = time.monotonic() + seconds
    out = b""
    while time.monotonic() < deadline and not (until_a_line and b"\n" in out):
        if select.select([daemon.stdout], [], [], 0.05)[0]:
            read = os.read(daemon.stdout.fileno(), 65536)
            if not read:
                break
            out += read
    return out


def stop_one_daemon(busy: Busy, sent: signal.Signals, wait_s: float, swept: bool) -> list:
    """Start a daemon, send ``sent`` ``wait_s`` after its start-up sweep (``swept``: its first
    firing line or pass) or after its watcher row appeared (the sweep under way); what went
    wrong."""
    daemon = subprocess.Popen(
        [*STORYCART, "daemon", *busy.args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=busy.env,
    )
    deadline = time.monotonic() + 60
    if swept:  # its first firing, or (the keeper won every race) its first pass after it
        up = False
        while not up and time.monotonic() < deadline:
            up = b"\n" in read_out(daemon, 1, until_a_line=True) or busy.has_swept(daemon.pid)
    else:
        while not (up := daemon.pid in busy.watcher_pids()) and time.monotonic() < deadline:
            read_out(daemon, 0.1)
    if not up:
        daemon.kill()
        return [sent.name, swept, "never came up", daemon.communicate(timeout=10)[1]]
    read_out(daemon, wait_s)  # a random moment: sweeps, wake-ups, deliveries, passes under way
    daemon.send_signal(sent)
    try:
        _, err = daemon.communicate(timeout=QUIT_WITHIN_S)
    except subprocess.TimeoutExpired:
        daemon.kill()
        return [sent.name, swept, "stuck", daemon.communicate(timeout=10)[1]]
    said = err.decode("utf-8", "replace")
    noise = [word for word in NOISE if word in said]
    if daemon.returncode != 0 or noise or daemon.pid in busy.watcher_pids():
        # (still listed: its row does not say it stopped)
        return [sent.name, swept, wait_s, daemon.returncode, noise, said]
    return []


def test_daemon_stopped_at_random_moments_exits_cleanly(busy):
    """DAEMON_STOPS daemons, DAEMONS_AT_ONCE at a time, each stopped by SIGTERM or SIGINT
    0–2 s after its watcher row appeared (the start-up sweep) or after it printed its first
    firing (steady sweeps, wake-ups, deliveries): no traceback, exit 0, its row says stopped."""
    chance = random.Random()
    stops = [
        (signal.SIGTERM if number % 2 else signal.SIGINT, chance.uniform(0, 2), number % 4 < 2)
        for number in range(DAEMON_STOPS)
    ]
    started = time.monotonic()
    with ThreadPoolExecutor(DAEMONS_AT_ONCE) as pool:
        found = list(pool.map(lambda stop: stop_one_daemon(busy, *stop), stops))
    took = time.monotonic() - started
    assert [problem for problem in found if problem] == []
    print(f"{len(found)} daemon stops in {took:.1f} s")
