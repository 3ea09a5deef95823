"""Pages by mail through a real SMTP server, and a pager service that is down for five minutes:
the page is retried with growing pauses, the channel shows as broken while it is down, and the
first page through after it comes back is recorded — once."""

from __future__ import annotations

import json
from datetime import timedelta
from email.header import decode_header, make_header

import pytest

from app.domain.i18n import Catalog
from app.domain.incident_text import entry_text
from app.domain.paging import PagingChannel, idempotency_key
from app.services.alert_delivery import AlertDeliverer
from app.services.paging_status import PagingStatus
from tests.http_receiver import Receiver
from tests.smtp_receiver import MailReceiver
from tests.storage.test_paging import KEY_HEADER, START, WEB, outbox, world

DAEMON_LOOP_S = 5  # how often the daemon looks at the outbox


@pytest.fixture
def mailbox():
    with MailReceiver() as server:
        yield server


def mail_channel(port: int, lang: str) -> PagingChannel:
    return PagingChannel(
        "mail",
        url=f"mailto://127.0.0.1:{port}?from=storycart@example.org&to=oncall@example.org"
        "&mode=insecure",
        lang=lang,
    )


def body_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset())


def test_a_page_by_mail_reaches_a_real_smtp_server_in_the_channels_language(database_url, mailbox):
    database, _clock, service, deliverer = world(database_url, (mail_channel(mailbox.port, "ko"),))
    code = service.declare(WEB, "결제 API 장애", "SEV-4", actor="민지")
    service.fire_due()
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    (message,) = mailbox.messages
    assert str(make_header(decode_header(message["Subject"]))) == f"{code} SEV-4: 결제 API 장애"
    assert message["To"] == "oncall@example.org"
    body = body_of(message)
    assert f"storycart incident ack {code}" in body
    (row,) = outbox(database, code)
    assert message[KEY_HEADER] == idempotency_key(row.payload, "page:mail")
    assert f"{message[KEY_HEADER]}" in body
    database.close()


def test_a_mail_server_that_refuses_is_tried_again_and_the_refusal_is_in_the_timeline(
    database_url, mailbox
):
    database, clock, service, deliverer = world(database_url, (mail_channel(mailbox.port, "ja"),))
    code = service.declare(WEB, "検索が遅い", "SEV-4", actor="はると")
    service.fire_due()
    mailbox.refusing = True
    (failed,) = deliverer.deliver_pending()
    assert failed.error is not None and "127.0.0.1" not in failed.error
    mailbox.refusing = False
    clock.advance(10)
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    assert len(mailbox.messages) == 1
    said = [entry_text(e, Catalog("ja")) for e in service.view(code).timeline if e.kind == "page"]
    assert said[0].startswith("mail での呼び出しに失敗 (1 回目): "), said
    assert "554" in said[0] and "Mailbox unavailable" in said[0], said
    assert said[-1] == "mail で呼び出しを届けました", said
    database.close()


def test_a_pager_down_for_five_minutes_is_retried_shown_broken_and_recovers_once(database_url):
    with Receiver() as probe:
        port = probe.port  # a port nobody listens on once the probe is gone
    hook = PagingChannel("hook", url=f"json://127.0.0.1:{port}/hook")
    database, clock, service, deliverer = world(database_url, (hook,))
    status = PagingStatus(database, (hook,))
    code = service.declare(WEB, "Checkout down", "SEV-4", actor="ops")
    service.fire_due()
    tried_at = []
    for _ in range(0, 300, DAEMON_LOOP_S):  # five minutes of the daemon's loop, service down
        if deliverer.deliver_pending():
            tried_at.append(int((clock.now() - START).total_seconds()))
        clock.advance(DAEMON_LOOP_S)
    assert tried_at == [0, 10, 30, 70, 150]  # pauses of 10, 20, 40, 80 s; the next is 160 s
    (broken,) = status.broken()
    assert broken.name == "hook" and broken.last_ok_at is None
    assert "[Errno 111] Connection refused" in broken.last_error, broken.last_error
    with Receiver(port=port) as receiver:  # the service is back
        while not deliverer.deliver_pending():
            clock.advance(DAEMON_LOOP_S)
        assert clock.now() - START == timedelta(seconds=310)
        assert len(receiver.requests) == 1
    assert status.broken() == []
    said = [entry_text(e, Catalog("en")) for e in service.view(code).timeline if e.kind == "page"]
    assert len(said) == 6 and said[-1] == "Page delivered via hook"
    assert all(line.startswith("Page via hook failed (attempt") for line in said[:5]), said
    database.close()


def test_an_incident_channel_hears_each_incident_in_order_even_after_a_failed_try(
    database_url, receiver
):
    room = PagingChannel("room", url=f"json://127.0.0.1:{receiver.port}/room", broadcast=True)
    database, clock, service, _pager = world(database_url, (room,))
    deliverer = AlertDeliverer(database, clock, (), paging=(room,), views=service.view)
    code = service.declare(WEB, "Checkout down", "SEV-2", actor="ops")
    receiver.failing = True
    (failed,) = deliverer.deliver_pending()  # the declare message did not get through
    assert failed.error is not None
    receiver.failing = False
    service.post_update(code, "ops", "identified", "an expired certificate")
    service.resolve(code, "ops", "certificate renewed")
    assert deliverer.deliver_pending() == []  # the update and the resolve wait for the declare
    clock.advance(10)
    assert [d.error for d in deliverer.deliver_pending()] == [None, None, None]
    heard = [json.loads(r.body)["message"] for r in receiver.requests[1:]]
    assert heard[0].startswith(f"🚨 INCIDENT DECLARED — {code}"), heard[0]
    assert "an expired certificate" in heard[1] and "certificate renewed" in heard[2]
    database.close()


def test_a_page_names_who_is_on_call_and_reaches_their_own_channel(database_url, receiver):
    from app.domain.clock import FakeClock
    from app.domain.roster import parse_roster
    from app.services.incident_service import IncidentService
    from app.services.policy_versions import PolicyVersions
    from storage.database import Database

    team = PagingChannel("team", url=f"json://127.0.0.1:{receiver.port}/team", pages=("nobody",))
    phone = PagingChannel("minji-phone", url=f"json://127.0.0.1:{receiver.port}/minji", lang="ko")
    roster = parse_roster(
        {
            "people": {
                "minji": {"name": "민지", "contact": "010-1234-5678", "channels": ["minji-phone"]}
            },
            "levels": {
                "L1 on-call engineer": {"rotation": ["minji"], "start": "2026-11-02T10:00+09:00"}
            },
        }
    )
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(
        database, clock, PolicyVersions(database, clock), (), (team, phone), roster
    )
    deliverer = AlertDeliverer(database, clock, (), paging=(team, phone), environ={})
    code = service.declare(WEB, "결제 API 장애", "SEV-4", actor="ops")  # L1 at once
    service.fire_due()
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    (page,) = receiver.requests  # only her channel: the team channel pages "nobody"
    assert page.path == "/minji"
    assert "당번: 민지 (010-1234-5678)" in json.loads(page.body)["message"]
    (row,) = outbox(database, code)
    assert row.payload["people"][0]["name"] == "민지"  # the alert command sees it too
    database.close()
