"""A failed page says what went wrong with that page: with sixteen pages in flight at once,
what Apprise said about another page (sent from another thread meanwhile) is not its reason."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from app.services.paging import PagingError, load_sender, send
from tests.http_receiver import Receiver


def test_a_failed_page_gives_its_own_reason_not_another_pages():
    load_sender()
    with Receiver() as receiver:
        receiver.failing = True  # HTTP 500: Apprise says so, with no socket error behind it
        receiver.delay = 0.5  # the page is still in flight when another page fails

        def another_page_fails() -> None:
            deadline = time.monotonic() + 10
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.01)
            logging.getLogger("apprise").debug("Socket Exception: [Errno 113] No route to host")

        other = threading.Thread(target=another_page_fails)
        other.start()
        with pytest.raises(PagingError) as failure:
            send(f"json://127.0.0.1:{receiver.port}/page", "INC-1 SEV-1", "body", "hook")
        other.join()
    reason = str(failure.value)
    assert "500" in reason or "Internal Server Error" in reason, reason
    assert "No route to host" not in reason and "113" not in reason
