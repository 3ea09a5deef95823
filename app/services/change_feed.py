"""The one road every change takes to what shows it and what plans from it.

A change enters the feed from one of three places:

- `made_here(codes)`: this process changed these incidents (a screen's command, an alert the
  intake took, steps this process fired, pages it delivered);
- `poll()`: another process on the same database changed something (one cheap query a second
  notices; a second query then names which incidents);
- `heard(tables)`: another laptop's commit on PostgreSQL (its NOTIFY), which prompts a poll at
  once instead of at the next second.

Changes arriving together are merged into one batch and published once, as `Changes`, to every
subscriber (the board re-reads those incidents, the escalation scheduler re-plans them in the
background). After a batch with changes of its own the feed takes the database's state as its
new baseline, so the next poll does not find this process's own change a second time; what
another process changed meanwhile is in the same batch, never lost. A change made here is
made inside `making()`, its `made_here` entered before it ends: a poll that read the database
meanwhile leaves what it saw to that entry, instead of publishing the change as another
process's first.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

# Tables whose change the board, the incident screen and the follow-ups show.
INCIDENT_TABLES = frozenset(
    {
        "incident",
        "timeline_entry",
        "escalation_event",
        "role_assignment",
        "checklist_tick",
        "postmortem",
        "action_item",
    }
)
STORY_TABLES = frozenset({"story", "feature", "nomination", "feedback", "cart_location"})


@dataclass(frozen=True)
class Changes:
    """One batch, as published. `incidents`: the incidents that changed (by code);
    `everything`: which is unknown (a reconnect), so readers re-read all they show;
    `planned`: of those, the ones their change re-planned already (this process's firings)."""

    incidents: frozenset[str] = frozenset()
    everything: bool = False
    board: bool = False  # something else the board shows (a maintenance window, a page)
    planned: frozenset[str] = frozenset()
    stories: bool = False
    presence: bool = False

    @property
    def shown(self) -> bool:
        """Whether anything the board and the incident screens show changed."""
        return bool(self.incidents) or self.everything or self.board

    def to_plan(self) -> list[str] | None:
        """The incidents the scheduler re-plans: None for all of them."""
        if self.everything:
            return None
        return sorted(self.incidents - self.planned)


@dataclass
class _Batch:
    incidents: set[str] = field(default_factory=set)
    planned: set[str] = field(default_factory=set)
    made_here: bool = False
    look: bool = False  # poll the database in this batch
    everything: bool = False
    board: bool = False
    stories: bool = False
    presence: bool = False


class ChangeFeed:
    """`read_signature()` is one cheap query that moves whenever anything the board shows
    moves; `read_heads()` each board incident's code → what moves when it changed (both block:
    they run in a thread)."""

    def __init__(
        self,
        read_signature: Callable[[], tuple],
        read_heads: Callable[[], dict[str, tuple]],
    ) -> None:
        self._read_signature = read_signature
        self._read_heads = read_heads
        self._subscribers: list[Callable[[Changes], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._batch: _Batch | None = None
        self._draining: asyncio.Task | None = None
        self._signature: tuple | None = None
        self._heads: dict[str, tuple] = {}
        self._making_lock = threading.Lock()
        self._making = 0  # changes being made here now (any thread)
        self._made = 0  # changes ever begun here: a read that saw this move overlapped one
        self.published = 0  # batches published
        self.looked = 0  # polls that looked at the database

    def subscribe(self, subscriber: Callable[[Changes], None]) -> None:
        """Called on the feed's loop with each batch."""
        self._subscribers.append(subscriber)

    @property
    def has_baseline(self) -> bool:
        return self._signature is not None

    def take_baseline(self) -> None:
        """Read what the database holds now (blocking: in a thread, before the first read of
        what is shown), so that the first poll names only what changed after it."""
        self._signature, self._heads = self._read_signature(), self._read_heads()

    def start(self) -> None:
        """On the loop the subscribers live on."""
        self._loop = asyncio.get_running_loop()

    def stop(self) -> None:
        """Nothing more is published (the process is leaving)."""
        self._loop = None

    # -- where changes come in (any thread) ----------------------------------------------------

    @contextlib.contextmanager
    def making(self) -> Iterator[None]:
        """Around a change this process makes, its `made_here` entered inside (any thread)."""
        with self._making_lock:
            self._making += 1
            self._made += 1
        try:
            yield
        finally:
            with self._making_lock:
                self._making -= 1

    def _made_count(self) -> int | None:
        """How many changes were begun here, or None while one is being made."""
        with self._making_lock:
            return None if self._making else self._made

    def made_here(
        self, codes: Iterable[str] = (), planned: Iterable[str] = (), board: bool = False
    ) -> None:
        """This process changed these incidents (`planned`: and re-planned them already);
        `board`: something else the board shows, with no incident named."""
        codes, planned = set(codes), set(planned)

        def add(batch: _Batch) -> None:
            batch.incidents |= codes
            batch.planned |= planned
            batch.made_here = True
            batch.board |= board

        self._enter(add)

    def poll(self) -> None:
        """Look whether another process changed something (the rolling check, every second)."""
        self._enter(lambda batch: setattr(batch, "look", True))

    def heard(self, tables: set[str] | None) -> None:
        """Another laptop's commit touched these tables (None: reconnected, anything may have
        changed meanwhile)."""

        def add(batch: _Batch) -> None:
            if tables is None:
                batch.everything = batch.stories = batch.presence = True
                return
            batch.look |= bool(tables & INCIDENT_TABLES)
            batch.stories |= bool(tables & STORY_TABLES)
            batch.presence |= "presence" in tables

        self._enter(add)

    def _enter(self, add: Callable[[_Batch], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # not started, or stopped: the next start reads everything anyway
        with contextlib.suppress(RuntimeError):  # the loop closed in between
            loop.call_soon_threadsafe(self._add, add)

    def _add(self, add: Callable[[_Batch], None]) -> None:
        if self._batch is None:
            self._batch = _Batch()
        add(self._batch)
        if self._draining is None or self._draining.done():
            self._draining = asyncio.get_running_loop().create_task(self._drain())

    async def drained(self) -> None:
        """Until every change entered so far has been published."""
        await asyncio.sleep(0)  # what another thread entered is on the loop's queue by now
        while self._draining is not None and not self._draining.done():
            await asyncio.shield(self._draining)

    # -- one batch at a time, on the loop ------------------------------------------------------

    async def _drain(self) -> None:
        while self._batch is not None:
            batch, self._batch = self._batch, None
            try:
                moved = await asyncio.to_thread(self._what_moved, batch)
            except Exception:  # the database is away: what was made here is still said
                moved = set()
            changes = Changes(
                incidents=frozenset(moved | batch.incidents),
                everything=batch.everything,
                board=batch.board,
                planned=frozenset(batch.planned),
                stories=batch.stories,
                presence=batch.presence,
            )
            if changes.shown or changes.stories or changes.presence:
                self.published += 1
                for subscriber in list(self._subscribers):
                    subscriber(changes)

    def _what_moved(self, batch: _Batch) -> set[str]:
        """The incidents whose heads moved since the baseline, which becomes today's state."""
        if not (batch.look or batch.made_here or batch.everything):
            return set()
        before = self._made_count()
        if before is None and not batch.made_here:
            return set()  # the change being made enters its own batch, which reads then
        signature = self._read_signature()
        self.looked += batch.look
        if signature == self._signature and not batch.made_here:
            return set()
        heads = self._read_heads()
        if not batch.made_here and self._made_count() != before:
            return set()  # a change made here began while reading: as above
        known = self._heads
        moved = {code for code in heads.keys() | known.keys() if heads.get(code) != known.get(code)}
        self._signature, self._heads = signature, heads
        return moved
