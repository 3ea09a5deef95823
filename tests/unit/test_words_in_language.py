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
