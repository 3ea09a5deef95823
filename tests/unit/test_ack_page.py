"""The page an acknowledge link opens, parsed back as HTML: the incident and who was paged with
one Acknowledge button in a POST form and nothing to run; every value escaped; after the POST,
who acknowledged and when; a refused link says why in the link's language. And the key the
links are derived from: made once, owner-only, refused when others may read it."""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from app.domain.ack_link import AckLinkRefused, AckLinkView
from app.domain.ack_page import ack_page
from app.domain.i18n import Catalog
from app.services.ack_secret import AckSecretError, read_secret

AT = datetime(2026, 11, 24, 9, 5, tzinfo=UTC)
VIEW = AckLinkView(
    code="INC-2026-0007",
    severity="SEV-1",
    title='<script>alert("x")</script> & checkout',
    status="investigating",
    paged="민지 (L1 on-call engineer)",
    channel="phone",
    expires_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    used_at=None,
    acknowledged_at=None,
    acknowledged_by="",
    resolved_at=None,
)


class Parsed(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def named(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


def test_an_unused_link_shows_the_incident_and_one_button_that_posts():
    page = Parsed(ack_page(VIEW, Catalog("en")))
    assert page.named("form") == [{"method": "post"}]
    assert page.named("button") == [{"type": "submit"}]
    assert page.named("script") == [] and page.named("a") == [] and page.named("img") == []
    text = "".join(page.text)
    assert "Acknowledge INC-2026-0007?" in text and "Acknowledge" in text
    assert '<script>alert("x")</script> & checkout' in text  # shown as text, not run
    assert "민지 (L1 on-call engineer)" in text and "phone" in text and "SEV-1" in text
    assert "2026-11-25 09:00 UTC" in text  # when the link expires
    raw = ack_page(VIEW, Catalog("en"))
    assert "<script>" not in raw and "&lt;script&gt;" in raw


def test_the_page_is_in_the_links_language():
    page = "".join(Parsed(ack_page(VIEW, Catalog("ja"))).text)
    assert "INC-2026-0007 を確認 (Ack) しますか?" in page and "呼び出し先" in page
    assert '<html lang="ko">' in ack_page(VIEW, Catalog("ko"))


def test_after_the_post_the_page_says_who_acknowledged_and_when():
    done = replace(
        VIEW,
        used_at=AT,
        acknowledged_at=AT,
        acknowledged_by=VIEW.paged,
        acknowledged_here=True,
    )
    page = Parsed(ack_page(done, Catalog("ko")))
    assert page.named("form") == [] and page.named("button") == []
    text = "".join(page.text)
    assert "확인(Ack)했습니다" in text
    assert (
        "2026-11-24 09:05 UTC에 민지 (L1 on-call engineer)님이 INC-2026-0007을 확인했습니다" in text
    )


def test_a_link_someone_else_beat_shows_no_button_and_says_so():
    beaten = replace(VIEW, acknowledged_at=AT, acknowledged_by="haruto")
    page = Parsed(ack_page(beaten, Catalog("en")))
    assert page.named("button") == []
    assert "INC-2026-0007 was already acknowledged by haruto at 2026-11-24 09:05 UTC." in "".join(
        page.text
    )


def test_a_refused_link_gets_a_plain_page_saying_why():
    page = Parsed(ack_page(AckLinkRefused("unknown"), Catalog("ja")))
    assert page.named("form") == []
    text = "".join(page.text)
    assert "何も変更していません" in text and "この確認リンクは不明です。" in text


def test_the_key_is_made_once_for_its_owner_alone(tmp_path):
    path = tmp_path / "config" / "ack.secret"
    keys: list[bytes] = []
    start = threading.Barrier(4)

    def make() -> None:
        start.wait()
        keys.append(read_secret(path))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64  # everyone read the same key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["ack.secret"]  # no drafts left
    os.chmod(path, 0o644)
    with pytest.raises(AckSecretError) as refused:
        read_secret(path)
    assert str(refused.value) == (
        f"{path}, the key of acknowledge links, must be readable by its owner alone "
        f"(chmod 600 {path})."
    )
