"""`storycart drill …` as real processes: the shipped scenarios, a scenario file checked, bad
input refused in one sentence, and a whole drill in a terminal (a pty) at 60×: a monitor
declares a SEV-1, the ladder escalates on drill time — the lateness of every firing measured in
drill seconds — F12 ends it, and the score and the debrief PDF are read back from its folder."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from contextlib import closing
from datetime import datetime
from importlib import resources
from pathlib import Path

from pypdf import PdfReader

from tests.export.pdf_checks import squeeze

STORYCART = [sys.executable, "-m", "app.cli"]
SPEED = 60
STEPS = 10  # one a drill minute after the declaration


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*STORYCART, *args], capture_output=True, text=True, timeout=60, input=stdin
    )


def test_scenarios_are_listed_checked_and_mistakes_refused(tmp_path):
    listed = run("drill", "scenarios", "--lang", "ja").stdout.splitlines()
    assert len(listed) == 3 and "決済 API 障害" in listed[2] and "SEV-1" in listed[2]
    shipped = resources.files("assets") / "drills" / "data-leak.toml"
    checked = run("drill", "check", str(shipped), "--lang", "ko")
    assert checked.stdout == "data-leak 시나리오에 문제가 없습니다: 이벤트 7개.\n"
    broken = tmp_path / "broken.toml"
    broken.write_text('key = "x"\npolicy = "web-service"\n', "utf-8")
    refused = run("drill", "check", str(broken))
    assert refused.returncode == 1
    assert refused.stderr == f"storycart: {broken}: the scenario needs a severity.\n"
    fast = run("drill", "start", "--speed", "5000")
    assert fast.stderr == "storycart: The speed must be a number from 1 to 600.\n"
    missing = run("drill", "start", "--scenario", "nope")
    assert missing.returncode == 1 and missing.stderr.startswith(
        "storycart: There is no scenario 'nope' (shipped: ai-hallucination, data-leak, "
    )
    nothing = run("drill", "list", "--dir", str(tmp_path / "none"))
    assert nothing.stdout == "No drills yet (storycart drill start).\n"


def dense_policy(tmp_path) -> Path:
    """The web-service policy with a ladder step every drill minute for SEV-1."""
    text = (resources.files("assets") / "policies" / "web-service.toml").read_text("utf-8")
    text = text.replace('name = "web-service"', 'name = "drill-test"', 1)
    text = text[: text.index("[[ladder]]")]
    steps = ['severity = ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]\nafter = "0s"']
    steps += [f'severity = "SEV-1"\nafter = "{minute}m"' for minute in range(1, STEPS + 1)]
    for number, step in enumerate(steps):
        text += f'\n[[ladder]]\n{step}\nnotify = [{{ en = "L{number}", ko = "L{number}" }}]\n'
    path = tmp_path / "drill-test.toml"
    path.write_text(text, "utf-8")
    return path


def monitor_scenario(tmp_path) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(
        """key = "monitor"
policy = "drill-test"
type = "service"
severity = "SEV-1"
declares = "SEV-1"
length = "20m"
title = { ko = "모니터가 선언한 장애", en = "Declared by the monitor" }
[[events]]
at = "0m"
kind = "signal"
text = { ko = "5xx 급증", en = "5xx spike" }
[[events]]
at = "5m"
kind = "inject"
text = { ko = "롤백 실패", en = "The rollback fails" }
""",
        "utf-8",
    )
    return path


class Terminal:
    """The app in a pseudo-terminal of 120 × 40, its output drained in the background."""

    def __init__(self, args: list[str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
        self.process = subprocess.Popen(
            [*STORYCART, *args], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> int:
        try:
            return self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.master)


def test_a_drill_in_a_real_terminal_escalates_on_drill_time(tmp_path):
    drills = tmp_path / "drills"
    args = ["drill", "start", "--scenario", str(monitor_scenario(tmp_path))]
    args += ["--speed", str(SPEED), "--dir", str(drills), "--lang", "ko"]
    args += ["--policy-file", str(dense_policy(tmp_path)), "--db", f"sqlite:///{tmp_path}/team.db"]
    terminal = Terminal(args)
    try:
        # Ten drill minutes (ten real seconds) and a little: every step fired. Waited for, not
        # slept: on a loaded machine (a parallel test run) the app takes longer to start.
        folder = wait_for_every_step(drills, deadline_s=60 + STEPS)
        terminal.press(b"\x1b[24~")  # F12: end and score
        time.sleep(2)
        terminal.press(b"q")
        code = terminal.close()
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
    assert code == 0, terminal.output[-2000:]
    assert "훈련".encode() in terminal.output

    with sqlite3.connect(folder / "drill.db") as db:
        rows = db.execute("SELECT step_id, due_at, fired_at FROM escalation_event").fetchall()
    fired = {
        step: (parse(fired_at) - parse(due_at)).total_seconds() for step, due_at, fired_at in rows
    }
    assert len(rows) == len(fired) == STEPS + 1  # each step once
    lateness = sorted(fired.values())
    print(f"\ndrill-time lateness at {SPEED}x: max {lateness[-1]:.2f} s, all {lateness}")
    assert lateness[-1] < 10  # under a sixth of a second of real time

    score = json.loads(run("drill", "score", str(folder), "--json", "--lang", "ko",
                           "--policy-file", str(tmp_path / "drill-test.toml")).stdout)  # fmt: skip
    assert score["ended"] and score["incident"].startswith("INC-")
    declare = score["lines"][0]
    # The monitor declares on the drill's first tick: a few real milliseconds, at 60× a few
    # drill seconds.
    assert (declare["measure"], declare["verdict"], declare["target_s"]) == ("declare", "met", 300)
    assert 0 <= declare["measured_s"] <= 10
    pdf = tmp_path / "debrief.pdf"
    printed = run("drill", "debrief", str(folder), "-o", str(pdf), "--lang", "ko",
                  "--policy-file", str(tmp_path / "drill-test.toml"))  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    text = squeeze("".join(page.extract_text() for page in PdfReader(pdf).pages))
    assert "훈련디브리핑—모니터가선언한장애" in text and "롤백실패" in text
    listed = run(
        "drill", "list", "--dir", str(drills), "--policy-file", str(tmp_path / "drill-test.toml")
    )
    assert str(folder) in listed.stdout and f"{score['percent']:>3}%" in listed.stdout
    assert not (tmp_path / "team.db").exists()  # the team's database was never opened


def fired_steps(database: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:  # no creating
            query = "SELECT count(*) FROM escalation_event WHERE fired_at IS NOT NULL"
            return db.execute(query).fetchone()[0]
    except sqlite3.OperationalError:  # not there yet, or busy
        return 0


def wait_for_every_step(drills: Path, deadline_s: float) -> Path:
    """The drill's folder once its database shows every ladder step fired (or at the deadline:
    the assertions then say what is missing)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        folders = [path.parent for path in drills.glob("*/drill.json")]
        if folders and fired_steps(folders[0] / "drill.db") == STEPS + 1:
            break
        time.sleep(0.2)
    (folder,) = [path.parent for path in drills.glob("*/drill.json")]
    return folder


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def test_training_is_recorded_and_listed_from_the_command_line(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'team.db'}"]
    done = run("training", "done", "quarterly/tabletop", "--person", "민지", "--person", "준호",
               "--at", "2d ago", "--lang", "ko", *db)  # fmt: skip
    assert done.stdout == "민지, 준호: quarterly/tabletop 완료를 기록했습니다.\n"
    listed = json.loads(run("training", "--json", "--person", "Sam", *db).stdout)
    current = [(e["person"], e["item"]) for e in listed if e["current"]]
    assert current == [("민지", "quarterly/tabletop"), ("준호", "quarterly/tabletop")]
    assert {e["person"] for e in listed} == {"민지", "준호", "Sam"}
    shown = run("training", "--lang", "ja", *db).stdout.splitlines()
    assert shown[4].startswith("✓ 민지") and "インシデントシミュレーション（机上訓練）" in shown[4]
    refused = run("training", "done", "quarterly/yoga", "--person", "x", *db)
    assert refused.returncode == 1
    assert refused.stderr.startswith("storycart: There is no training item 'quarterly/yoga'")
