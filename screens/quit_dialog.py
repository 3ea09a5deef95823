"""The question before the last watcher quits while incidents are open: what will not page
(the open incidents, the next step and when), and three answers with keys of their own —
start the daemon in the background and quit (d), quit anyway (q), stay (s or Escape)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.domain.i18n import Catalog
from app.domain.message_templates import local_time
from app.domain.textsafe import printable
from app.domain.word_lists import joined

ANSWERS = (
    ("d", "daemon", "watchers.quit_daemon"),
    ("q", "quit", "watchers.quit_anyway"),
    ("s", "stay", "watchers.quit_stay"),
)


class QuitDialog(ModalScreen[str]):
    BINDINGS = [
        Binding("d", "answer('daemon')", show=False),
        Binding("q", "answer('quit')", show=False),
        Binding("s,escape", "answer('stay')", show=False),
    ]

    def __init__(self, catalog: Catalog, report, log: str) -> None:
        """``report``: app.services.engine_report.EngineReport; ``log``: the daemon's log."""
        super().__init__()
        self.catalog = catalog
        self.report = report
        self.log_path = log

    def compose(self) -> ComposeResult:
        t = self.catalog.t
        with Vertical(classes="dialog-box", id="quit-box"):
            yield Static(Content(t("watchers.quit_title")), classes="dialog-title")
            yield Static(Content(printable(self.said())), id="quit-said")
            yield OptionList(
                *[Option(Content(f"{key}  {t(text)}"), id=answer) for key, answer, text in ANSWERS],
                id="quit-answers",
            )

    def said(self) -> str:
        t, report = self.catalog.t, self.report
        lines = [t("watchers.quit_body", count=report.open_incidents)]
        step = report.next_step
        if step is None:
            lines.append(t("watchers.quit_no_next"))
        else:
            left = int((step.due_at - report.now).total_seconds())
            duration = self.catalog.duration(max(1, abs(left)))
            when = "watchers.quit_in" if left > 0 else "watchers.quit_overdue"
            lines.append(
                t(
                    "watchers.quit_next",
                    incident=step.incident,
                    step=step.label(self.catalog),
                    notify=joined(
                        (who.get(self.catalog.lang) for who in step.notify), self.catalog.lang
                    ),
                    at=local_time(step.due_at),
                    when=t(when, duration=duration),
                )
            )
        lines.append(t("watchers.quit_log", path=self.log_path))
        return "\n".join(lines)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
