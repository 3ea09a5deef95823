"""Pages that carry their acknowledge link, sent through Apprise to a real HTTP server (ntfy, with
an Acknowledge button that POSTs to the link) and a real SMTP server (mail, the link as a line
and a link), on SQLite and PostgreSQL: a page tried again carries the same link, even when
another process sends it; opening the link acknowledges; without `[intake] public_url` a page
carries the command alone."""

from __future__ import annotations

import json
import re

import pytest

from app.domain.paging import PagingChannel
from app.services.ack_links import AckLinks
from app.services.alert_delivery import AlertDeliverer
from storage.watch_tables import AckLinkRecord
from tests.smtp_receiver import MailReceiver
from tests.storage.test_paging import WEB, world

PUBLIC = "https://oncall.example.org/storycart"
SECRET = b"fedcba9876543210" * 4
LINK = re.compile(re.escape(PUBLIC) + r"/ack/([A-Za-z0-9_-]{43})")


@pytest.fixture
def mailbox():
    with MailReceiver() as server:
        yield server


def with_links(database, clock, service, channels, secret=SECRET):
    links = AckLinks(database, clock, service, PUBLIC, secret)
    deliverer = AlertDeliverer(database, clock, (), paging=channels, environ={}, links=links)
    return links, deliverer


def link_rows(database) -> list[AckLinkRecord]:
    from sqlmodel import select

    with database.session() as session:
        return list(session.exec(select(AckLinkRecord)))


def test_an_ntfy_page_has_an_acknowledge_button_and_the_link_acknowledges(database_url, receiver):
    phone = PagingChannel("phone", url=f"ntfy://127.0.0.1:{receiver.port}/oncall", lang="ja")
    database, clock, service, _plain = world(database_url, (phone,))
    links, deliverer = with_links(database, clock, service, (phone,))
    code = service.declare(WEB, "決済API障害", "SEV-4", actor="はると")
    service.fire_due()
    receiver.failing = True
    (failed,) = deliverer.deliver_pending()
    assert failed.error is not None
    receiver.failing = False
    clock.advance(10)
    # The retry is sent by another process: a deliverer of its own, the same key file.
    _other_links, other = with_links(database, clock, service, (phone,))
    assert [d.error for d in other.deliver_pending()] == [None]
    first, second = receiver.requests
    assert first.headers["X-Actions"] == second.headers["X-Actions"]
    (action,) = json.loads(second.headers["X-Actions"])
    token = LINK.fullmatch(action["url"]).group(1)
    assert action == {
        "action": "http",
        "label": "確認 (Ack)",
        "url": f"{PUBLIC}/ack/{token}",
        "method": "POST",
        "clear": True,
    }
    message = json.loads(second.body)["message"]
    assert f"確認 (Ack): {PUBLIC}/ack/{token}" in message.splitlines()
    assert f"またはターミナルで: storycart incident ack {code}" in message.splitlines()
    assert LINK.findall(json.loads(first.body)["message"]) == [token]  # the same link both times
    (row,) = link_rows(database)  # one link for the page, however often it was tried
    assert (row.incident_code, row.paged, row.channel) == (code, "L1 オンコールエンジニア", "phone")
    view = links.acknowledge(token)  # what POST /ack/TOKEN does when the button is tapped
    assert view.acknowledged_here and view.acknowledged_by == "L1 オンコールエンジニア"
    assert service.view(code).record.acknowledged_at == clock.now()
    database.close()


def test_a_mail_page_carries_the_link_as_a_line_and_a_link(database_url, mailbox):
    mail = PagingChannel(
        "mail",
        url=f"mailto://127.0.0.1:{mailbox.port}?from=storycart@example.org&to=oncall@example.org"
        "&mode=insecure",
        lang="en",
    )
    database, clock, service, _plain = world(database_url, (mail,))
    links, deliverer = with_links(database, clock, service, (mail,))
    code = service.declare(WEB, "Checkout down", "SEV-4", actor="ops")
    service.fire_due()
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    (message,) = mailbox.messages
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset())
        for p in message.walk()
        if p.get_content_maintype() == "text"
    }
    plain = parts["text/plain"].splitlines()
    (token,) = LINK.findall(parts["text/plain"])
    assert f"Acknowledge: {PUBLIC}/ack/{token}" in plain
    assert f"Or in a terminal: storycart incident ack {code}" in plain
    assert f'<a href="{PUBLIC}/ack/{token}">{PUBLIC}/ack/{token}</a>' in parts["text/html"]
    assert links.look(token).can_acknowledge  # opening it (a GET) changes nothing
    assert service.view(code).record.acknowledged_at is None
    links.acknowledge(token)
    assert service.view(code).record.acknowledged_at is not None
    database.close()


def test_without_a_public_address_a_page_carries_the_command_alone(database_url, receiver):
    phone = PagingChannel("phone", url=f"ntfy://127.0.0.1:{receiver.port}/oncall")
    database, clock, service, _plain = world(database_url, (phone,))
    links = AckLinks(database, clock, service, "", SECRET)
    deliverer = AlertDeliverer(database, clock, (), paging=(phone,), environ={}, links=links)
    code = service.declare(WEB, "Checkout down", "SEV-4", actor="ops")
    service.fire_due()
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    (page,) = receiver.requests
    assert "X-Actions" not in page.headers and "/ack/" not in page.body.decode()
    assert f"Acknowledge: storycart incident ack {code}" in json.loads(page.body)["message"]
    assert link_rows(database) == []
    database.close()
