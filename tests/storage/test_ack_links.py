"""Acknowledge links on a real SQLite file and a real PostgreSQL database: the token is never
stored, looking at a link (what a GET does) changes nothing, acknowledging with it stops the
ladder exactly as `a` does and says who was paged and the channel, an expired, reused or
tampered link is refused with one sentence and changes nothing, and two clicks at the same
moment acknowledge once."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.ack_link import AckLinkRefused
from app.domain.i18n import Catalog, said_in
from app.domain.incident_text import entry_text
from app.services.ack_links import AckLinks, token_hash
from tests.storage.test_paging import WEB, world

PUBLIC = "https://oncall.example.org"
SECRET = b"0123456789abcdef" * 4
PAGED = "민지 (L1 on-call engineer)"


def links_world(database_url):
    database, clock, service, _deliverer = world(database_url, ())
    return database, clock, service, AckLinks(database, clock, service, PUBLIC, SECRET)


def acks(service, code):
    return [e for e in service.view(code).timeline if e.kind == "acknowledged"]


def stored_text(database) -> str:
    """Everything the database holds, as text: the SQLite file and its journal byte for byte,
    or every row of every table on PostgreSQL."""
    url = database.url
    if url.startswith("sqlite"):
        database.close()
        path = Path(url.removeprefix("sqlite:///"))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists()).decode("latin-1")
    with database.engine.connect() as connection:
        tables = connection.execute(
            text("select tablename from pg_tables where schemaname = 'public'")
        ).scalars()
        rows = [connection.execute(text(f'select * from "{name}"')).all() for name in tables]
    return repr(rows)


def test_the_token_is_in_the_link_alone_never_in_the_database(database_url):
    database, _clock, service, links = links_world(database_url)
    code = service.declare(WEB, "Checkout down", "SEV-1", actor="ops")
    token = links.issue(code, PAGED, "phone")
    page = links.page_link(41, service.view(code).record.declared_at, code, PAGED, "phone")
    derived = page.removeprefix(f"{PUBLIC}/ack/")
    assert len(token) == 43 and len(derived) == 43 and token != derived
    assert links.look(token).code == code and links.look(derived).code == code
    everything = stored_text(database)
    assert token_hash(token) in everything and token_hash(derived) in everything
    assert token not in everything and derived not in everything
    database.close()


def test_looking_at_a_link_changes_nothing(database_url):
    database, clock, service, links = links_world(database_url)
    code = service.declare(WEB, "Checkout down", "SEV-2", actor="ops")
    token = links.issue(code, PAGED, "phone")
    before = service.view(code)
    for _ in range(3):  # a chat preview, a mail scanner, the person
        view = links.look(token)
    assert (view.code, view.severity, view.title, view.status) == (
        code,
        "SEV-2",
        "Checkout down",
        "investigating",
    )
    assert (view.paged, view.channel, view.used_at, view.acknowledged_at) == (
        PAGED,
        "phone",
        None,
        None,
    )
    assert view.can_acknowledge and view.expires_at == clock.now() + timedelta(hours=24)
    after = service.view(code)
    assert after.record == before.record and after.timeline == before.timeline
    assert links.look(token).used_at is None
    database.close()


def test_acknowledging_with_a_link_stops_the_ladder_like_a_on_the_board(database_url):
    database, clock, service, links = links_world(database_url)
    code = service.declare(WEB, "결제 API 장애", "SEV-1", actor="ops")
    assert len(service.fire_due()) == 2  # L1 and L3 paged at once; L2 waits 15 min for an ack
    token = links.issue(code, PAGED, "phone")
    clock.advance(120)
    done = links.acknowledge(token, remote="192.0.2.7")
    assert done.acknowledged_here and done.acknowledged_by == PAGED
    assert done.acknowledged_at == clock.now() and done.used_at == clock.now()
    clock.advance(timedelta(minutes=20))
    assert service.fire_due() == []  # the L2 step that waited for an acknowledgement is stopped
    fired = {event.step_id for event in service.view(code).events}
    assert not any(step.endswith("#2") for step in fired), fired
    (entry,) = acks(service, code)
    assert entry_text(entry, Catalog("ko")) == f"{PAGED}님이 phone 호출의 링크로 확인(Ack)"
    assert (
        entry_text(entry, Catalog("en"))
        == f"Acknowledged by {PAGED} with the link in the phone page"
    )
    assert (
        entry_text(entry, Catalog("ja")) == f"{PAGED} さんが phone の呼び出しのリンクで確認（Ack）"
    )
    assert links.look(token).acknowledged_here  # the page after the POST says so
    database.close()


def refused(call) -> AckLinkRefused:
    with pytest.raises(AckLinkRefused) as caught:
        call()
    return caught.value


def test_an_expired_a_reused_and_a_tampered_link_are_refused_and_change_nothing(database_url):
    database, clock, service, links = links_world(database_url)
    code = service.declare(WEB, "Checkout down", "SEV-2", actor="ops")
    short = links.issue(code, PAGED, "phone", ttl=timedelta(hours=1))
    token = links.issue(code, PAGED, "mail")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, token[:20], "", "../../etc/passwd", "x" * 5000):
        said = refused(lambda bad=bad: links.acknowledge(bad))
        assert said.reason == "unknown" and said.http_status == 404
        assert str(said) == (
            "This acknowledge link is not known: it is incomplete, changed, or was never "
            "issued. Nothing was changed."
        )
        assert refused(lambda bad=bad: links.look(bad)).reason == "unknown"
    clock.advance(timedelta(hours=1))
    expired = refused(lambda: links.acknowledge(short))
    assert (expired.reason, expired.http_status) == ("expired", 410)
    assert expired.channel == "phone"  # the page's channel: its language is the link's
    assert str(expired) == (
        f"This acknowledge link for {code} expired at 2026-11-24 10:00 UTC. Nothing was changed; "
        f"acknowledge on the board or with `storycart incident ack {code}`."
    )
    assert said_in(expired, Catalog("ja")).startswith(
        f"{code} の確認リンクは 2026-11-24 10:00 UTC に"
    )
    assert refused(lambda: links.look(short)).reason == "expired"
    assert acks(service, code) == [] and service.view(code).record.acknowledged_at is None
    links.acknowledge(token)
    again = refused(lambda: links.acknowledge(token))
    assert (again.reason, again.http_status) == ("used", 409)
    assert str(again) == (
        f"This acknowledge link was already used at 2026-11-24 10:00 UTC: {code} was "
        f"acknowledged by {PAGED}. Nothing was changed."
    )
    assert said_in(again, Catalog("ko")).startswith("이 확인 링크는 2026-11-24 10:00 UTC에 이미")
    assert len(acks(service, code)) == 1
    database.close()


def test_a_link_for_an_incident_acknowledged_or_resolved_meanwhile_is_spent(database_url):
    database, clock, service, links = links_world(database_url)
    code = service.declare(WEB, "Checkout down", "SEV-2", actor="ops")
    token = links.issue(code, PAGED, "phone")
    clock.advance(60)
    service.acknowledge(code, "haruto")  # `a` on the board
    view = links.look(token)
    assert not view.can_acknowledge and view.acknowledged_by == "haruto"
    said = refused(lambda: links.acknowledge(token))
    assert str(said) == (
        f"{code} was already acknowledged by haruto at 2026-11-24 09:01 UTC. Nothing was changed."
    )
    assert [e.actor for e in acks(service, code)] == ["haruto"]
    assert links.look(token).used_at is not None  # spent
    other = service.declare(WEB, "Search slow", "SEV-4", actor="ops")
    late = links.issue(other, PAGED, "phone")
    service.resolve(other, "ops", "fixed")
    assert str(refused(lambda: links.acknowledge(late))) == (
        f"{other} is already resolved. Nothing was changed."
    )
    assert acks(service, other) == []
    database.close()


def test_two_clicks_at_the_same_moment_acknowledge_once(database_url):
    database, _clock, service, links = links_world(database_url)
    code = service.declare(WEB, "Checkout down", "SEV-1", actor="ops")
    same = links.issue(code, PAGED, "phone")
    second = links.issue(code, "L3 engineering manager", "mail")
    tokens = [same, same, same, second]
    start = threading.Barrier(len(tokens))
    outcomes: list = [None] * len(tokens)

    def click(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = links.acknowledge(tokens[index])
        except AckLinkRefused as refusal:
            outcomes[index] = refusal

    threads = [threading.Thread(target=click, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    done = [o for o in outcomes if not isinstance(o, AckLinkRefused)]
    refusals = sorted(o.reason for o in outcomes if isinstance(o, AckLinkRefused))
    assert len(done) == 1 and len(refusals) == 3, outcomes
    assert set(refusals) <= {"used", "acknowledged"}
    assert refusals.count("used") >= 2  # the same link clicked three times: used once
    assert len(acks(service, code)) == 1
    database.close()
