"""The app's part in a running drill (`storycart drill start`): the drill clock's keys (F10
pause / resume, F12 end and score), the events told as they come due — each a notification
marked DRILL, and a line in the banner — and the debrief at the end; and starting a drill from
the real board. The App holds one (`app.drills`) and its actions hand over to it; the drill's
data lives in its own database, so everything else in the app works unchanged."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.signal import Signal

from app.domain.drill.debrief import clock_text
from app.domain.textsafe import printable

if TYPE_CHECKING:
    from textual.app import App

DRILL_BINDINGS = (
    ("f10", "drill_pause", "binding.drill_pause", True, True),
    ("f12", "drill_end", "binding.drill_end", True, True),
)
TICK_SECONDS = 0.25


class DrillControl:
    """Needs the App's `clock` (a DrillClock during a drill), `catalog`, `policies`,
    `drill_run`, `services`, `engine`, `escalations` and `drill_launcher`."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.conductor = None  # the DrillConductor, once the drill database is open
        self.banner = ""
        self.latest = ""
        self.banner_changed: Signal[str] = Signal(app, "drill-banner")
        # Skipped while one runs (not an exclusive worker: a cancelled one fails anyone
        # waiting for the app's workers).
        self._ticking = False

    def setup(self) -> None:
        """In the App's __init__, during a drill: the keys and the banner's first text."""
        from screens.localized import bind_localized

        bind_localized(self.app, self.app.catalog, DRILL_BINDINGS)
        self.banner = self._banner_text()

    def start(self, services) -> None:
        """Once the drill database is open: tell the events as they come due."""
        from app.services.drill_conductor import DrillConductor

        app = self.app
        self.conductor = DrillConductor(app.drill_run, services.incidents, app.policies)
        if app.drill_run.ended_at is None and not app.drill_run.delivered:
            app.clock.resume()  # drill time starts with the board, not with the process
        app.set_interval(TICK_SECONDS, self.tick)
        self.tick()

    def tick(self) -> None:
        if not self._ticking:
            self._ticking = True
            self.app.run_worker(self._tell_due, thread=True, exit_on_error=False, group="drill")

    def _tell_due(self) -> None:
        """In a worker thread: the events now due, told on the app's loop."""
        try:
            told = self.conductor.tick()
        finally:
            self._ticking = False
        if told:
            self.app.call_later(self._events_told, told)
        else:
            self.app.call_from_thread(self._publish_banner)

    async def _events_told(self, told: list) -> None:
        app, t = self.app, self.app.catalog.t
        for item in told:
            line = self.conductor.event_line(item, app.catalog.lang)
            self.latest = f"{clock_text(item.event.at_s)} {line}"
            app.notify(
                printable(line),
                title=t("drill.notice_title", clock=clock_text(item.event.at_s)),
                severity="warning",
                timeout=20,
                markup=False,
            )
        self._publish_banner()
        if app.engine is not None:
            # Which incidents the events touched is what the change feed finds out; a
            # monitor's declaration then has its first steps planned at once.
            app.engine.changes.made_here(board=True)

    def _banner_text(self) -> str:
        app = self.app
        t, run = app.catalog.t, app.drill_run
        now = app.clock.now()
        parts = [
            t("drill.banner_mark"),
            printable(run.scenario.title.get(app.catalog.lang)),
            f"{run.speed:g}×",
            clock_text(run.elapsed_s(now)),
        ]
        if run.ended_at is not None:
            parts.append(t("drill.banner_ended"))
        elif app.clock.paused:
            parts.append(t("drill.banner_paused"))
        parts.append(t("drill.banner_keys"))
        text = " · ".join(parts)
        if self.latest:
            text += "\n" + t("drill.banner_latest", text=printable(self.latest))
        return text

    def _publish_banner(self) -> None:
        self.banner = self._banner_text()
        self.banner_changed.publish(self.banner)

    async def pause(self) -> None:
        """F10: pause the drill clock, or resume it."""
        app = self.app
        if app.drill_run.ended_at is not None:
            return
        if app.clock.paused:
            app.clock.resume()
            app.notify(app.catalog.t("drill.resumed"), timeout=3)
        else:
            app.clock.pause()
            app.notify(app.catalog.t("drill.paused"), timeout=3)
        self._publish_banner()
        if app.escalations is not None:
            app.escalations.plan_soon(None)  # wake-ups planned for the new pace

    def end(self) -> None:
        """F12: end the drill (the clock stops) and show the debrief; again: the debrief."""
        app = self.app
        if self.conductor is None:
            app.notify(app.catalog.t("notice.not_ready"), timeout=3)
            return
        app.run_worker(
            partial(self._score, app.drill_run.ended_at is None),
            thread=True,
            exit_on_error=False,
            group="drill-score",
            exclusive=True,
        )

    def _score(self, end: bool) -> None:
        if end:
            self.app.clock.pause()
            card = self.conductor.end()
        else:
            card = self.conductor.score()
        self.app.call_later(self._scored, card, end)

    def _scored(self, card, ended: bool) -> None:
        from screens.drill_debrief import DebriefScreen

        app = self.app
        self._publish_banner()
        if ended:
            app.notify(app.catalog.t("drill.ended", percent=card.percent), timeout=6, markup=False)
        if not isinstance(app.screen, DebriefScreen):
            app.push_screen(DebriefScreen(app.catalog, card))

    def palette(self):
        """The palette's drill entries while a drill runs."""
        yield ("drill_pause", self.pause)
        yield ("drill_end", self.end)

    # -- starting one from the real board -------------------------------------------------

    def choose(self) -> None:
        """Which drill to start (a starter scenario or a replay), then start it."""
        app = self.app
        if app.services is None:
            app.notify(app.catalog.t("notice.not_ready"), timeout=3)
            return
        app.run_worker(
            self._drill_choices,
            thread=True,
            exit_on_error=False,
            group="drill-setup",
            exclusive=True,
        )

    def _drill_choices(self) -> None:
        from app.domain.drill.scenario import starter_scenarios

        app = self.app
        lang = app.catalog.lang
        scenarios = [(s.key, s.title.get(lang)) for s in starter_scenarios()]
        replays = app.services.incidents.recently_resolved(10)
        app.call_from_thread(self._choose_drill, scenarios, replays)

    def _choose_drill(self, scenarios, replays) -> None:
        from screens.drill_setup import DrillSetupDialog, drill_command

        app = self.app

        def chosen(answer) -> None:
            if answer is not None:
                kind, key, speed = answer
                app.drill_launcher(drill_command(app.settings, kind, key, speed))

        app.push_screen(DrillSetupDialog(app.catalog, scenarios, replays), chosen)
