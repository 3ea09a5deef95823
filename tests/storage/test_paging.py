"""Paging channels on a real SQLite file and a real PostgreSQL database, delivered through Apprise
to a real HTTP server: json:// and ntfy:// pages carry what a person needs and the idempotency
key; a failing service is retried with growing pauses, each attempt in the timeline; a step
pages only the channels whose targets it names; secrets never reach the database."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog
from app.domain.incident_text import entry_text
from app.domain.paging import PagingChannel, idempotency_key
from app.services.alert_delivery import PAGE_MAX_ATTEMPTS, AlertDeliverer
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from storage.incident_rows import by_code, outbox_for

WEB = load_policies(policy_sources(None)).get("web-service")
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
KEY_HEADER = "X-Storycart-Idempotency-Key"


def world(database_url, channels, environ=None):
    database = Database.open(database_url)
    clock = FakeClock(START)
    service = IncidentService(database, clock, PolicyVersions(database, clock), (), channels)
    deliverer = AlertDeliverer(
        database, clock, channels=(), paging=channels, lang="en", environ=environ or {}
    )
    return database, clock, service, deliverer


def outbox(database, code):
    with database.session() as session:
        return outbox_for(session, by_code(session, code).id)


def test_a_page_through_json_carries_what_to_do_and_its_key(database_url, receiver):
    hook = PagingChannel("hook", url=f"json://127.0.0.1:{receiver.port}/hook")
    database, clock, service, deliverer = world(database_url, (hook,))
    code = service.declare(WEB, "Checkout down", "SEV-1", actor="ops")
    clock.advance(90)
    service.fire_due()
    deliveries = deliverer.deliver_pending()
    assert [d.error for d in deliveries] == [None, None]  # L1 engineer and L3 manager at once
    # Pages go out side by side: the L1 page is whichever request names step 1.
    first = next(r for r in receiver.requests if b"step 1," in r.body)
    document = json.loads(first.body)
    assert first.path == "/hook"
    assert document["title"] == f"{code} SEV-1: Checkout down"
    message = document["message"]
    assert "Escalation step 1, round 1: paging L1 on-call engineer" in message
    assert "Open for 1 min 30 s" in message  # the catalog's words for durations
    assert f"Acknowledge: storycart incident ack {code}" in message
    key = idempotency_key(outbox(database, code)[0].payload, "page:hook")
    assert key.startswith(f"storycart:{code}:") and key.endswith(":0:page:hook")
    assert first.headers[KEY_HEADER] == key and f"Page key: {key}" in message
    timeline = [e for e in service.view(code).timeline if e.kind == "page"]
    assert [entry_text(e, Catalog("ko")) for e in timeline] == ["hook(으)로 호출 전달됨"] * 2
    assert deliverer.deliver_pending() == []  # delivered once
    database.close()


def test_ntfy_pages_in_the_channels_language_with_priority_by_severity(database_url, receiver):
    phone = PagingChannel(
        "phone",
        url=f"ntfy://127.0.0.1:{receiver.port}/oncall",
        lang="ja",
        pages=("L2 テックリード",),
        priority={"SEV-1": "max"},
    )
    database, clock, service, deliverer = world(database_url, (phone,))
    code = service.declare(WEB, "決済API障害", "SEV-1", actor="はると")
    service.fire_due()
    assert outbox(database, code) == []  # the first steps page L1 and L3, not this channel
    clock.advance(timedelta(minutes=15))  # nobody acknowledged: the tech lead is paged
    service.fire_due()
    deliverer.deliver_pending()
    (page,) = receiver.requests
    document = json.loads(page.body)
    assert document["topic"] == "oncall"
    assert document["title"] == f"{code} SEV-1: 決済API障害"
    assert "エスカレーション第3段階、1巡目: L2 テックリード を呼び出し" in document["message"]
    assert "呼び出し理由: 15分以内に応答なし" in document["message"]
    assert page.headers["X-Priority"] == "max"
    (row,) = outbox(database, code)
    assert page.headers["X-Tags"] == idempotency_key(row.payload, "page:phone").replace(":", "_")
    database.close()


def test_a_failing_service_is_retried_with_growing_pauses_until_it_answers(database_url, receiver):
    hook = PagingChannel("hook", url=f"json://127.0.0.1:{receiver.port}/hook")
    database, clock, service, deliverer = world(database_url, (hook,))
    code = service.declare(WEB, "Search slow", "SEV-4", actor="ops")  # one step: L1 at once
    service.fire_due()
    receiver.failing = True
    (failed,) = deliverer.deliver_pending()
    assert "Internal server error" in failed.error and "127.0.0.1" not in failed.error
    (row,) = outbox(database, code)
    assert row.delivered_at is None and row.next_attempt_at == START + timedelta(seconds=10)
    assert deliverer.deliver_pending() == []  # not before its pause is over
    for pause in (10, 20, 40):
        clock.advance(pause)
        assert [d.error is not None for d in deliverer.deliver_pending()] == [True]
    (row,) = outbox(database, code)
    assert (row.attempts, row.next_attempt_at) == (4, clock.now() + timedelta(seconds=80))
    receiver.failing = False
    clock.advance(80)
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    keys = {request.headers[KEY_HEADER] for request in receiver.requests}
    assert len(receiver.requests) == 5 and len(keys) == 1  # five tries, one page
    said = [entry_text(e, Catalog("en")) for e in service.view(code).timeline if e.kind == "page"]
    assert said[0].startswith("Page via hook failed (attempt 1): ") and "trying again" in said[0]
    assert said[-1] == "Page delivered via hook"
    assert PAGE_MAX_ATTEMPTS >= 8  # about 25 minutes of tries before giving up
    database.close()


def test_a_secret_url_comes_from_an_owner_only_file_or_a_variable(database_url, tmp_path):
    secret_file = tmp_path / "ntfy.url"
    secret_file.write_text("json://127.0.0.1:9/never?token=s3cret\n", "utf-8")
    os.chmod(secret_file, 0o644)
    channels = (
        PagingChannel("file", url_file=str(secret_file)),
        PagingChannel("env", url_env="STORYCART_TEST_PAGER"),
    )
    database, _clock, service, deliverer = world(database_url, channels)
    code = service.declare(WEB, "DB down", "SEV-4", actor="ops")
    service.fire_due()
    errors = {d.channel: d.error for d in deliverer.deliver_pending()}
    assert "must be readable by its owner alone (chmod 600" in errors["page:file"]
    assert (
        "STORYCART_TEST_PAGER that should hold the URL of channel 'env' is not set"
        in (errors["page:env"])
    )
    stored = json.dumps([r.payload for r in outbox(database, code)]) + " ".join(
        e.text for e in service.view(code).timeline
    )
    assert "s3cret" not in stored
    database.close()


def test_the_incident_channel_hears_declare_update_resolve_and_the_postmortem(
    database_url, receiver
):
    from dataclasses import replace

    from app.domain.postmortem.model import ActionItem, Why
    from app.services.postmortem_service import PostmortemService

    room = PagingChannel(
        "room", url=f"json://127.0.0.1:{receiver.port}/room", lang="ko", broadcast=True
    )
    database, clock, service, _deliverer = world(database_url, (room,))
    deliverer = AlertDeliverer(
        database, clock, channels=(), paging=(room,), lang="en", views=service.view
    )
    code = service.declare(WEB, "결제 API 장애", "SEV-2", actor="민지")
    service.fire_due()  # pages go to pagers, never to the incident channel
    clock.advance(600)
    service.post_update(code, "민지", "identified", "인증서 만료 확인")
    clock.advance(600)
    service.resolve(code, "민지", "인증서 갱신")
    postmortems = PostmortemService(database, clock, (room,))
    draft = postmortems.open(code, "ko", "민지")
    ready = replace(
        draft.postmortem,
        what="카드 결제가 20분 동안 실패했다.",
        users_affected="1200",
        root_cause="만료된 인증서",
        whys=[Why("왜?", "만료")],
        lessons="만료에는 주인이 필요하다.",
        actions=[ActionItem("갱신 자동화", "민지", "2026-12-01")],
    )
    version = postmortems.save(ready, draft.version, "민지")
    version = postmortems.set_status(code, "in_review", "민지", version).version
    postmortems.set_status(code, "published", "민지", version)
    assert [d.error for d in deliverer.deliver_pending()] == [None] * 4
    messages = [json.loads(r.body)["message"] for r in receiver.requests]
    assert messages[0].startswith(f"🚨 인시던트 선언 — {code}")
    assert "심각도: SEV-2" in messages[0]
    assert "인증서 만료 확인" in messages[1]
    assert "인증서 갱신" in messages[2]
    assert messages[3] == f"{code}: “결제 API 장애”의 포스트모템이 공개되었습니다. " + (
        "읽어 보시고, 스토리가 나오면 그것도 함께 보세요."
    )
    keys = [r.headers[KEY_HEADER] for r in receiver.requests]
    assert len(set(keys)) == 4 and all(k.startswith(f"storycart:{code}:") for k in keys)
    assert not [e for e in service.view(code).timeline if e.kind == "page"]
    database.close()
