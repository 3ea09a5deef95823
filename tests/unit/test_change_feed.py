"""The change feed merges what arrives together and publishes it once."""

from __future__ import annotations

import threading

from app.services.change_feed import ChangeFeed, Changes


class Board:
    """A database as the feed sees it: a signature and each incident's head."""

    def __init__(self) -> None:
        self.heads = {"INC-1": (1,), "INC-2": (1,), "INC-3": (1,)}
        self.reads = 0

    def signature(self) -> tuple:
        self.reads += 1
        return tuple(sorted(self.heads.items()))

    def change(self, code: str) -> None:
        self.heads[code] = (self.heads.get(code, (0,))[0] + 1,)


def feed_over(board: Board) -> tuple[ChangeFeed, list[Changes]]:
    feed = ChangeFeed(board.signature, lambda: dict(board.heads))
    published: list[Changes] = []
    feed.subscribe(published.append)
    feed.take_baseline()
    feed.start()
    return feed, published


async def test_changes_made_together_from_several_threads_are_published_once():
    board = Board()
    feed, published = feed_over(board)
    board.change("INC-1")
    board.change("INC-2")
    workers = [
        threading.Thread(target=feed.made_here, args=([code],)) for code in ("INC-1", "INC-2")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    feed.poll()
    await feed.drained()
    assert published == [Changes(incidents=frozenset({"INC-1", "INC-2"}))]


async def test_a_poll_after_a_change_made_here_does_not_find_it_again():
    board = Board()
    feed, published = feed_over(board)
    board.change("INC-3")
    feed.made_here(["INC-3"])
    await feed.drained()
    feed.poll()
    await feed.drained()
    assert [changes.incidents for changes in published] == [frozenset({"INC-3"})]


async def test_what_another_process_changed_meanwhile_comes_with_a_change_made_here():
    board = Board()
    feed, published = feed_over(board)
    board.change("INC-1")  # another process, just before this one's own change
    board.change("INC-2")
    feed.made_here(["INC-2"], planned=["INC-2"])
    await feed.drained()
    assert published[0].incidents == {"INC-1", "INC-2"}
    assert published[0].to_plan() == ["INC-1"]  # INC-2's own pass planned it already


async def test_a_quiet_poll_publishes_nothing_and_a_new_incident_is_named():
    board = Board()
    feed, published = feed_over(board)
    feed.poll()
    await feed.drained()
    assert published == []
    board.change("INC-4")  # declared elsewhere
    del board.heads["INC-3"]  # resolved long ago: off the board
    feed.poll()
    await feed.drained()
    assert published == [Changes(incidents=frozenset({"INC-3", "INC-4"}))]


async def test_a_reconnect_asks_everyone_to_read_everything():
    feed, published = feed_over(Board())
    feed.heard(None)
    await feed.drained()
    assert published[0].everything and published[0].stories and published[0].to_plan() is None
    feed.heard({"story"})
    await feed.drained()
    assert published[1] == Changes(stories=True)


async def test_a_poll_during_a_change_being_made_here_leaves_it_to_that_change():
    # A screen's worker commits an acknowledgement while the board's poll reads the database:
    # the poll must not publish it as another process's change, or the board reads it twice.
    board = Board()
    feed, published = feed_over(board)
    with feed.making():
        board.change("INC-2")  # committed, its made_here not entered yet
        board.change("INC-1")  # another process, at the same moment
        feed.poll()
        await feed.drained()
        assert published == []
        feed.made_here(["INC-2"])
    await feed.drained()
    feed.poll()
    await feed.drained()
    assert [changes.incidents for changes in published] == [frozenset({"INC-1", "INC-2"})]


async def test_a_change_that_failed_leaves_what_the_poll_saw_to_the_next_poll():
    board = Board()
    feed, published = feed_over(board)
    try:
        with feed.making():
            board.change("INC-1")  # another process
            feed.poll()
            await feed.drained()
            raise ValueError("refused")
    except ValueError:
        pass
    feed.poll()
    await feed.drained()
    assert [changes.incidents for changes in published] == [frozenset({"INC-1"})]
