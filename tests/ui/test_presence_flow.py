"""Presence through the real app: another laptop on the same incident is named on the incident
screen; in the postmortem, another person typing in the same section is named with the section,
and this user is warned when they start typing there too — once."""

from __future__ import annotations

from app.services.presence_service import PresenceService
from storage.database import Database
from tests.conftest import make_settings
from tests.ui.helpers import make_app, settle, text_of, wait_ready
from tests.ui.test_postmortem_flow import resolved_incident


async def test_the_incident_and_the_postmortem_say_who_else_is_there(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYCART_USER", "민지")
    clock, code = resolved_incident(tmp_path)
    other = Database.open(make_settings(tmp_path).db_url)
    laptop = PresenceService(other, clock)  # 준호's laptop
    app = make_app(tmp_path, lang="ko", clock=clock)
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await wait_ready(app, pilot)
            laptop.here("jun", "준호", f"incident:{code}")
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.screen.name == "incident"
            await settle(app, pilot)
            assert text_of(app, "#incident-presence") == "함께 보는 사람: 준호"

            laptop.here("jun", "준호", f"postmortem:{code}", "root_cause", editing=True)
            await pilot.press("escape", "p")
            await settle(app, pilot)
            assert app.screen.name == "postmortem"
            app.screen.go_to("root_cause")
            await settle(app, pilot)
            assert text_of(app, "#pm-presence") == "함께 보는 사람: 준호 (근본 원인, 입력 중)"
            await pilot.press("a", "b")  # 민지 starts typing in the same section
            await settle(app, pilot)
            warnings = [t.render().plain for t in app.screen.query("Toast")]
            shared = [w for w in warnings if "준호님도" in w]
            assert len(shared) == 1 and "“근본 원인”" in shared[0]
            mine = laptop.others("jun", f"postmortem:{code}")
            seen = [(c.person, c.section, c.editing) for c in mine]
            assert seen == [("민지", "root_cause", True)]  # and 준호's laptop sees 민지 typing
    finally:
        other.close()
