"""The app's part in a running drill (`storycart drill start`): the drill clock's keys (F10
pause / resume, F12 end and score), the events told as they come due — each a notification
marked DRILL, and a line in the banner — and the debrief at the end. Mixed into StoryCartApp;
the drill's data lives in its own database, so everything else in the app works unchanged."""

from __future__ import annotations

from textual import work
from textual.message import Message
from textual.signal import Signal

from app.domain.drill.debrief import clock_text
from app.domain.textsafe import printable

DRILL_BINDINGS = (
    ("f10", "drill_pause", "binding.drill_pause", True, True),
    ("f12", "drill_end", "binding.drill_end", True, True),
)
TICK_SECONDS = 0.25


class DrillEventsTold(Message):
    def __init__(self, told: list) -> None:
        super().__init__()
        self.told = told


class DrillScored(Message):
    def __init__(self, card, ended: bool) -> None:
        super().__init__()
        self.card = card
        self.ended = ended


class DrillActions:
    """Needs the App's `clock` (a DrillClock), `catalog`, `policies`, `drill_run`."""

    drill = None  # the DrillConductor, once the drill database is open
    drill_banner = ""
    drill_latest = ""

    def setup_drill(self) -> None:
        """In __init__: the banner's signal and the keys."""
        from screens.localized import bind_localized

        self.drill_banner_changed: Signal[str] = Signal(self, "drill-banner")
        bind_localized(self, self.catalog, DRILL_BINDINGS)
        self.drill_banner = self._banner_text()

    def start_drill(self, services) -> None:
        """Once the drill database is open: tell the events as they come due."""
        from app.services.drill_conductor import DrillConductor

        self.drill = DrillConductor(self.drill_run, services.incidents, self.policies)
        if self.drill_run.ended_at is None and not self.drill_run.delivered:
            self.clock.resume()  # drill time starts with the board, not with the process
        self.set_interval(TICK_SECONDS, self.drill_tick)
        self.drill_tick()

    _ticking = False

    def drill_tick(self) -> None:
        # Skipped while one runs (not an exclusive worker: a cancelled one fails anyone
        # waiting for the app's workers).
        if not self._ticking:
            self._ticking = True
            self._tell_due()

    @work(thread=True, exit_on_error=False, group="drill")
    def _tell_due(self) -> None:
        try:
            told = self.drill.tick()
        finally:
            self._ticking = False
        if told:
            self.post_message(DrillEventsTold(told))
        else:
            self.call_from_thread(self._publish_banner)

    async def on_drill_events_told(self, message: DrillEventsTold) -> None:
        t = self.catalog.t
        for item in message.told:
            line = self.drill.event_line(item, self.catalog.lang)
            self.drill_latest = f"{clock_text(item.event.at_s)} {line}"
            self.notify(
                printable(line),
                title=t("drill.notice_title", clock=clock_text(item.event.at_s)),
                severity="warning",
                timeout=20,
                markup=False,
            )
        self._publish_banner()
        self.incidents_changed.publish(None)
        if self.escalations is not None:
            await self.escalations.sweep_now()  # a monitor's declaration: its first steps now

    def _banner_text(self) -> str:
        t, run = self.catalog.t, self.drill_run
        now = self.clock.now()
        parts = [
            t("drill.banner_mark"),
            printable(run.scenario.title.get(self.catalog.lang)),
            f"{run.speed:g}×",
            clock_text(run.elapsed_s(now)),
        ]
        if run.ended_at is not None:
            parts.append(t("drill.banner_ended"))
        elif self.clock.paused:
            parts.append(t("drill.banner_paused"))
        parts.append(t("drill.banner_keys"))
        text = " · ".join(parts)
        if self.drill_latest:
            text += "\n" + t("drill.banner_latest", text=printable(self.drill_latest))
        return text

    def _publish_banner(self) -> None:
        self.drill_banner = self._banner_text()
        self.drill_banner_changed.publish(self.drill_banner)

    async def action_drill_pause(self) -> None:
        if self.drill_run.ended_at is not None:
            return
        if self.clock.paused:
            self.clock.resume()
            self.notify(self.catalog.t("drill.resumed"), timeout=3)
        else:
            self.clock.pause()
            self.notify(self.catalog.t("drill.paused"), timeout=3)
        self._publish_banner()
        if self.escalations is not None:
            await self.escalations.sweep_now()  # wake-ups planned for the new pace

    def action_drill_end(self) -> None:
        """End the drill (the clock stops) and show the debrief; again: the debrief."""
        if self.drill is None:
            self.notify(self.catalog.t("notice.not_ready"), timeout=3)
            return
        self._score(end=self.drill_run.ended_at is None)

    @work(thread=True, exit_on_error=False, group="drill-score", exclusive=True)
    def _score(self, end: bool) -> None:
        if end:
            self.clock.pause()
            card = self.drill.end()
        else:
            card = self.drill.score()
        self.post_message(DrillScored(card, end))

    def on_drill_scored(self, message: DrillScored) -> None:
        from screens.drill_debrief import DebriefScreen

        self._publish_banner()
        if message.ended:
            text = self.catalog.t("drill.ended", percent=message.card.percent)
            self.notify(text, timeout=6, markup=False)
        if not isinstance(self.screen, DebriefScreen):
            self.push_screen(DebriefScreen(self.catalog, message.card))

    # -- starting one from the real board -------------------------------------------------

    def drill_launcher(self, command: list[str]) -> int:
        from screens.drill_setup import run_in_terminal

        return run_in_terminal(self, command)

    def action_start_drill(self) -> None:
        if self.services is None:
            self.notify(self.catalog.t("notice.not_ready"), timeout=3)
            return
        self._drill_choices()

    @work(thread=True, exit_on_error=False, group="drill-setup", exclusive=True)
    def _drill_choices(self) -> None:
        from app.domain.drill.scenario import starter_scenarios

        lang = self.catalog.lang
        scenarios = [(s.key, s.title.get(lang)) for s in starter_scenarios()]
        replays = self.services.incidents.recently_resolved(10)
        self.call_from_thread(self._choose_drill, scenarios, replays)

    def _choose_drill(self, scenarios, replays) -> None:
        from screens.drill_setup import DrillSetupDialog, drill_command

        def chosen(answer) -> None:
            if answer is not None:
                kind, key, speed = answer
                self.drill_launcher(drill_command(self.settings, kind, key, speed))

        self.push_screen(DrillSetupDialog(self.catalog, scenarios, replays), chosen)

    def drill_palette(self):
        yield ("drill_pause", self.action_drill_pause)
        yield ("drill_end", self.action_drill_end)
