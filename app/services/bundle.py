"""Every service the app uses, opened together on one database, and the one connection the
board, the kiosk and the print jobs share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.clock import Clock
from app.domain.paging import PagingChannel
from app.domain.roster import Roster
from app.services.alert_groups import AlertGroups
from app.services.incident_service import IncidentService
from app.services.library.cart import CartService
from app.services.library.curator import CuratorService
from app.services.library.exchange import LibraryExchange
from app.services.library.stories import StoryService
from app.services.library.week import StoryWeek
from app.services.metrics_service import MetricsService
from app.services.paging_status import PagingStatus
from app.services.policy_versions import PolicyVersions
from app.services.postmortem_service import PostmortemService
from app.services.presence_service import PresenceService
from app.services.training_service import TrainingService
from app.services.watch_service import MaintenanceService
from app.services.watchers import WatcherService
from storage.database import Database


@dataclass(frozen=True)
class Services:
    database: Database
    incidents: IncidentService
    postmortems: PostmortemService
    stories: StoryService
    week: StoryWeek
    cart: CartService
    exchange: LibraryExchange
    policy_versions: PolicyVersions
    paging: PagingStatus
    maintenance: MaintenanceService
    metrics: MetricsService
    curator: CuratorService
    training: TrainingService
    presence: PresenceService
    watchers: WatcherService

    @property
    def alerts(self) -> AlertGroups:
        """The alert groups behind an incident (the incident screen's Alerts tab)."""
        return AlertGroups(self.database)

    @classmethod
    def open(
        cls,
        db_url: str,
        clock: Clock,
        *,
        rotation_weeks: int,
        alert_channels: tuple[str, ...],
        paging: tuple[PagingChannel, ...] = (),
        roster: Roster | None = None,
    ) -> Services:
        """Open (and migrate) the database and make sure the starter stories are there."""
        database = Database.open(db_url)
        try:
            policy_versions = PolicyVersions(database, clock)
            stories = StoryService(database, clock, rotation_weeks)
            stories.ensure_starters()
            return cls(
                database=database,
                incidents=IncidentService(
                    database, clock, policy_versions, alert_channels, paging, roster
                ),
                postmortems=PostmortemService(database, clock, paging),
                stories=stories,
                week=StoryWeek(database, clock, rotation_weeks),
                cart=CartService(database, clock),
                exchange=LibraryExchange(database, clock),
                policy_versions=policy_versions,
                paging=PagingStatus(database, paging),
                maintenance=MaintenanceService(database, clock),
                metrics=MetricsService(database, clock),
                curator=CuratorService(database, clock, rotation_weeks),
                training=TrainingService(database, clock),
                presence=PresenceService(database, clock),
                watchers=WatcherService(database, clock),
            )
        except BaseException:
            database.close()
            raise

    def close(self) -> None:
        self.database.close()


def connection_for(settings, clock: Clock) -> Connection:
    """The connection the app and its kiosk share, for these settings."""
    from app.domain.incident import alert_channels

    return Connection(
        lambda: Services.open(
            settings.db_url,
            clock,
            rotation_weeks=settings.rotation_weeks,
            alert_channels=alert_channels(settings),
            paging=settings.channels,
            roster=settings.roster,
        )
    )


class Connection:
    """Opens the services once, for whichever part of the app asks first (the board after its
    first frame, or a kiosk that started before anyone unlocked it); safe to call from worker
    threads. A failed open leaves nothing behind, so the next call simply tries again."""

    def __init__(self, opener: Callable[[], Services]) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._services: Services | None = None

    def get(self) -> Services:
        with self._lock:
            if self._services is None:
                self._services = self._opener()
            return self._services

    def close(self) -> None:
        with self._lock:
            if self._services is not None:
                self._services.close()
                self._services = None
