"""Acknowledging from the phone, end to end with real processes: `storycart daemon --intake` pages
a real ntfy receiver with an Acknowledge button whose link the same process serves. Opening the
link (as a chat preview would) changes nothing; its button acknowledges once, in the page's
language, and `storycart incident show` says who was paged and through which channel; a second
press, a tampered token and a wrong method change nothing."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.cli.test_daemon import cli, fast, start_daemon, stop  # noqa: F401
from tests.http_receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url: str, method: str) -> tuple[int, str, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(method, parts.path, body=b"" if method == "POST" else None)
    response = connection.getresponse()
    body = response.read().decode("utf-8")
    connection.close()
    return response.status, response.getheader("Content-Type", ""), body


def wait_for(condition, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_the_page_button_acknowledges_once_and_opening_the_link_changes_nothing(
    fast,  # noqa: F811
    receiver,
):
    tmp_path, policy = fast
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[intake]\npublic_url = "http://127.0.0.1:{port}"\n'
        f'[channels.phone]\nurl = "ntfy://127.0.0.1:{receiver.port}/oncall"\nlang = "ja"\n',
        "utf-8",
    )
    db = ["--config", str(config), "--db", f"sqlite:///{tmp_path / 'team.db'}", *policy]
    assert cli("db", "upgrade", *db).returncode == 0
    declared = cli("incident", "declare", "--title", "決済 API 停止", "--severity", "SEV-1", *db)
    code = declared.stdout.strip()
    daemon = start_daemon([*db, "--intake", f"127.0.0.1:{port}"])
    try:
        page = wait_for(lambda: receiver.requests and receiver.requests[0])
        (action,) = json.loads(page.headers["X-Actions"])
        link = action["url"]
        assert link.startswith(f"http://127.0.0.1:{port}/ack/")

        status, kind, html = request(link, "GET")  # a chat preview opening the link
        assert status == 200 and kind.startswith("text/html")
        assert code in html and "決済 API 停止" in html and 'method="post"' in html.lower()
        shown = json.loads(cli("incident", "show", code, "--json", *db).stdout)
        assert shown["acknowledged_at"] is None  # a GET changes nothing

        status, _kind, html = request(link, "POST")  # the Acknowledge button
        assert status == 200 and code in html
        shown = json.loads(cli("incident", "show", code, "--json", *db).stdout)
        assert shown["acknowledged_at"] is not None
        acks = [e for e in shown["timeline"] if e["kind"] == "acknowledged"]
        assert len(acks) == 1 and "phone" in json.dumps(acks[0], ensure_ascii=False)

        status, _kind, again = request(link, "POST")  # pressed twice: nothing more
        assert status == 409 and code in again
        status, _kind, tampered = request(link[:-4] + "AAAA", "POST")
        assert status == 404 and code not in tampered
        status, _kind, _html = request(link, "DELETE")
        assert status == 405
        shown = json.loads(cli("incident", "show", code, "--json", *db).stdout)
        assert len([e for e in shown["timeline"] if e["kind"] == "acknowledged"]) == 1
    finally:
        _lines, err, returncode = stop(daemon)
    assert returncode == 0, err
