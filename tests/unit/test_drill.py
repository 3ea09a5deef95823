"""Drills without the app: the drill clock (accelerated, paused, sped up, and when a drill
moment comes on the real clock), the shipped scenarios (complete in ko / ja / en, valid against
their policies), scenario mistakes refused in one sentence, and the drill folder telling each
event once, across a reopen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.clock import DrillClock, FakeClock, wall_time
from app.domain.drill.debrief import clock_text
from app.domain.drill.scenario import (
    ScenarioError,
    check_against,
    find_scenario,
    from_document,
    starter_scenarios,
)
from app.services.drill_run import DrillFolderError, DrillRun
from app.services.policy_set import load_policies, policy_sources

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICIES = load_policies(policy_sources(None))


def test_the_drill_clock_runs_faster_pauses_and_changes_pace():
    base = FakeClock(START)
    clock = DrillClock(base, 10)
    assert clock.now() == START
    base.advance(6)
    assert clock.now() == START + timedelta(seconds=60)
    clock.pause()
    base.advance(100)
    assert clock.now() == START + timedelta(seconds=60) and clock.paused
    clock.resume()
    base.advance(1)
    assert clock.now() == START + timedelta(seconds=70)
    clock.set_speed(60)
    base.advance(1)
    assert clock.now() == START + timedelta(seconds=130)
    with pytest.raises(ValueError, match="above zero"):
        DrillClock(base, 0)


def test_a_drill_moment_is_found_on_the_real_clock():
    base = FakeClock(START)
    clock = DrillClock(base, 60)
    fifteen_minutes = clock.now() + timedelta(minutes=15)
    assert wall_time(clock, fifteen_minutes) == base.now() + timedelta(seconds=15)
    clock.pause()
    assert wall_time(clock, fifteen_minutes) == base.now() + timedelta(days=1)  # parked
    assert wall_time(base, fifteen_minutes) == fifteen_minutes  # any other clock: the same


@pytest.mark.parametrize("scenario", starter_scenarios(), ids=lambda s: s.key)
def test_every_shipped_scenario_is_complete_in_three_languages(scenario):
    check_against(scenario, POLICIES)
    assert scenario.events[0].kind == "signal" and scenario.events[0].at_s == 0
    assert any(event.kind == "inject" for event in scenario.events)
    for text in [scenario.title, scenario.summary, *(e.text for e in scenario.events)]:
        assert text.languages() == {"ko", "ja", "en"}
    for event in scenario.events:
        assert event.source is not None and event.source.languages() == {"ko", "ja", "en"}
    assert {s.key for s in starter_scenarios()} == {
        "payment-api-outage",
        "data-leak",
        "ai-hallucination",
    }


def scenario_document(**changes) -> dict:
    document = {
        "key": "mine",
        "policy": "web-service",
        "type": "service",
        "severity": "SEV-2",
        "title": {"en": "Mine", "ko": "내 것"},
        "events": [{"at": "0m", "kind": "signal", "text": "Alert"}],
    }
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"events": []}, "mine.toml: the scenario needs at least one [[events]]."),
        (
            {"events": [{"at": "5m", "kind": "fact", "text": "x"}]},
            "mine.toml: the first event must be the signal that starts the incident.",
        ),
        (
            {"events": [{"at": "soon", "kind": "signal", "text": "x"}]},
            "mine.toml, event 1: at is not a duration",
        ),
        (
            {"events": [{"at": "0m", "kind": "panic", "text": "x"}]},
            "mine.toml, event 1: the kind 'panic' is not one of signal, fact, inject",
        ),
        ({"title": {"fr": "Le mien"}}, "mine.toml: title has the language 'fr'"),
        ({"length": "2d"}, "mine.toml: length must be more than zero and at most 24h."),
        ({"colour": "red"}, "mine.toml: unknown field 'colour'."),
    ],
)
def test_a_scenario_with_a_mistake_is_refused_in_one_sentence(changes, sentence):
    with pytest.raises(ScenarioError) as refused:
        from_document(scenario_document(**changes), "mine.toml")
    assert str(refused.value).startswith(sentence)


def test_a_scenario_must_name_what_its_policy_has():
    with pytest.raises(ScenarioError, match=r"severity 'SEV-9' is not a severity of web-service"):
        check_against(from_document(scenario_document(severity="SEV-9"), "m"), POLICIES)
    with pytest.raises(ScenarioError, match=r"there is no policy 'nope'"):
        check_against(from_document(scenario_document(policy="nope"), "m"), POLICIES)
    with pytest.raises(ScenarioError, match=r"There is no scenario 'nope'"):
        find_scenario("nope")


def test_the_drill_folder_tells_each_event_once_even_after_a_reopen(tmp_path):
    base = FakeClock(START)
    clock = DrillClock(base, 600)
    run = DrillRun.create(tmp_path, find_scenario("payment-api-outage"), 600, "ja", clock)
    assert [told.event.kind for told in run.due(clock.now())] == ["signal"]
    assert run.due(clock.now()) == []
    base.advance(0.5)  # five drill minutes: the support tickets (3m) are due
    assert [told.event.at_s for told in run.due(clock.now())] == [180]
    again = DrillRun.open(run.directory)
    assert again.due(clock.now()) == []  # told before the reopen
    assert [told.event.at_s for told in again.told()] == [0, 180]
    base.advance(10)  # past the end: everything left, once
    assert len(again.due(clock.now())) == len(again.scenario.events) - 2
    again.end(clock.now())
    assert DrillRun.open(run.directory).ended_at == clock.now()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "drill.json").write_text("{", "utf-8")
    with pytest.raises(DrillFolderError, match=r"drill\.json is damaged"):
        DrillRun.open(tmp_path / "broken")
    with pytest.raises(DrillFolderError, match="is not a drill folder"):
        DrillRun.open(tmp_path)


def test_drill_time_is_written_as_t_plus():
    assert clock_text(0) == "T+00:00"
    assert clock_text(754) == "T+12:34"
    assert clock_text(3725) == "T+1:02:05"


@pytest.fixture
def in_seoul(monkeypatch):
    """The machine's zone is Asia/Seoul (UTC+9) for this test only."""
    import time

    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.mark.usefixtures("in_seoul")
def test_the_drill_folder_is_named_in_the_local_time_the_debrief_shows(tmp_path):
    from app.domain.message_templates import local_time

    clock = FakeClock(START)  # 09:00 UTC is 18:00 in Seoul
    run = DrillRun.create(tmp_path, find_scenario("payment-api-outage"), 10, "ko", clock)
    assert run.directory.name == "20261202-180000-payment-api-outage"
    assert local_time(run.started_at) == "2026-12-02 18:00 KST"  # as the debrief prints it
