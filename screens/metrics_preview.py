"""The current period's metrics, read in the background as soon as the board shows its incidents
and again once the incidents have been still for a moment, so that `M` shows the figures in the
metrics screen's first frame. The screen still reads them again as it opens (the same pattern as
the library's first page, screens/library_preview.py) — except when it opens while this read is
under way: then it waits for that read instead of starting a second one beside it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from app.domain.metrics import MetricsReport, period_bounds

# Without a board (the kiosk), the first read starts this long after the services are up.
PREVIEW_AFTER_S = 3.0
# Re-read once changes have stopped this long: a storm of changes costs one read, not one each.
QUIET_S = 2.0

Delivery = Callable[[MetricsReport | None], None]


class MetricsPreview:
    """The report of the active policy over the current quarter (the screen's default)."""

    def __init__(self) -> None:
        self.report: MetricsReport | None = None
        self.policy: str | None = None
        self._timer = None
        self._generation = 0  # a read started before a change keeps nothing
        self._reading: tuple | None = None  # (policy, generation, since, until) under way
        self._waiting: list[Delivery] = []

    def start(self, app) -> None:
        self._timer = app.set_timer(PREVIEW_AFTER_S, partial(self.read, app))
        app.board_shown.subscribe(app, lambda _none: self._first_read(app))
        app.changes.subscribe(app, lambda changes: changes.shown and self._stale(app))
        app.policy_changed.subscribe(app, lambda _none: self._stale(app))

    def _first_read(self, app) -> None:
        if self._timer is not None and self.report is None and self._reading is None:
            self._timer.stop()
            self._timer = None
            self.read(app)

    def _stale(self, app) -> None:
        self.report = None
        self._generation += 1
        self._reading = None
        self._waiting = []  # the screen hears of the same change and reads again itself
        if self._timer is not None:
            self._timer.stop()
        self._timer = app.set_timer(QUIET_S, partial(self.read, app))

    def read(self, app) -> None:
        self._timer = None
        self._deliver(None)  # a read still waited for is superseded: its waiters read again
        since, until = period_bounds("quarter", app.clock.now().astimezone())
        reading = self._reading = (app.active_policy, self._generation, since, until)
        app.run_worker(
            partial(self._read, app, reading),
            thread=True,
            group="metrics-preview",
            exclusive=True,
            exit_on_error=False,
        )

    def _read(self, app, reading: tuple) -> None:
        policy_name, _generation, since, until = reading
        report = None
        try:
            report = app.services.metrics.report(app.policies.get(policy_name), since, until)
        finally:  # a failed read still answers whoever waits for it (they read for themselves)
            app.call_from_thread(self._keep, reading, report)

    def _keep(self, reading: tuple, report: MetricsReport | None) -> None:
        if reading != self._reading:
            return  # superseded: a change came meanwhile, or a newer read began
        self._reading = None
        if report is not None:
            self.policy, self.report = reading[0], report
        self._deliver(report)

    def _deliver(self, report: MetricsReport | None) -> None:
        waiting, self._waiting = self._waiting, []
        for deliver in waiting:
            deliver(report)

    def for_period(self, policy: str, since, until) -> MetricsReport | None:
        report = self.report
        if report is None or self.policy != policy:
            return None
        return report if (report.since, report.until) == (since, until) else None

    def join(self, policy: str, since, until, deliver: Delivery) -> bool:
        """True when these very figures are being read now, begun after the last change:
        `deliver` gets the report when it lands, or None when the read failed or another
        replaced it (then the caller reads for itself). After a change to the incidents or the
        policy it gets nothing: the caller hears of that change too."""
        if self._reading != (policy, self._generation, since, until):
            return False
        self._waiting.append(deliver)
        return True
