"""A page's text from a hand-built payload: the monitor's essentials (host, summary, runbook and
dashboard links) as lines in the channel's language, text from outside kept to one line each,
the acknowledge link when the page carries one, and mail's HTML saying the same."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.i18n import Catalog
from app.domain.page_context import paged_names
from app.domain.page_html import mail_html
from app.domain.paging import page_text

DECLARED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def payload(**extra) -> dict:
    return {
        "incident": "INC-2026-0007",
        "title": "Checkout down",
        "severity": "SEV-1",
        "step": "SEV-1#0",
        "round": 0,
        "position": 0,
        "notify": ["L1 on-call engineer"],
        "notify_by_language": {"ko": ["L1 온콜 엔지니어"], "ja": ["L1 オンコールエンジニア"]},
        "declared_at": DECLARED.isoformat(),
        "fired_at": DECLARED.isoformat(),
        **extra,
    }


ALERT = {
    "source": "alertmanager",
    "host": "db-7.prod",
    "summary": "Replication lag above 30 s",
    "runbook_url": "https://wiki.example.org/runbooks/replication",
    "dashboard_url": "https://grafana.example.org/d/db?var-host=db-7",
}


def lines(page: dict, lang: str, **kwargs) -> list[str]:
    return page_text(page, "page:phone", Catalog(lang), **kwargs)[1].splitlines()


def test_the_monitors_essentials_are_lines_in_the_channels_language():
    now = DECLARED.replace(minute=4)
    fired_late = {"fired_at": now.isoformat()}  # the step fired 4 min in, sent at once
    assert lines(payload(alert=ALERT, **fired_late), "en", now=now)[1:7] == [
        "Open for 4 min",
        "Alert from: alertmanager",
        "Host: db-7.prod",
        "Summary: Replication lag above 30 s",
        "Runbook: https://wiki.example.org/runbooks/replication",
        "Dashboard: https://grafana.example.org/d/db?var-host=db-7",
    ]
    assert lines(payload(alert=ALERT, **fired_late), "ko", now=now)[2:7] == [
        "알림 출처: alertmanager",
        "호스트: db-7.prod",
        "요약: Replication lag above 30 s",
        "런북: https://wiki.example.org/runbooks/replication",
        "대시보드: https://grafana.example.org/d/db?var-host=db-7",
    ]
    assert lines(payload(alert=ALERT, **fired_late), "ja", now=now)[3] == "ホスト: db-7.prod"


def test_a_page_held_up_says_so_and_one_sent_at_once_does_not():
    """A page that went out long after its step fired (a failing channel, a dead process)
    says when the step fired, so the reader knows the clock has run."""
    late = lines(payload(), "en", now=DECLARED.replace(minute=7))
    assert late[1:3] == [
        "Open for 7 min",
        "Held up: the step fired at 2026-11-24 09:00 UTC; this page went out 7 min later",
    ]
    prompt = lines(payload(), "en", now=DECLARED.replace(second=59))
    assert not [line for line in prompt if line.startswith("Held up")]


def test_a_step_fired_by_hand_says_who_not_what_was_missed():
    manual = payload(reason="manual", actor="minji", note_by_language={"en": "no answer"})
    said = lines(manual, "en", now=DECLARED)
    assert "Escalated by hand by minji" in said and not [x for x in said if "no answer" in x]
    ruled = lines(payload(reason="on time", note_by_language={"en": "no answer"}), "en")
    assert "Why: no answer" in ruled


def test_what_the_monitor_left_out_is_left_out():
    said = lines(payload(alert={"host": "web-1", "summary": "", "runbook_url": None}), "en")
    assert "Host: web-1" in said
    assert not [line for line in said if line.startswith(("Summary", "Runbook", "Dashboard"))]
    assert lines(payload(), "en") == lines(payload(alert="not a table"), "en")


def test_text_from_a_monitor_cannot_forge_a_line_or_hide_control_codes():
    summary = "disk full\nAcknowledge: https://evil.example/ack\x1b[2J" + "x" * 500
    said = lines(payload(alert={"summary": summary}, title="Down\r\nPage key: fake"), "en")
    (line,) = [line for line in said if line.startswith("Summary:")]
    assert line.startswith("Summary: disk full Acknowledge: https://evil.example/ack[2J")
    assert len(line) < 320 and line.endswith("…")
    assert [x for x in said if x.startswith("Acknowledge:")] == [
        "Acknowledge: storycart incident ack INC-2026-0007"
    ]
    title, _body = page_text(payload(title="Down\r\nPage key: fake"), "page:x", Catalog("en"))
    assert "\n" not in title and "\r" not in title


def test_a_page_with_a_link_names_it_first_and_the_command_after():
    link = "https://oncall.example.org/ack/AbC_dEf-123"
    said = lines(payload(), "ko", ack_url=link)
    assert said[-3:-1] == [
        f"확인(Ack): {link}",
        "또는 터미널에서: storycart incident ack INC-2026-0007",
    ]


def test_who_was_paged_is_named_as_the_reader_names_them():
    people = [{"level": "L1 on-call engineer", "name": "민지", "contact": "010"}]
    assert paged_names(payload(people=people), "ko") == "민지 (L1 on-call engineer)"
    assert paged_names(payload(), "ja") == "L1 オンコールエンジニア"
    assert paged_names(payload(), "en") == "L1 on-call engineer"


def test_mail_html_keeps_the_lines_escapes_values_and_links_only_web_addresses():
    body = (
        "Title: <script>x</script> & co\nRunbook: https://wiki.example.org/a?b=1&c=2\njavascript:x"
    )
    html = mail_html(body)
    assert html.split("<br>") == [
        "Title: &lt;script&gt;x&lt;/script&gt; &amp; co",
        'Runbook: <a href="https://wiki.example.org/a?b=1&amp;c=2">'
        "https://wiki.example.org/a?b=1&amp;c=2</a>",
        "javascript:x",
    ]
