"""What a running drill does on each tick: tells the team the events whose moment has come,
declares the incident itself when the scenario's signal comes from a monitor that declares, and
writes each event into the drill incident's timeline (so its drill postmortem has them); at the
end, the score. Runs against the drill database only."""

from __future__ import annotations

from app.domain.drill.debrief import DRILL_ACTOR
from app.domain.drill.scoring import ScoreCard, score
from app.domain.playbooks import playbook
from app.services.drill_run import DrillRun, Told
from app.services.incident_service import IncidentService


class DrillConductor:
    def __init__(self, run: DrillRun, incidents: IncidentService, policies) -> None:
        """`policies`: the PolicySet the drill app runs with; `incidents`: on the drill db."""
        self.run = run
        self.incidents = incidents
        self.policies = policies

    @property
    def clock(self):
        return self.incidents.clock

    def tick(self) -> list[Told]:
        """The events to tell now (each once, across restarts)."""
        told = self.run.due(self.clock.now())
        if not told:
            return []
        code = self._incident(told)
        if code:
            for item in told:
                self.incidents.add_note(code, DRILL_ACTOR, self.event_line(item, self.run.lang))
        return told

    def _incident(self, told: list[Told]) -> str:
        """The drill incident: the one the team (or the scenario's monitor) declared first."""
        scenario = self.run.scenario
        if not self.run.incident:
            first = self.incidents.first_declared()
            if first is not None:
                self.run.incident = first
            elif scenario.declares and any(item.event.kind == "signal" for item in told):
                policy = self.policies.get(scenario.policy)
                self.run.incident = self.incidents.declare(
                    policy,
                    scenario.title.get(self.run.lang),
                    scenario.declares,
                    DRILL_ACTOR,
                    type_key=scenario.type_key,
                )
            if self.run.incident:
                self.run.save()
        return self.run.incident

    @staticmethod
    def event_line(item: Told, lang: str) -> str:
        source = item.event.source.get(lang) if item.event.source else ""
        text = item.event.text.get(lang)
        return f"[{source}] {text}" if source else text

    def end(self) -> ScoreCard:
        self.run.end(self.clock.now())
        return self.score()

    def score(self) -> ScoreCard:
        """The score as the drill stands (at its end once ended)."""
        run, scenario = self.run, self.run.scenario
        self._incident([])
        view = self.incidents.view(run.incident) if run.incident else None
        policy = self.policies.get(scenario.policy)
        end = run.ended_at or self.clock.now()
        return score(scenario, policy, run.started_at, end, view, playbook(policy.name))
