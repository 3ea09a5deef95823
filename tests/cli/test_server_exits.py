"""`storycart intake --listen` and `storycart kiosk --serve` stopped by SIGINT (ctrl+c) and by
SIGTERM (a service manager) while they serve and fire escalations: the terminal shows no
traceback and the exit status is 0, as for the daemon (tests/cli/test_clean_exits.py).

Each runs on a copy of one busy database (open incidents paging every second or two, so the
process's own watcher has firing to do when the signal comes), at a random moment once it
serves."""

from __future__ import annotations

import random
import shutil
import signal
import socket
import subprocess
import time

import pytest

from tests.cli.test_clean_exits import NOISE, QUIT_WITHIN_S, STORYCART, Busy, wait_until

SIGNALS = [signal.SIGINT, signal.SIGTERM]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Busy:
    """The busy database, seeded once for the module; each test serves a copy of it."""
    place = Busy(tmp_path_factory.mktemp("busy_template"))
    place.seed()
    return place


def busy_copy(template: Busy, folder) -> Busy:
    place = Busy(folder)
    shutil.copyfile(template.folder / "busy.db", folder / "busy.db")
    shutil.copyfile(template.policy, place.policy)
    return place


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop_cleanly(server: subprocess.Popen, place: Busy, sent: signal.Signals) -> None:
    """Send ``sent`` at a random moment within two seconds; the server ends quietly with 0 and
    its watcher row says it stopped."""
    time.sleep(random.uniform(0, 2))  # the watcher's passes, sweeps, deliveries under way
    server.send_signal(sent)
    try:
        _out, err = server.communicate(timeout=QUIT_WITHIN_S)
    except subprocess.TimeoutExpired:
        server.kill()
        _out, err = server.communicate(timeout=10)
        raise AssertionError(
            f"still running {QUIT_WITHIN_S} s after {sent.name}: {err!r}"
        ) from None
    said = err.decode("utf-8", "replace")
    assert server.returncode == 0, (sent.name, said)
    assert [word for word in NOISE if word in said] == [], (sent.name, said)
    assert server.pid not in place.watcher_pids()  # its row says it stopped


@pytest.mark.parametrize("sent", SIGNALS, ids=lambda sent: sent.name)
def test_intake_listening_stops_quietly(template, tmp_path, sent):
    place = busy_copy(template, tmp_path)
    config = ["--config", str(tmp_path / "config.toml")]
    (tmp_path / "config.toml").write_text("", "utf-8")
    subprocess.run([*STORYCART, *config, "intake", "token"], env=place.env, check=True, timeout=60)
    server = subprocess.Popen(
        [*STORYCART, *config, "intake", "--listen", "127.0.0.1:0", *place.args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=place.env,
    )
    announcement = server.stdout.readline().decode("utf-8")
    assert announcement.startswith("storycart intake listening on http://127.0.0.1:")
    assert server.pid in place.watcher_pids()  # its own watcher fires the ladders
    stop_cleanly(server, place, sent)


@pytest.mark.parametrize("sent", SIGNALS, ids=lambda sent: sent.name)
def test_kiosk_serving_stops_quietly(template, tmp_path, sent):
    place = busy_copy(template, tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [*STORYCART, "kiosk", "--serve", "--port", str(port), *place.args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=place.env,
    )
    wait_until(lambda: answers(port) or server.poll() is not None, "the kiosk never served")
    assert server.poll() is None, server.communicate()
    assert server.pid in place.watcher_pids()  # it fires the ladders while it serves
    stop_cleanly(server, place, sent)
