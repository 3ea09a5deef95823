"""`storycart kiosk` as a real process: bad options refused in one sentence, and `--serve`
serving the kiosk to a browser (the page, then the app's screen over its websocket)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import aiohttp

STORYCART = [sys.executable, "-m", "app.cli"]
WEEK_TITLE = "健康そうに見えたカナリア"  # shown once the kiosk has read the database


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*STORYCART, *args], capture_output=True, text=True, timeout=60)


def test_bad_kiosk_options_are_refused_in_one_sentence(tmp_path):
    db = ["--db", f"sqlite:///{tmp_path / 'cart.db'}"]
    seconds = run("kiosk", "--seconds", "2", *db)
    assert seconds.returncode == 1
    assert seconds.stderr == (
        "storycart: --seconds must be a whole number of seconds from 5 to 3600, not 2.\n"
    )
    languages = run("kiosk", "--languages", "ko,fr", *db)
    assert languages.stderr == (
        "storycart: --languages: 'fr' is not a language; use some of en, ko, ja.\n"
    )
    port = run("kiosk", "--serve", "--port", "70000", *db)
    assert port.stderr == "storycart: --port must be from 1 to 65535, not 70000.\n"
    assert not (tmp_path / "cart.db").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _page_and_screen(port: int) -> tuple[str, str]:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.get(f"http://127.0.0.1:{port}/") as response:
                    page = await response.text()
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("the kiosk server never answered")
        received = b""
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=110&height=36") as ws:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and WEEK_TITLE.encode() not in received:
                try:
                    message = await ws.receive(timeout=2)
                except TimeoutError:
                    continue
                if message.type == aiohttp.WSMsgType.BINARY:
                    received += message.data
                elif message.type != aiohttp.WSMsgType.TEXT:
                    break
        return page, received.decode("utf-8", "replace")


def test_serve_shows_the_kiosk_in_a_browser_on_loopback(tmp_path):
    port = _free_port()
    env = {**os.environ, "STORYCART_LANG": "ja"}
    server = subprocess.Popen(
        [
            *STORYCART,
            "--db",
            f"sqlite:///{tmp_path / 'cart.db'}",
            "kiosk",
            "--serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        page, screen = asyncio.run(_page_and_screen(port))
        assert f"ws://127.0.0.1:{port}/ws" in page  # loopback by default
        assert "<div>Story Cart</div>" in page  # the name shown until the app connects
        assert "今週のストーリー" in screen and WEEK_TITLE in screen
        assert "Traceback" not in screen
        with socket.socket() as probe:  # nothing listens on the machine's other addresses
            outside = probe.connect_ex((_outside_address(), port)) if _outside_address() else 1
        assert outside != 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _outside_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address
