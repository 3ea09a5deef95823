"""Words in the reader's language (issue 31): the declaration's hints for what the incident does
not know yet are written in the reader's language, checklist items and templates reach people
with every {field} filled, type keys become the policy's type names, and a story drafted from a
postmortem tells the whole response."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.domain.i18n import Catalog
from app.domain.message_templates import TEMPLATE_KINDS, fill
from tests.unit.test_board_and_playbooks import T0, _view

ENGLISH_HINT = re.compile(r"\[[A-Za-z_ ]+\]")  # in a Korean or Japanese text
FIELD_NAME = re.compile(r"\[[a-z]+_[a-z_]+\]")  # [tech_lead], in any language


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_the_declarations_hints_are_in_the_readers_language(lang):
    bare = _view(impact="")
    text = fill("declaration", bare, Catalog(lang), T0)
    assert ENGLISH_HINT.findall(text) == []
    hints = {"ko": ("[영향]", "[테크니컬 리드]"), "ja": ("[影響]", "[テクニカルリード]")}[lang]
    for hint in hints:
        assert hint in text


@pytest.mark.parametrize("lang", ["en", "ko", "ja"])
@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_no_template_leaves_an_english_field_name_for_a_hint(lang, kind):
    for status in ("investigating", "resolved"):
        changes = {"status": status}
        if status == "resolved":
            changes["resolved_at"] = T0 + timedelta(minutes=40)
        text = fill(kind, _view(**changes), Catalog(lang), T0 + timedelta(minutes=20))
        text = text.replace("[b]cache[/b]", "")  # the user's own words, kept as typed
        assert FIELD_NAME.findall(text) == [], text
        if lang != "en":
            assert ENGLISH_HINT.findall(text) == [], text


def test_counts_of_one_story_are_singular_in_english():
    en = Catalog("en")
    assert en.t("sheet.booklet_count", count=1) == "1 story"  # the booklet's cover
    assert en.t("sheet.booklet_count", count=3) == "3 stories"
    assert en.t("story.count", shown=1, total=1) == "1 of 1 story"  # the library's count
    assert en.t("story.count_more", shown=1, total=1).startswith("1+ of 1 story ")
    assert Catalog("ko").t("story.count", shown=1, total=1) == "스토리 1개 중 1개"


def test_a_japanese_page_and_kiosk_slide_list_people_with_the_ideographic_comma():
    from app.domain.kiosk_playlist import matrix_rows
    from app.domain.page_context import paged_names
    from app.domain.paging import page_text
    from app.services.policy_set import load_policies, policy_sources
    from tests.unit.test_page_text import payload

    ja = Catalog("ja")
    two = payload(notify=["L1", "L2"], notify_by_language={"ja": ["L1 オンコール", "L2 シニア"]})
    _title, body = page_text(two, "hook", ja)
    assert "L1 オンコール、L2 シニア" in body and "L1 オンコール, L2" not in body
    people = [{"name": "美咲", "contact": "090"}, {"name": "健太", "contact": "080"}]
    _title, body = page_text(payload(people=people), "hook", ja)
    assert "美咲 (090)、健太 (080)" in body
    assert paged_names(two, "ja") == "L1 オンコール、L2 シニア"
    policy = load_policies(policy_sources(None)).get("web-service")
    first = matrix_rows(policy, ja)[0].first_notify  # the kiosk's severity slide, SEV-1
    assert first == "L1 オンコールエンジニア、L3 エンジニアリングマネージャー"


def test_counts_of_one_alert_or_event_are_singular_in_english():
    en = Catalog("en")
    assert en.t("intake.truncated", count=1).startswith("The sender left 1 alert of this group")
    assert en.t("intake.ctx_left_out", count=1).startswith("1 more alert not kept")
    assert en.t("intake.ctx_left_out", count=2).startswith("2 more alerts not kept")
    assert en.t("drill.checked", name="x", count=1) == "Scenario x is fine: 1 event."
    assert en.t("demo.loaded", count=1, url="u").startswith("Loaded 1 made-up incident into u.")


def test_a_count_kept_as_text_in_an_entrys_data_still_reads_right():
    en = Catalog("en")
    assert en.t("intake.truncated", count="1").startswith("The sender left 1 alert of")
    assert en.t("intake.truncated", count="3").startswith("The sender left 3 alerts of")
