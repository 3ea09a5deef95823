"""What a checklist tick writes into the timeline: the checklist's and the item's names in every
language, as the playbook had them, the item's {fields} filled from the incident (so the
timeline, the postmortem and the drill debrief never show `#incident-{date}`)."""

from __future__ import annotations

from app.domain.checklist_text import checklist_item_text
from app.domain.i18n import LANGUAGES
from app.domain.playbooks import playbook


def check_data(record, checklist: str, item: str, done: bool, policies) -> dict:
    policy, _version = policies(record.policy_id)
    data: dict = {"checklist": checklist, "item": item, "done": done}
    for entry in playbook(policy.name):
        if entry.key != checklist:
            continue
        data["checklist_names"] = {lang: entry.title.get(lang) for lang in LANGUAGES}
        for candidate in entry.items:
            if candidate.key == item:
                data["item_names"] = {
                    lang: checklist_item_text(candidate, lang, record) for lang in LANGUAGES
                }
    return data
