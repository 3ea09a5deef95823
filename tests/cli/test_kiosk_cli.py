"""`storycart kiosk` as a real process: bad options refused in one sentence, and `--serve`
serving the kiosk to a browser (the page with the slide in it, then each next slide)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys

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


async def _page_and_slide(port: int) -> tuple[str, dict, dict]:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(f"http://127.0.0.1:{port}/") as response:
                    page = await response.text()
                    headers = dict(response.headers)
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("the kiosk server never answered")
        async with session.get(f"http://127.0.0.1:{port}/slide") as response:
            slide = await response.json()
        return page, headers, slide


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
        page, headers, slide = asyncio.run(_page_and_slide(port))
        # The page itself carries the story (no terminal, no websocket, no splash) and lets
        # nothing load from anywhere but the kiosk.
        assert "今週のストーリー" in page and f"<h1>{WEEK_TITLE}</h1>" in page
        assert "Traceback" not in page and "http" not in page
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert slide["lang"] == "ja" and WEEK_TITLE in slide["html"] and slide["next"] > 0
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
