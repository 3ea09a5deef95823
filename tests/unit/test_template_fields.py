"""No {field} reaches a person unfilled (issue 31). Every text shipped in assets is walked: the
ones with a {field} are rendered through the code paths the app uses for a real incident (the
incident screen's checklist, the timeline after a tick, the message templates) and for a drill
(the debrief's score, what to practise next and its timeline, on screen and on paper), in Korean,
Japanese and English, on a real SQLite file; none may keep a {name}."""

from __future__ import annotations

import ast
import re
import tomllib
from datetime import UTC, datetime
from importlib import resources
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.domain.checklist_text import checklist_item_text
from app.domain.clock import DrillClock, FakeClock
from app.domain.drill.debrief import moments, practise_next, score_rows
from app.domain.drill.scenario import starter_scenarios
from app.domain.i18n import LANGUAGES, Catalog
from app.domain.incident_text import entry_text
from app.domain.message_templates import TEMPLATE_KINDS, fill
from app.domain.playbooks import playbook
from app.export.drill_debrief import debrief_pdf
from app.services.drill_conductor import DrillConductor
from app.services.drill_run import DrillRun
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database

FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICIES = load_policies(policy_sources(None))
REPO = Path(__file__).resolve().parents[2]
# The asset folders whose texts are shown to people, and the ones whose {fields} this test
# renders through the app's own code (a field anywhere else has no path that fills it).
SHOWN = ("templates", "playbooks", "drills", "policies", "stories", "blameless")
RENDERED_HERE = ("templates", "playbooks")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _asset_texts():
    root = resources.files("assets")
    files = [root / "training.toml"]
    for folder in SHOWN:
        files += [f for f in (root / folder).iterdir() if f.name.endswith(".toml")]
        if folder == "stories":
            files += [f for f in (root / folder / "starter").iterdir() if f.name.endswith(".toml")]
    for file in files:
        for text in _strings(tomllib.loads(file.read_text("utf-8"))):
            yield Path(str(file)).relative_to(Path(str(root))), text


def test_fields_in_assets_are_only_where_the_app_fills_them():
    with_fields = {
        (path.parts[0], FIELD.search(text).group())
        for path, text in _asset_texts()
        if FIELD.search(text)
    }
    assert {folder for folder, _field in with_fields} <= set(RENDERED_HERE), with_fields
    assert ("playbooks", "{date}") in with_fields  # the war room channel of the checklists


def _left(texts) -> list[str]:
    return [text for text in texts if FIELD.search(text)]


@pytest.mark.parametrize("policy_name", ["web-service", "ai-ops"])
def test_every_checklist_item_and_template_is_filled_for_a_real_incident(tmp_path, policy_name):
    clock = FakeClock(START)
    database = Database.open(f"sqlite:///{tmp_path / 'team.db'}")
    try:
        incidents = IncidentService(database, clock, PolicyVersions(database, clock))
        policy = POLICIES.get(policy_name)
        shown: list[str] = []
        for incident_type in policy.types:
            severity = policy.severities[0].key
            code = incidents.declare(
                policy, "Checkout down", severity, "민지", type_key=incident_type.key
            )
            view = incidents.view(code)
            for checklist in playbook(policy_name):
                if not checklist.applies_to(severity, incident_type.key):
                    continue
                for item in checklist.items:
                    for lang in LANGUAGES:  # the incident screen's checklist tab
                        shown.append(checklist_item_text(item, lang, view.record))
                    incidents.toggle_check(code, "민지", checklist.key, item.key)
            clock.advance(30 * 60)
            incidents.resolve(code, "민지", "rolled back")
            view = incidents.view(code)
            for lang in LANGUAGES:
                catalog = Catalog(lang)
                shown += [entry_text(entry, catalog) for entry in view.timeline]
                shown += [fill(kind, view, catalog, clock.now()) for kind in TEMPLATE_KINDS]
    finally:
        database.close()
    assert any("#incident-20261202-" in text for text in shown) or policy_name != "web-service"
    assert _left(shown) == []


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


@pytest.mark.parametrize("scenario", starter_scenarios(), ids=lambda s: s.key)
def test_every_drill_debrief_is_filled_in_every_language(tmp_path, scenario):
    """A drill nobody ticked a checklist in: the debrief lists every item as what to practise."""
    base = FakeClock(START)
    clock = DrillClock(base, 600)
    database = Database.open(f"sqlite:///{tmp_path / 'drill.db'}")
    try:
        incidents = IncidentService(database, clock, PolicyVersions(database, clock))
        run = DrillRun.create(tmp_path / "run", scenario, 600, "ko", clock)
        conductor = DrillConductor(run, incidents, POLICIES)
        conductor.tick()
        if not run.incident:
            policy = POLICIES.get(scenario.policy)
            incidents.declare(
                policy,
                scenario.title.get("ko"),
                scenario.severity,
                "민지",
                type_key=scenario.type_key,
            )
        base.advance(10)
        conductor.tick()
        card = conductor.end()
        view = incidents.view(run.incident or incidents.first_declared())
        shown: list[str] = []
        for lang in LANGUAGES:
            catalog = Catalog(lang)
            shown += practise_next(card, catalog)
            shown += [
                text
                for row in score_rows(card, catalog)
                for text in vars(row).values()
                if isinstance(text, str)
            ]
            shown += [m.text for m in moments(run.told(), view, run.started_at, lang, catalog)]
            shown.append(_pdf_text(debrief_pdf(run, card, view, lang, clock.now()).data))
    finally:
        database.close()
    assert _left(shown) == []


def _literal_catalog_calls():
    """t("key") calls written with a literal key and no values, across the app's code."""
    for folder in ("app", "screens", "widgets"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if not isinstance(node, ast.Call) or node.keywords or len(node.args) != 1:
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                argument = node.args[0]
                literal = isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                if name == "t" and literal:
                    yield f"{path.relative_to(REPO)}:{node.lineno}", argument.value


def test_no_catalog_sentence_with_fields_is_shown_without_its_values():
    """Catalog.t(key) without values returns the sentence as written: its {fields} would show."""
    for lang in LANGUAGES:
        catalog = Catalog(lang)
        raw = [
            (where, key)
            for where, key in _literal_catalog_calls()
            if catalog.get(key) and FIELD.search(catalog.get(key))
        ]
        assert raw == [], lang
