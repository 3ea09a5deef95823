"""The kiosk fires escalations too: while it shows stories, the app opens the database behind
it (quietly trying again while the database is away — the kiosk says so on its own screen)
and starts its escalation engine, as the board does once it is unlocked."""

from __future__ import annotations

import time
from functools import partial

from textual.worker import get_current_worker

RETRY_S = 2.0


def open_behind_kiosk(app) -> None:
    # Not in the "storage" group: the opening it starts there would cancel it.
    app.run_worker(partial(_open_quietly, app), thread=True, group="kiosk", exit_on_error=False)


def _open_quietly(app) -> None:
    worker = get_current_worker()
    while not worker.is_cancelled:
        try:
            app.connection().get()
        except Exception:  # away: the kiosk shows that it reconnects
            time.sleep(RETRY_S)
            continue
        # Open now: the app's own opening stores the policies and starts the engine.
        app.call_from_thread(app.open_database)
        return
