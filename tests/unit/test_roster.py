"""The on-call roster: weekly turns from the first handover, an override for a holiday, a
ladder target matched in any of its languages, and a roster with a mistake refused in one
sentence naming the part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.roster import RosterError, parse_roster

SEOUL = ZoneInfo("Asia/Seoul")
ROSTER = {
    "people": {
        "minji": {"name": "민지", "contact": "010-1234-5678", "channels": ["minji-phone"]},
        "haruto": {"name": "はると", "contact": "@haruto"},
        "sam": {"name": "Sam"},
    },
    "levels": {
        "L1 on-call engineer": {
            "rotation": ["minji", "haruto", "sam"],
            "start": "2026-11-02T10:00",
        },
        "L2 tech lead": {"rotation": ["sam"], "start": "2026-11-02T10:00", "every": "2w"},
    },
    "overrides": [
        {
            "level": "L1 on-call engineer",
            "person": "sam",
            "from": "2026-12-24T18:00",
            "until": "2026-12-26T09:00",
        }
    ],
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SEOUL)


def test_weekly_turns_from_the_first_handover():
    roster = parse_roster(ROSTER, SEOUL)
    names = ["L1 on-call engineer"]
    assert roster.holder(names, at("2026-11-01T12:00")) is None  # before the rotation starts
    first = roster.holder(names, at("2026-11-02T10:00"))
    assert (first.person.name, first.until) == ("민지", at("2026-11-09T10:00"))
    assert roster.holder(names, at("2026-11-09T09:59")).person.key == "minji"
    assert roster.holder(names, at("2026-11-09T10:00")).person.key == "haruto"
    assert roster.holder(names, at("2026-11-16T10:00")).person.key == "sam"
    assert roster.holder(names, at("2026-11-23T10:00")).person.key == "minji"  # round again


def test_an_override_wins_while_it_lasts():
    roster = parse_roster(ROSTER, SEOUL)
    names = ["L1 on-call engineer"]
    assert roster.holder(names, at("2026-12-24T17:59")).person.key == "haruto"  # his week
    held = roster.holder(names, at("2026-12-25T12:00"))
    assert (held.person.key, held.override, held.until) == ("sam", True, at("2026-12-26T09:00"))
    assert roster.holder(names, at("2026-12-26T09:00")).person.key == "haruto"  # back to him


def test_a_target_is_found_in_any_of_its_languages():
    roster = parse_roster(ROSTER, SEOUL)
    target = {"ko": "L1 온콜 엔지니어", "en": "L1 On-call Engineer", "ja": "L1 オンコール"}
    assert roster.holder(target.values(), at("2026-11-03T00:00")).person.name == "민지"
    assert roster.holder(["L3 manager"], at("2026-11-03T00:00")) is None
    everyone = roster.on_call(at("2026-11-20T00:00"))
    assert [(h.level, h.person.key) for h in everyone] == [
        ("L1 on-call engineer", "sam"),
        ("L2 tech lead", "sam"),
    ]
    assert everyone[1].until == at("2026-11-30T10:00")  # every two weeks


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda r: r["levels"]["L2 tech lead"].update(rotation=["ana"]), "'ana' is not in"),
        (lambda r: r["levels"]["L2 tech lead"].update(start="soon"), "'soon' is not a time"),
        (lambda r: r["levels"]["L2 tech lead"].update(every="0s"), "longer than zero"),
        (lambda r: r["overrides"][0].update(level="L9"), "no roster level is called 'L9'"),
        (lambda r: r["overrides"][0].update(until="2026-12-01T00:00"), "must come after"),
        (lambda r: r["people"]["sam"].update(phone="1"), "'phone' is not known"),
        (lambda r: r.update(shifts={}), "'shifts' is not a roster part"),
    ],
)
def test_mistakes_are_refused_naming_the_part(change, said):
    import copy

    broken = copy.deepcopy(ROSTER)
    change(broken)
    with pytest.raises(RosterError, match=said):
        parse_roster(broken, SEOUL)


def test_times_with_an_offset_keep_it():
    roster = parse_roster(
        {
            "people": {"a": {}},
            "levels": {"L1": {"rotation": ["a"], "start": "2026-11-02T01:00+00:00"}},
        }
    )
    held = roster.holder(["L1"], datetime(2026, 11, 2, 1, 0, tzinfo=UTC) + timedelta(days=1))
    assert held.person.name == "a" and held.until == datetime(2026, 11, 9, 1, 0, tzinfo=UTC)
