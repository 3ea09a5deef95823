"""Pages to a JSON webhook go out over kept-alive connections (app.services.json_webhook) and
put on the wire what Apprise's own JSON plugin puts there for the same URL and page."""

from __future__ import annotations

import json

import pytest

from app.domain.paging import PagingChannel
from app.services.paging import (
    KEY_HEADER,
    PagingError,
    delivery_url,
    load_sender,
    send,
    send_page,
)
from tests.http_receiver import Receiver

TITLE = "INC-7 SEV-1: 결제 지연 · 決済の遅延"
BODY = "Checkout is slow.\nNotify: 민지, 田中\n\n"  # Apprise drops the trailing blank lines
COMPARED_HEADERS = ("Content-Type", "User-Agent", "Authorization", KEY_HEADER, "X-Team")


@pytest.mark.parametrize(
    "path",
    [
        "/page",
        "/hooks/결제?-token=abc&:type=&:source=storycart",  # a GET parameter, payload edits
        "/deep/path?+X-Team=payments",  # a header of the user's
    ],
)
def test_the_page_is_the_one_apprise_sends(path):
    load_sender()
    with Receiver() as receiver:
        url = f"json://ops:s3cret@127.0.0.1:{receiver.port}{path}"
        channel = PagingChannel("hook", url=url)
        send(delivery_url(url, channel, "key-1", "SEV-1"), TITLE, BODY, "hook")
        send_page(url, channel, "key-1", "SEV-1", None, TITLE, BODY)
    by_apprise, ours = receiver.requests
    assert ours.path == by_apprise.path
    assert json.loads(ours.body) == json.loads(by_apprise.body)
    for name in COMPARED_HEADERS:
        assert ours.headers.get(name) == by_apprise.headers.get(name), name
    assert ours.headers[KEY_HEADER] == "key-1"
    assert json.loads(ours.body).get("message", "").endswith("田中")


def test_pages_share_a_kept_alive_connection():
    with Receiver() as receiver:
        url = f"json://127.0.0.1:{receiver.port}/page"
        channel = PagingChannel("hook", url=url)
        for number in range(20):
            send_page(url, channel, f"key-{number}", "SEV-1", None, f"page {number}", "body")
    assert len(receiver.requests) == 20
    assert len({request.peer for request in receiver.requests}) == 1


def test_a_connection_the_service_closed_meanwhile_costs_no_page():
    with Receiver() as receiver:
        receiver.drop_after_answer = True  # as an idle timeout closes a kept connection
        url = f"json://127.0.0.1:{receiver.port}/page"
        channel = PagingChannel("hook", url=url)
        for number in range(5):
            send_page(url, channel, f"key-{number}", "SEV-1", None, f"page {number}", "body")
    titles = [json.loads(request.body)["title"] for request in receiver.requests]
    assert titles == [f"page {number}" for number in range(5)]
    assert len({request.peer for request in receiver.requests}) == 5


def test_a_refusing_service_is_reported_as_apprise_words_it():
    with Receiver() as receiver:
        receiver.failing = True
        url = f"json://127.0.0.1:{receiver.port}/page"
        with pytest.raises(PagingError) as failure:
            send_page(url, PagingChannel("hook", url=url), "k", "SEV-1", None, "t", "b")
    assert str(failure.value) == (
        "Failed to send JSON POST notification: Internal server error., error=500."
    )


def test_an_unreachable_service_names_the_socket_error():
    with Receiver() as receiver:
        port = receiver.port
    url = f"json://127.0.0.1:{port}/page"
    with pytest.raises(PagingError) as failure:
        send_page(url, PagingChannel("hook", url=url), "k", "SEV-1", None, "t", "b")
    assert "Connection refused" in str(failure.value), str(failure.value)
    assert "127.0.0.1" in str(failure.value)


def test_a_proxy_or_a_retry_asked_of_apprise_leaves_the_page_to_apprise(monkeypatch):
    from app.services.paging import _json_webhook

    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    _json_webhook.cache_clear()
    try:
        assert _json_webhook("json://hooks.example.com/page") is None
        monkeypatch.undo()
        _json_webhook.cache_clear()
        assert _json_webhook("json://hooks.example.com/page") is not None
        assert _json_webhook("json://hooks.example.com/page?retry=2") is None  # Apprise retries
    finally:
        _json_webhook.cache_clear()
