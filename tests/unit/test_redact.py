"""Secrets never shown: each form of URL and sentence that can carry a password or a token,
redacted by app.domain.redact so that the reader still knows which database or channel it is."""

from __future__ import annotations

import pytest

from app.domain.redact import MASK, redact_db_url, redact_text, redact_url, url_kind


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://alice:s3cret@db.example.org:5433/oncall",
            "postgresql://alice:***@db.example.org:5433/oncall",
        ),
        (
            "postgresql+psycopg://alice:s3cret@db.example.org/oncall?sslmode=require",
            "postgresql+psycopg://alice:***@db.example.org/oncall?sslmode=require",
        ),
        ("postgresql://alice@db.example.org/oncall", "postgresql://alice@db.example.org/oncall"),
        ("sqlite:////home/민지/team db.sqlite", "sqlite:////home/민지/team db.sqlite"),
    ],
)
def test_a_database_url_keeps_who_and_where_but_not_the_password(url, shown):
    assert redact_db_url(url) == shown
    assert redact_url(url) == shown


def test_a_password_in_a_database_urls_query_is_hidden_too():
    shown = redact_db_url("postgresql://alice@db.example.org/oncall?password=s3cret")
    assert "s3cret" not in shown and "db.example.org/oncall" in shown and "alice" in shown


@pytest.mark.parametrize(
    ("url", "secrets", "kept"),
    [
        ("slack://T0AAAAAA/B0BBBBBB/c3cr3tT0k3n/#oncall", ["T0AAAAAA", "B0BBBBBB", "c3cr3t"], []),
        ("discord://123456789/abcDEF987654321", ["123456789", "abcDEF"], []),
        ("tgram://123456:ABC-def/987", ["123456", "ABC-def"], []),
        ("pover://uKey123456@aToken98765", ["uKey", "aToken"], []),
        ("ntfys://alice:s3cret@ntfy.example.org/pager-topic", ["s3cret", "pager-topic"], ["alice"]),
        ("ntfys://ntfy.sh/topic?token=tk_s3cret", ["tk_s3cret", "topic"], ["ntfy.sh"]),
        ("mailtos://bob:s3cret@mail.example.org?to=oncall@example.org", ["s3cret"], ["bob"]),
        (
            "https://hooks.example.org/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            ["T00000000", "B00000000", "XXXXXXXXXXXX"],
            ["hooks.example.org/services/"],
        ),
        (
            "https://hc-ping.example.org/ping?token=s3cret&api_key=k3y&signature=5ig",
            ["s3cret", "k3y", "5ig"],
            ["hc-ping.example.org/ping"],
        ),
        ("json://user:s3cret@hooks.example.org:8443/alert", ["s3cret"], [":8443/alert"]),
        ("jsons://hooks.example.org/x?+Authorization=Bearer%20abc123", ["abc123"], []),
        ("gotify://push.example.org/AbCdEfGh123", ["AbCdEfGh123"], ["push.example.org"]),
    ],
)
def test_a_channel_url_loses_every_credential_part(url, secrets, kept):
    shown = redact_url(url)
    assert MASK in shown
    for secret in secrets:
        assert secret not in shown, shown
    for word in kept:
        assert word in shown, shown
    assert shown.split("://", 1)[0] == url.split("://", 1)[0]


def test_only_the_kind_of_a_channel_url_is_shown_in_settings():
    assert url_kind("slack://T0/B0/token") == "slack://…"


def test_sentences_lose_the_urls_and_credentials_inside_them():
    said = redact_text(
        "Failed to send to https://hooks.example.org/hook?token=s3cret: 401; "
        "could not connect to postgresql://alice:pa55@db.example.org/oncall; "
        "header Authorization: Bearer eyJhbGciOi.s3cret and api_key=k3y1 and password: hunter2"
    )
    for secret in ("s3cret", "pa55", "eyJhbGciOi", "k3y1", "hunter2"):
        assert secret not in said, said
    assert "hooks.example.org/hook" in said and "alice:***@db.example.org/oncall" in said
    assert "Bearer ***" in said


def test_text_without_secrets_is_left_as_it_was():
    plain = "Sending failed: HTTP 503 Service Unavailable (결제 장애, 検索停止)"
    assert redact_text(plain) == plain
    assert redact_url("https://oncall.example.org:9787") == "https://oncall.example.org:9787"


def test_a_broken_url_shows_nothing_after_its_scheme():
    assert redact_url("https://alice:s3cret@host:notaport/x") == f"https://{MASK}"


LEAKY = "Failed to send to https://hooks.example.org/hook?token=hookS3cret (Bearer eyJS3cretT0k)"


def test_a_services_error_sentence_is_quoted_without_its_secrets():
    from app.domain.i18n import Catalog
    from app.domain.service_words import service_said

    for lang in ("en", "ko", "ja"):
        said = service_said(LEAKY, Catalog(lang))
        assert "hookS3cret" not in said and "eyJS3cretT0k" not in said
        assert "hooks.example.org/hook" in said


def test_status_says_a_broken_channel_without_the_secrets_in_its_error():
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from app.cli.status import problems, report_json, report_text
    from app.domain.i18n import Catalog

    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    channel = SimpleNamespace(
        name="team", broken=True, last_ok_at=None, last_failed_at=now, last_error=LEAKY
    )
    report = SimpleNamespace(
        now=now,
        watchers=[],
        alive=lambda **_but: [],
        unwatched=False,
        open_incidents=0,
        next_step=None,
        broken=[channel],
        channels=[channel],
        intake=lambda: [],
    )
    catalog = Catalog("en")
    said = problems(report, catalog)
    shown = "\n".join(
        [*said, report_text(report, catalog, ok=False), str(report_json(report, said))]
    )
    assert "hookS3cret" not in shown and "eyJS3cretT0k" not in shown
    assert "team" in shown and "hooks.example.org/hook" in shown


def test_a_failed_heartbeat_is_said_without_the_urls_token():
    from app.services.engine import Engine

    url = "https://hc.example.org/ping/0a1b2c3d4e5f6a7b?token=hbS3cret"
    problems = []

    def refused(address: str) -> None:
        raise OSError(f"refused by {address}")

    engine = Engine(None, None, None, 60, url, on_problem=problems.append, ping=refused)
    engine._ping_once()
    (said,) = problems
    assert said.startswith("heartbeat ping failed (OSError: refused by https://hc.example.org/")
    assert "hbS3cret" not in said + engine.ping_error
    assert "0a1b2c3d4e5f6a7b" not in said + engine.ping_error
