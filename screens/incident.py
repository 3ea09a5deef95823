"""Incident detail: the ladder with each step's state, the timeline (fact or hypothesis), roles,
checklists with saved ticks, and message templates ready to copy or save."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Select, Static, TabbedContent, TabPane, TextArea

from app.domain.board_rows import clock_text
from app.domain.checklist_text import checklist_item_text
from app.domain.clock import Clock
from app.domain.escalation import plan
from app.domain.i18n import Catalog
from app.domain.incident import ROLES, IncidentView, incident_facts
from app.domain.message_templates import TEMPLATE_KINDS, fill
from app.domain.playbooks import checklists_for, current_phase
from app.domain.textsafe import printable
from app.services.files import write_file
from screens.base import Command, dialogs
from screens.incident_alerts import IncidentAlerts
from screens.incident_commands import IncidentCommandsScreen
from screens.incident_ladder import Ladder
from screens.incident_timeline import Timeline
from screens.localized import bind_localized
from screens.presence_text import presence_text
from widgets.fit_footer import FitFooter


class IncidentLoaded(Message):
    def __init__(self, view: IncidentView) -> None:
        super().__init__()
        self.view = view


class IncidentScreen(IncidentCommandsScreen):
    BINDING_SPECS = (
        ("a", "acknowledge", "binding.acknowledge", True),
        ("u", "post_update", "binding.update", True),
        ("r", "resolve", "binding.resolve", True),
        ("o", "reopen", "binding.reopen", False),
        ("s", "change_severity", "binding.severity", True),
        ("e", "escalate", "binding.escalate", True),
        ("t", "add_note", "binding.note", True),
        ("T", "set_times", "binding.times", False),
        ("R", "report_duty", "binding.report_duty", False),
        ("g", "assign_role", "binding.role", False),
        ("space", "toggle_check", "binding.tick", False),
        ("c", "copy_template", "binding.copy", False),
        ("w", "save_template", "binding.save", False),
        ("f", "coach", "binding.coach", False),
        ("p", "write_postmortem", "binding.postmortem", True),
        ("1", "tab('ladder')", "binding.tab_ladder", False),
        ("2", "tab('timeline')", "binding.tab_timeline", False),
        ("3", "tab('roles')", "binding.tab_roles", False),
        ("4", "tab('checklists')", "binding.tab_checklists", False),
        ("5", "tab('templates')", "binding.tab_templates", False),
        ("6", "tab('alerts')", "binding.tab_alerts", False),
        ("escape,b", "app.show_board", "binding.board", True),
    )

    def __init__(self, catalog: Catalog, clock: Clock, code: str) -> None:
        super().__init__(name="incident")
        self.catalog = catalog
        self.clock = clock
        self.code = code
        self.view: IncidentView | None = None
        self.ladder = Ladder(catalog)
        self.timeline = Timeline(catalog)
        self._template_filled = ""  # the message as last filled in, before any edit
        bind_localized(self, catalog, self.BINDING_SPECS)

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        yield Static(Content(self.code), id="screen-title")
        yield Static(id="incident-summary")
        yield Static(id="incident-presence", classes="presence-line")
        with TabbedContent(id="incident-tabs"):
            with TabPane(t("incident.tab_ladder"), id="ladder"):
                yield DataTable(id="ladder-table", cursor_type="row")
            with TabPane(t("incident.tab_timeline"), id="timeline"):
                yield DataTable(id="timeline-table", cursor_type="row")
            with TabPane(t("incident.tab_roles"), id="roles"):
                yield DataTable(id="roles-table", cursor_type="row")
                yield Static(id="role-duties")
            with TabPane(t("incident.tab_checklists"), id="checklists"):
                yield Static(id="phase-line")
                yield DataTable(id="checklist-table", cursor_type="row")
            with TabPane(t("incident.tab_templates"), id="templates"):
                yield Select(
                    [(t(f"template.{kind}"), kind) for kind in TEMPLATE_KINDS],
                    value=TEMPLATE_KINDS[0],
                    allow_blank=False,
                    # Letters are keys here (c copies, w saves), not a search.
                    type_to_search=False,
                    id="template-kind",
                )
                yield TextArea(id="template-text", soft_wrap=True)
            with TabPane(t("intake.tab"), id="alerts"):
                yield IncidentAlerts(self.catalog, self.code, id="alerts-view")
        yield FitFooter()

    def on_mount(self) -> None:
        t = self.catalog.t
        roles = self.query_one("#roles-table", DataTable)
        roles.add_column(t("role.role"), key="role")
        roles.add_column(t("role.person"), key="person")
        self.query_one("#checklist-table", DataTable).add_column("", key="item")
        self.ladder.draw(self.query_one("#ladder-table", DataTable), [], self.clock.now())
        self.set_interval(1.0, self.refresh_clocks)
        self.host.changes.subscribe(self, self._changed)
        self.load_view()
        self.app.call_later(self.host.presence.tick)  # here now, not in five seconds

    def _changed(self, changes) -> None:
        if changes.everything or changes.board or self.code in changes.incidents:
            self.load_view()

    def presence_place(self) -> tuple[str, str, bool]:
        return f"incident:{self.code}", "", False

    def show_presence(self, companions) -> None:
        text = presence_text(companions, self.catalog)
        line = self.query_one("#incident-presence", Static)
        line.update(Content(text))
        line.display = bool(text)

    @work(thread=True, exit_on_error=False, group="incident")
    def load_view(self) -> None:
        if self.host.services is not None:
            self.post_message(IncidentLoaded(self.host.services.incidents.view(self.code)))

    def on_incident_loaded(self, message: IncidentLoaded) -> None:
        self.show(message.view)

    def incident_code(self) -> str:
        return self.code

    def print_jobs(self) -> list:
        """The report to a regulator, for an incident whose type has that clock."""
        from app.domain.escalation import DeadlineKind
        from app.export.printing import SheetRequest

        jobs = super().print_jobs()
        if self.view is not None and self.view.plan.deadline(DeadlineKind.REGULATORY_REPORT):
            request = SheetRequest("regulator", self.catalog.lang, ref=self.code)
            jobs.insert(0, (request, self.catalog.t("print.regulator")))
        return jobs

    def incident_item(self, code: str):
        if self.view is not None and code == self.code:
            return self.view.record, self.view.policy
        return None, None

    def coach_severity(self):
        if self.view is None:
            return super().coach_severity()
        return self.view.policy, self.view.record.severity

    def palette_commands(self) -> Iterator[Command]:
        yield from super().palette_commands()
        yield ("role", self.action_assign_role)

    # -- showing ------------------------------------------------------------------------------

    def show(self, view: IncidentView) -> None:
        first = self.view is None
        self.view = view
        self.timeline.draw(self.query_one("#timeline-table", DataTable), view, self.clock.now())
        self._show_roles(view)
        self._show_checklists(view)
        self._show_template()
        self.refresh_clocks()
        if first:
            self.query_one("#ladder-table", DataTable).focus()

    def refresh_clocks(self) -> None:
        view = self.view
        if view is None:
            return
        now = self.clock.now()
        current = plan(
            incident_facts(view.record, view.events, view.postmortem_submitted_at), view.policy, now
        )
        self._show_summary(view, now)
        self.ladder.draw(self.query_one("#ladder-table", DataTable), current.steps, now)

    def on_resize(self, _event) -> None:
        """The ladder and the timeline laid out for the new width."""
        self.refresh_clocks()
        if self.view is not None:
            self.timeline.draw(
                self.query_one("#timeline-table", DataTable), self.view, self.clock.now()
            )

    def _show_summary(self, view: IncidentView, now: datetime) -> None:
        record, t = view.record, self.catalog.t
        severity = view.policy.severity(record.severity)
        line = t(
            "incident.summary",
            severity=record.severity,
            name=severity.name.get(self.catalog.lang),
            title=printable(record.title),
            status=t(f"status.{record.status}"),
            age=clock_text(now - record.declared_at).lstrip("+"),
            policy=view.policy.name,
            version=view.policy_version,
        )
        self.query_one("#incident-summary", Static).update(Content(line))

    def _show_roles(self, view: IncidentView) -> None:
        table = self.query_one("#roles-table", DataTable)
        for role in (*ROLES, *view.policy.roles):
            person = Text(printable(view.roles.get(role, "—")))
            if role in table.rows:
                table.update_cell(role, "person", person)
            else:
                table.add_row(self.catalog.t(f"role.{role}"), person, key=role)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Under the roles: what the role under the cursor does (seed 003 §3.1, §3.2)."""
        if event.data_table.id == "roles-table" and event.row_key is not None:
            duties = self.catalog.t(f"role_duty.{event.row_key.value}")
            self.query_one("#role-duties", Static).update(Content(duties))

    def _show_checklists(self, view: IncidentView) -> None:
        record, lang = view.record, self.catalog.lang
        checklists = checklists_for(view.policy.name, record.severity, record.type_key)
        phase = current_phase(checklists, self.clock.now() - record.declared_at)
        line = self.catalog.t("incident.phase", phase=phase.title.get(lang)) if phase else ""
        self.query_one("#phase-line", Static).update(Content(line))
        table = self.query_one("#checklist-table", DataTable)
        for checklist in checklists:
            heading_key = f"#{checklist.key}"
            heading = Text(checklist.title.get(lang), style="bold")
            if checklist is phase:
                heading.append(f"  ◀ {self.catalog.t('incident.now')}", style="bold #E0A458")
            if heading_key in table.rows:
                table.update_cell(heading_key, "item", heading)
            else:
                table.add_row(heading, key=heading_key)
            for item in checklist.items:
                key = f"{checklist.key}/{item.key}"
                done = (checklist.key, item.key) in view.ticks
                label = checklist_item_text(item, lang, record)
                text = Text(f"  [{'x' if done else ' '}] {label}")
                if done:
                    text.stylize("#7FB77E")
                if key in table.rows:
                    table.update_cell(key, "item", text)
                else:
                    table.add_row(text, key=key)

    def _show_template(self, kind_changed: bool = False) -> None:
        """The message filled from the incident; a re-read (someone else's change, a drill's
        event) leaves a message the user has started editing as they left it."""
        field = self.query_one("#template-text", TextArea)
        if self.view is None or (not kind_changed and field.text != self._template_filled):
            return
        kind = str(self.query_one("#template-kind", Select).value)
        field.text = self._template_filled = fill(kind, self.view, self.catalog, self.clock.now())

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "template-kind":
            self._show_template(kind_changed=True)

    # -- actions ------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        focus = {
            "ladder": "#ladder-table",
            "timeline": "#timeline-table",
            "roles": "#roles-table",
            "checklists": "#checklist-table",
            "templates": "#template-kind",
            "alerts": "#alerts-view",
        }[tab]
        self.query_one(focus).focus()

    def selected_role(self) -> str:
        table = self.query_one("#roles-table", DataTable)
        if self.query_one(TabbedContent).active == "roles" and table.row_count:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            return str(row_key.value)
        return "commander"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "roles-table":
            self.action_assign_role()
        elif event.data_table.id == "checklist-table":
            self.action_toggle_check()

    def action_toggle_check(self) -> None:
        table = self.query_one("#checklist-table", DataTable)
        if self.query_one(TabbedContent).active != "checklists" or not table.row_count:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        key = str(row_key.value)
        if key.startswith("#"):
            return
        checklist, item = key.split("/", 1)
        if self.ready_services() is not None:
            user = self.host.settings.user
            self.change_incidents(
                lambda s: s.incidents.toggle_check(self.code, user, checklist, item), None
            )

    def template_text(self) -> tuple[str, str]:
        kind = str(self.query_one("#template-kind", Select).value)
        return kind, self.query_one("#template-text", TextArea).text

    def action_copy_template(self) -> None:
        _kind, text = self.template_text()
        self.app.copy_to_clipboard(text)
        self.notify(self.catalog.t("notice.copied"), timeout=3)

    def action_save_template(self) -> None:
        kind, text = self.template_text()
        self._save_message(kind, text)

    @work(thread=True, exit_on_error=False, group="files")
    def _save_message(self, kind: str, text: str) -> None:
        folder = Path(self.host.settings.export_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.code}-{kind}.txt"
        write_file(path, text, "message")
        self.notify(self.catalog.t("notice.saved", path=str(path)), markup=False, timeout=6)

    def action_assign_role(self) -> None:
        if self.view is None or self.ready_services() is None:
            return
        user = self.host.settings.user

        def answered(result) -> None:
            if result is not None:
                role, person = result
                self.change_incidents(
                    lambda s: s.incidents.assign_role(self.code, user, role, person),
                    "notice.role_set",
                )

        dialog = dialogs.RoleDialog(self.catalog, self.code, self.view.roles, self.selected_role())
        self.app.push_screen(dialog, answered)
