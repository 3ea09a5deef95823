"""Where an incident's type is named, people read the policy's name for it in their language
("데이터 인시던트", "Data incident"), never its key ("data") (issue 31)."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.domain.clock import FakeClock
from app.domain.i18n import Catalog, said_in
from app.domain.incident import IncidentError
from app.export.printing import finish
from app.export.regulator_report import regulator_report
from app.services.incident_service import IncidentService
from app.services.policy_set import load_policies, policy_sources
from app.services.policy_versions import PolicyVersions
from storage.database import Database
from tests.export.pdf_checks import squeeze

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICIES = load_policies(policy_sources(None))


@pytest.fixture
def incidents(tmp_path):
    clock = FakeClock(START)
    database = Database.open(f"sqlite:///{tmp_path / 'team.db'}")
    yield IncidentService(database, clock, PolicyVersions(database, clock))
    database.close()


@pytest.mark.parametrize(
    ("lang", "name"),
    [("ko", "데이터 인시던트"), ("ja", "データインシデント"), ("en", "Data incident")],
)
def test_the_regulator_reports_incident_row_names_the_type(incidents, lang, name):
    code = incidents.declare(POLICIES.get("ai-ops"), "로그 노출", "P0", "민지", type_key="data")
    printed = finish(regulator_report(incidents.view(code), None, lang))
    text = squeeze("".join(page.extract_text() for page in PdfReader(BytesIO(printed.data)).pages))
    assert squeeze(f"{code} · P0 · {name}") in text
    assert squeeze("P0 · data") not in text


def test_a_type_without_a_report_clock_is_refused_by_its_name(incidents):
    code = incidents.declare(POLICIES.get("web-service"), "Checkout down", "SEV-2", "민지")
    with pytest.raises(IncidentError) as refused:
        incidents.decide_report(code, "민지", required=True)
    korean = said_in(refused.value, Catalog("ko"))
    assert "서비스 인시던트" in korean and "'service'" not in korean
    assert "“Service incident”" in str(refused.value)
