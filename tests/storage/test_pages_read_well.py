"""Pages that read well, on a real SQLite file and a real PostgreSQL database: a mail page keeps
its lines in its plain and its HTML part (parsed back from a real SMTP server); a page held up by
an outage says how long the incident has been open when it is sent; a failure line names its
attempt once; `alert list` keeps the last failure beside the success that followed it; each
page and status line is in the channel's language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from app.domain.i18n import Catalog
from app.domain.incident_text import entry_text
from app.domain.paging import PagingChannel
from app.services.paging_status import PagingStatus
from tests.smtp_receiver import MailReceiver
from tests.storage.test_paging import START, WEB, world

STORYCART = [sys.executable, "-m", "app.cli"]


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


def part(message, content_type: str) -> str:
    (found,) = [p for p in message.walk() if p.get_content_type() == content_type]
    return found.get_payload(decode=True).decode(found.get_content_charset())


def test_a_mail_page_keeps_its_lines_in_the_plain_and_the_html_part(database_url, mailbox):
    database, clock, service, deliverer = world(database_url, (mail_channel(mailbox.port, "ko"),))
    code = service.declare(WEB, "결제 <b>API</b> & 카드 장애", "SEV-4", actor="민지")
    service.fire_due()
    clock.advance(65)  # sent a while after the firing (held up)
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    (message,) = mailbox.messages
    plain = part(message, "text/plain").splitlines()
    assert plain == [
        "에스컬레이션 1단계, 1회차: L1 온콜 엔지니어 호출",
        "발생 후 1분 5초 경과",
        "지연됨: 단계는 2026-11-24 09:00 UTC에 발동했고 이 호출은 1분 5초 늦게 나갔습니다",
        f"확인(Ack): storycart incident ack {code}",
        f"호출 키: storycart:{code}:SEV-4#0:0:page:mail",
    ]
    html = part(message, "text/html")
    assert html.count("<br>") == 4  # one break between each two lines
    assert f"확인(Ack): storycart incident ack {code}<br>" in html
    assert "<b>" not in html  # the title is data: escaped where it appears, never markup
    database.close()


def test_a_page_held_up_by_an_outage_says_how_long_the_incident_has_been_open(
    database_url, receiver
):
    hook = PagingChannel("hook", url=f"json://127.0.0.1:{receiver.port}/hook", lang="ja")
    database, clock, service, deliverer = world(database_url, (hook,))
    code = service.declare(WEB, "検索が遅い", "SEV-4", actor="はると")
    service.fire_due()  # the L1 step fires at the declaration
    receiver.failing = True
    for pause in (0, 10, 20, 40):  # four tries while the service is down
        clock.advance(pause)
        assert [d.error is not None for d in deliverer.deliver_pending()] == [True]
    receiver.failing = False
    clock.advance(80)
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    sent = json.loads(receiver.requests[-1].body)["message"].splitlines()
    assert sent[1] == "発生から 2分30秒"  # 150 s after the declaration, not 0 s from the firing
    first = json.loads(receiver.requests[0].body)["message"].splitlines()
    assert first[1] == "発生から 0秒"  # the first try went out the moment it was declared
    said = [entry_text(e, Catalog("ja")) for e in service.view(code).timeline if e.kind == "page"]
    assert said[0].startswith("hook での呼び出しに失敗 (1 回目): ")
    assert all(line.count("回目") == 1 for line in said[:4]), said  # each attempt named once
    english = [e.text for e in service.view(code).timeline if e.kind == "page"]
    assert english[0].startswith("page via hook failed (attempt 1): ")
    assert all(line.count("attempt") == 1 for line in english[:4]), english
    database.close()


def test_the_last_failure_is_kept_beside_the_success_after_it(database_url, receiver):
    hook = PagingChannel("hook", url=f"json://127.0.0.1:{receiver.port}/hook", lang="ja")
    database, clock, service, deliverer = world(database_url, (hook,))
    status = PagingStatus(database, (hook,))
    service.declare(WEB, "Search slow", "SEV-4", actor="ops")
    service.fire_due()
    clock.advance(30)
    receiver.failing = True
    (failed,) = deliverer.deliver_pending()
    receiver.failing = False
    clock.advance(10)
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    (now,) = status.statuses()
    assert now.last_ok_at == START + timedelta(seconds=40)
    assert now.last_failed_at == START + timedelta(seconds=30)  # kept after the recovery
    assert now.last_error == failed.error and "Internal server error" in now.last_error
    assert not now.broken and status.broken() == []
    # A second incident pages fine: the failure of the first stays the last failure.
    service.declare(WEB, "Queue backlog", "SEV-4", actor="ops")
    clock.advance(60)
    service.fire_due()
    assert [d.error for d in deliverer.deliver_pending()] == [None]
    (later,) = status.statuses()
    assert later.last_failed_at == START + timedelta(seconds=30)
    assert later.last_ok_at == START + timedelta(seconds=100)
    database.close()


def test_alert_list_says_each_channels_status_in_its_language(tmp_path, receiver):
    db_file = tmp_path / "cart.db"
    hook = PagingChannel("hook", url=f"json://127.0.0.1:{receiver.port}/hook", lang="ja")
    database, clock, service, deliverer = world(f"sqlite:///{db_file}", (hook,))
    service.declare(WEB, "Search slow", "SEV-4", actor="ops")
    service.fire_due()
    receiver.failing = True
    deliverer.deliver_pending()
    receiver.failing = False
    clock.advance(10)
    deliverer.deliver_pending()
    database.close()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[channels.hook]\nurl = "json://127.0.0.1:{receiver.port}/hook"\nlang = "ja"\n'
        '[channels.room]\nurl = "json://127.0.0.1:9/room"\nbroadcast = true\n',
        "utf-8",
    )
    listed = subprocess.run(
        [*STORYCART, "--config", str(config), "--lang", "en", "alert", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "STORYCART_DB": str(db_file)},
    )
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[1] == (
        "  最後に届いた呼び出し: 2026-11-24 09:00 UTC · 最後の失敗: 2026-11-24 09:00 UTC"
    )
    assert lines[3] == "  last page delivered: — · last failure: —"  # the room: the app's language
