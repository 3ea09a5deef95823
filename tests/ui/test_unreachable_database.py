"""A board started while the team's PostgreSQL server cannot be reached says so, instead of an
empty board ("0 open"), and keeps trying: once the server answers, the incidents are there
without a restart. (A newcomer's trial found the board empty for good, saying 0 open.)"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from app.domain.clock import FakeClock
from app.tui import StoryCartApp
from tests.conftest import make_settings
from tests.ui.helpers import START, board_of, notices, seed, text_of, wait_until
from widgets.board_table import BoardTable


async def test_the_board_says_the_database_is_unreachable_and_opens_it_once_it_answers(
    tmp_path, postgres_server
):
    url = postgres_server.migrated_database()
    clock = FakeClock(START)
    titles = ["결제 승인 지연", "ログイン障害"]
    incidents = [dict(title=title, severity="SEV-3") for title in titles]
    seed(make_settings(tmp_path).with_overrides(db_url=url), clock, incidents)
    # The same server behind a socket folder that is not there yet (a network still coming up);
    # short, for the socket path's length limit.
    folder = Path(tempfile.mkdtemp(prefix="scs-", dir="/tmp"))
    away = folder / "pg"
    settings = make_settings(tmp_path).with_overrides(
        db_url=url.split("?host=", 1)[0] + f"?host={away}"
    )
    app = StoryCartApp(settings, clock=clock, start_scheduler=False)
    try:
        async with app.run_test(size=(100, 40), notifications=True) as pilot:
            board = board_of(app)

            def summary() -> str:
                return text_of(app, "#board-summary")

            await wait_until(pilot, lambda: "unreachable" in summary(), what="the board saying so")
            assert "0 open" not in summary()
            assert "No such file or directory" in summary()  # the reason, as the driver gave it
            await pilot.pause()
            region = board.query_one("#board-summary").region
            strips = app.screen._compositor.render_strips()[region.y : region.bottom]
            on_screen = " ".join(" ".join(strip.text for strip in strips).split())
            assert "No such file or directory" in on_screen  # as the user reads it: whole
            assert board.query_one(BoardTable).row_count == 0 and app.services is None
            # Nothing to type into while it cannot be opened: `n` and `M` say so, not wait.
            await pilot.press("n", "M")
            assert app.screen is board
            said = [text for text in await notices(app, pilot) if "cannot be reached yet" in text]
            assert len(said) == 2

            os.symlink(postgres_server.data, away)  # the server can be reached now
            await wait_until(
                pilot, lambda: board.loaded, timeout=30, what="the database opened by a retry"
            )
            await wait_until(pilot, lambda: "2 open" in summary(), what="the incidents counted")
            assert board.query_one(BoardTable).row_count == 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)
