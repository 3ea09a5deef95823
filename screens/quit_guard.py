"""`q` on the last process that fires escalations, while incidents are open: nothing would
page from then on and nobody would be told. Ask first (screens/quit_dialog.py); on "start the
daemon", start `storycart daemon` in the background with the same database and settings and
quit once its watcher row shows it is there (or stay, saying why it did not start)."""

from __future__ import annotations

import time
from functools import partial

from rich.text import Text

from app.config import data_dir
from app.domain.textsafe import printable

DAEMON_LOG = "daemon.log"
DAEMON_START_TIMEOUT_S = 30.0  # imports, migrations, the start-up sweep on a slow laptop


def daemon_log():
    return data_dir() / DAEMON_LOG


def quit_or_ask(app) -> None:
    """What `q` does: quit, unless this is the last watcher and incidents are open."""
    engine = app.engine
    if app.services is None or engine is None or engine.watcher is None:
        app.exit()
        return
    app.run_worker(partial(_look, app), thread=True, group="quit", exclusive=True)


def _look(app) -> None:
    from app.services.engine_report import engine_report, others_watching

    services, interval = app.services, app.settings.engine.interval_s
    now = services.incidents.clock.now()
    # The cheap look first: with another watcher alive (or nothing open) there is no question.
    if not services.incidents.open_codes() or others_watching(
        services.watchers, now, interval, app.engine.instance
    ):
        app.call_from_thread(app.exit)
        return
    report = engine_report(
        services.incidents, services.watchers, None, app.settings.engine.interval_s
    )
    if report.open_incidents == 0 or report.alive(but=app.engine.instance):
        app.call_from_thread(app.exit)
        return
    from screens.quit_dialog import QuitDialog

    dialog = QuitDialog(app.catalog, report, str(daemon_log()))
    app.call_from_thread(app.push_screen, dialog, partial(_answered, app))


def _answered(app, answer: str | None) -> None:
    if answer == "quit":
        app.exit()
    elif answer == "daemon":
        app.notify(app.catalog.t("watchers.daemon_starting"), markup=False, timeout=5)
        app.run_worker(partial(_start_daemon, app), thread=True, group="quit", exclusive=True)


def _start_daemon(app) -> None:
    from app.services.daemon_process import daemon_command, start_daemon

    settings, catalog, log = app.settings, app.catalog, daemon_log()
    config = settings.config_path if settings.config_path.exists() else None
    serve = bool(settings.intake.public_url)  # the pages' acknowledge links need an intake
    process = start_daemon(daemon_command(config, settings.lang, serve), log, settings.db_url)
    deadline = time.monotonic() + DAEMON_START_TIMEOUT_S
    while time.monotonic() < deadline:
        mine = [w for w in app.services.watchers.current() if w.pid == process.pid]
        if mine:
            said = catalog.t("watchers.daemon_started", pid=process.pid, path=str(log))
            app.call_from_thread(app.exit, message=Text(printable(said)))
            return
        if process.poll() is not None:
            problem = f"exit status {process.returncode}"
            break
        time.sleep(0.2)
    else:
        process.kill()
        problem = f"no sign of it after {DAEMON_START_TIMEOUT_S:.0f} s"
    said = catalog.t("watchers.daemon_failed", problem=problem, path=str(log))
    app.call_from_thread(app.notify, printable(said), severity="error", markup=False, timeout=15)
