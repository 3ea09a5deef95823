"""Timeline entries said in the reader's language from their stored data."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.i18n import Catalog
from app.domain.incident_text import entry_text


@dataclass
class Entry:
    kind: str
    text: str
    data: dict | None
    actor: str = "민지"


def test_an_entry_from_before_the_data_column_keeps_its_text():
    old = Entry("escalation", "escalation: notify L2 (step 2, round 1, on time)", None)
    assert entry_text(old, Catalog("ko")) == old.text


def test_data_this_release_cannot_read_falls_back_to_the_text():
    odd = Entry("severity_changed", "SEV-2 -> SEV-1", {"unexpected": True})
    assert entry_text(odd, Catalog("ja")) == "SEV-2 -> SEV-1"


def test_checklist_and_role_entries_in_each_language():
    tick = Entry(
        "checklist",
        "sev1-immediate/verify: done",
        {
            "checklist": "sev1-immediate",
            "item": "verify",
            "done": True,
            "checklist_names": {"en": "First minutes", "ko": "첫 몇 분", "ja": "最初の数分"},
            "item_names": {"en": "Verify impact", "ko": "영향 확인", "ja": "影響を確認"},
        },
    )
    assert entry_text(tick, Catalog("ko")) == "완료: 첫 몇 분 / 영향 확인"
    assert entry_text(tick, Catalog("en")) == "Done: First minutes / Verify impact"
    role = Entry("role", "commander: - -> Alex", {"role": "commander", "from": "", "to": "Alex"})
    assert entry_text(role, Catalog("ja")).endswith("なし → Alex")


def test_a_note_is_the_words_typed_and_control_codes_are_dropped():
    note = Entry("note", "cache\x1b[31m suspect", None)
    assert entry_text(note, Catalog("ko")) == "cache[31m suspect"
