"""The board's incidents read again only where something moved: a step fired on one of 2,000
open incidents loads that incident, not all of them."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from app.domain.incident import BoardItem

if TYPE_CHECKING:  # the board imports this before the first frame; storage loads later
    from app.services.incident_service import IncidentService


class BoardReader:
    def __init__(self, incidents: IncidentService) -> None:
        self.incidents = incidents
        self._heads: dict[str, tuple] = {}
        self._items: dict[str, BoardItem] = {}
        self.loaded = 0  # incidents the last read loaded
        # A board worker replaced by a newer one still runs to its end in its thread.
        self._lock = threading.Lock()

    def read(self) -> list[BoardItem]:
        """Every incident on the board as of now; those unchanged since the last read as they
        were."""
        with self._lock:
            heads, fresh = self.incidents.board_changes(self._heads)
            self.loaded = len(fresh)
            items = {code: item for code, item in self._items.items() if code in heads}
            items.update((item.record.code, item) for item in fresh if item.record.code in heads)
            # An incident declared between the heads and its load waits for the next read.
            self._heads = {code: heads[code] for code in items}
            self._items = items
            return list(items.values())
