"""The current period's metrics, read in the background a while after the board is up and
again once the incidents have been still for a moment, so that `M` shows the figures in the
metrics screen's first frame; the screen still reads them again as it opens (the same pattern
as the library's first page, screens/library_preview.py)."""

from __future__ import annotations

from functools import partial

from app.domain.metrics import MetricsReport, period_bounds

# After the board's own start-up work (and the library's first page), not competing with it.
PREVIEW_AFTER_S = 3.0
# Re-read once changes have stopped this long: a storm of changes costs one read, not one each.
QUIET_S = 2.0


class MetricsPreview:
    """The report of the active policy over the current quarter (the screen's default)."""

    def __init__(self) -> None:
        self.report: MetricsReport | None = None
        self.policy: str | None = None
        self._timer = None
        self._generation = 0  # a read started before a change keeps nothing

    def start(self, app) -> None:
        self._timer = app.set_timer(PREVIEW_AFTER_S, partial(self.read, app))
        app.changes.subscribe(app, lambda changes: changes.shown and self._stale(app))
        app.policy_changed.subscribe(app, lambda _none: self._stale(app))

    def _stale(self, app) -> None:
        self.report = None
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = app.set_timer(QUIET_S, partial(self.read, app))

    def read(self, app) -> None:
        app.run_worker(
            partial(self._read, app, app.active_policy, self._generation),
            thread=True,
            group="metrics-preview",
            exclusive=True,
            exit_on_error=False,
        )

    def _read(self, app, policy_name: str, generation: int) -> None:
        since, until = period_bounds("quarter", app.clock.now().astimezone())
        policy = app.policies.get(policy_name)
        report = app.services.metrics.report(policy, since, until)
        app.call_from_thread(self._keep, policy_name, report, generation)

    def _keep(self, policy: str, report: MetricsReport, generation: int) -> None:
        if generation == self._generation:
            self.policy, self.report = policy, report

    def for_period(self, policy: str, since, until) -> MetricsReport | None:
        report = self.report
        if report is None or self.policy != policy:
            return None
        return report if (report.since, report.until) == (since, until) else None
