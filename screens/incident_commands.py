"""The actions on one incident, shared by the board (the incident under the cursor) and the
incident screen (the one it shows): dialogs in, the change in a worker, the app told after."""

from __future__ import annotations

from collections.abc import Iterator

from screens import anywhere_actions
from screens.base import Command, StoryCartScreen, dialogs
from screens.story_drafting import draft_story


class IncidentCommandsScreen(StoryCartScreen):
    def incident_code(self) -> str | None:
        """The incident an action applies to (None, said to the user, when there is none)."""
        raise NotImplementedError

    def incident_item(self, code: str):
        """(record, policy) of incident `code` as this screen last loaded it, or (None, None)."""
        raise NotImplementedError

    def palette_commands(self) -> Iterator[Command]:
        yield from super().palette_commands()
        yield ("acknowledge", self.action_acknowledge)
        yield ("update", self.action_post_update)
        yield ("resolve", self.action_resolve)
        yield ("reopen", self.action_reopen)
        yield ("severity", self.action_change_severity)
        yield ("escalate", self.action_escalate)
        yield ("note", self.action_add_note)
        yield ("times", self.action_set_times)
        yield ("report_duty", self.action_report_duty)
        yield ("coach", self.action_coach)
        yield ("postmortem", self.action_write_postmortem)
        yield ("write_story", self.action_write_story)
        yield ("nominate_incident", self.action_nominate)

    def _target(self) -> str | None:
        """The incident to change; before the database is open too (the change waits for it:
        StoryCartScreen.change_incidents)."""
        return self.incident_code()

    def _target_now(self) -> str | None:
        """The incident, for what needs the database at once (a screen that reads it)."""
        code = self.incident_code()
        return code if code and self.ready_services() is not None else None

    def _change(self, change, notice_key: str) -> None:
        self.change_incidents(change, notice_key)

    def action_acknowledge(self) -> None:
        if code := self._target():
            user = self.host.settings.user
            self._change(lambda s: s.incidents.acknowledge(code, user), "notice.acked")

    def action_reopen(self) -> None:
        if code := self._target():
            user = self.host.settings.user
            self._change(lambda s: s.incidents.reopen(code, user), "notice.reopened")

    def action_post_update(self) -> None:
        if not (code := self._target()):
            return
        record, _policy = self.incident_item(code)
        user = self.host.settings.user

        def answered(result) -> None:
            if result is not None:
                status, text = result
                self._change(
                    lambda s: s.incidents.post_update(code, user, status, text), "notice.updated"
                )

        status = record.status if record is not None else "investigating"
        self.app.push_screen(dialogs.UpdateDialog(self.catalog, code, status), answered)

    def action_resolve(self) -> None:
        if not (code := self._target()):
            return
        user = self.host.settings.user

        record, policy = self.incident_item(code)

        def answered(text: str | None) -> None:
            if text is not None:
                self.change_incidents(
                    lambda s: s.incidents.resolve(code, user, text),
                    "notice.resolved",
                    after=self._care_after(record, policy),
                )

        title = self.catalog.t("resolve.title", code=code)
        dialog = dialogs.TextDialog(self.catalog, title, "resolve.text", False)
        self.app.push_screen(dialog, answered)

    def _care_after(self, record, policy):
        """Seed 002: after a hard incident, a self-care card for whoever resolved it."""
        from screens.self_care import SelfCareDialog, deserves_care

        if record is None or policy is None or not deserves_care(policy, record.severity):
            return None
        return lambda: self.app.push_screen(SelfCareDialog(self.catalog))

    def action_change_severity(self) -> None:
        if not (code := self._target()):
            return
        record, policy = self.incident_item(code)
        if policy is None:
            return
        lang = self.catalog.lang
        options = [(f"{s.key} · {s.name.get(lang)}", s.key) for s in policy.severities]
        user = self.host.settings.user

        def chosen(severity: str | None) -> None:
            if severity is not None:
                self._change(
                    lambda s: s.incidents.change_severity(code, user, severity),
                    "notice.severity_changed",
                )

        title = self.catalog.t("severity.title", code=code)
        self.app.push_screen(dialogs.ChoiceDialog(title, options, record.severity), chosen)

    def action_escalate(self) -> None:
        if not (code := self._target()):
            return
        user = self.host.settings.user

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._change(lambda s: s.incidents.escalate_now(code, user), "notice.escalated")

        question = self.catalog.t("escalate.question", code=code)
        self.app.push_screen(dialogs.ConfirmDialog(self.catalog, question), confirmed)

    def action_set_times(self) -> None:
        """Correct when the impact began and when the first signal came (the metrics)."""
        if not (code := self._target()):
            return
        record, _policy = self.incident_item(code)
        if record is None:
            return
        user = self.host.settings.user

        def answered(result) -> None:
            if result is not None:
                started, detected = result
                self._change(
                    lambda s: s.incidents.set_times(code, user, started, detected), "notice.times"
                )

        dialog = dialogs.TimesDialog(self.catalog, code, record, self.host.clock.now())
        self.app.push_screen(dialog, answered)

    def action_report_duty(self) -> None:
        """Seed 001 §3-2: decide whether the regulator must be told, or record the filing."""
        if not (code := self._target()):
            return
        user = self.host.settings.user
        t = self.catalog.t
        options = [
            (t("report.required"), "required"),
            (t("report.not_required"), "not_required"),
            (t("report.filed"), "filed"),
        ]

        def chosen(choice: str | None) -> None:
            if choice == "filed":
                self._change(lambda s: s.incidents.file_report(code, user), "notice.report")
            elif choice is not None:
                required = choice == "required"
                self._change(
                    lambda s: s.incidents.decide_report(code, user, required), "notice.report"
                )

        title = t("report.title", code=code)
        self.app.push_screen(dialogs.ChoiceDialog(title, options, None), chosen)

    def action_add_note(self) -> None:
        if not (code := self._target()):
            return
        user = self.host.settings.user

        def answered(result) -> None:
            if result is not None:
                text, certainty = result
                self._change(
                    lambda s: s.incidents.add_note(code, user, text, certainty), "notice.noted"
                )

        title = self.catalog.t("note.title", code=code)
        self.app.push_screen(dialogs.NoteDialog(self.catalog, title), answered)

    def coach_severity(self) -> tuple[object, str | None]:
        """(policy, severity) the coach opens on: the active policy, no severity."""
        host = self.host
        return host.policies.get(host.active_policy), None

    def action_coach(self) -> None:
        policy, severity = self.coach_severity()
        self.app.push_screen(dialogs.CoachDialog(self.catalog, policy, severity))

    def action_write_postmortem(self) -> None:
        if not (code := self._target_now()):
            return
        record, _policy = self.incident_item(code)
        if record is not None and record.resolved_at is None:
            self.notify(self.catalog.t("notice.resolve_first", code=code), timeout=4)
            return
        from screens.postmortem import PostmortemScreen

        self.app.push_screen(PostmortemScreen(self.catalog, code))

    def action_write_story(self) -> None:
        if code := self._target_now():
            draft_story(self, code)

    def action_nominate(self) -> None:
        if code := self.incident_code():
            anywhere_actions.nominate(self, code)
