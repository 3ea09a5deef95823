"""Watchers as a reader names them: "daemon on team-server", "board of alice on laptop-3", and
the board's line saying who fires escalations."""

from __future__ import annotations

from datetime import datetime

from app.domain.i18n import Catalog
from app.domain.textsafe import printable
from app.domain.watchers import Watcher, alive_watchers


def watcher_name(kind: str, host: str, user: str, catalog: Catalog) -> str:
    """The actor a timeline line names for what this process did (a firing, a page)."""
    return printable(catalog.t(f"watchers.actor_{kind}", host=host, user=user))


def age_text(seconds: float, catalog: Catalog) -> str:
    if seconds < 1:
        return catalog.t("watchers.just_now")
    return catalog.t("watchers.ago", age=catalog.duration(int(seconds)))


def watcher_line(
    watchers: list[Watcher],
    now: datetime,
    interval_s: float,
    catalog: Catalog,
    this: str | None,
    this_watches: bool = True,
) -> tuple[str, bool]:
    """(text, nobody): who fires escalations — this board (when its engine runs; its own row
    is instance `this`) and the others still there, each with the age of its last pass;
    `nobody` when none is."""
    names = [catalog.t("watchers.this_board")] if this_watches else []
    for watcher in alive_watchers(watchers, now, interval_s, but=this):
        name = watcher_name(watcher.kind, watcher.host, watcher.user, catalog)
        age = age_text(watcher.age(now).total_seconds(), catalog)
        names.append(catalog.t("watchers.seen", name=name, age=age))
    if not names:
        return catalog.t("watchers.nobody"), True
    return catalog.t("watchers.line", who=catalog.t("watchers.separator").join(names)), False
