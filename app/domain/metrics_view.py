"""The metrics said for people and programs: compact spans for tables, one row per figure in the
reader's language, the whole report as JSON-ready data and as CSV rows. The metrics screen, the
CLI, the kiosk slide and the review PDF all read the report through here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from app.domain.i18n import Catalog
from app.domain.metrics import MEASURES, ActionFacts, Figure, MetricsReport, Recurrence

CSV_HEADER = (
    "policy",
    "since",
    "until",
    "severity",
    "measure",
    "count",
    "median_s",
    "p90_s",
    "mean_s",
    "max_s",
    "target_s",
    "met",
    "without",
)


def span_text(seconds: float | None) -> str:
    """45s, 4m30s, 12m, 1h10m, 2d03h: short enough for a table column; '–' for no value."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 600:
        minutes, rest = divmod(whole, 60)
        return f"{minutes}m{rest:02d}s" if rest else f"{minutes}m"
    if whole < 3600:
        return f"{round(whole / 60)}m"
    if whole < 86400:
        hours, minutes = whole // 3600, whole % 3600 // 60
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    days, hours = whole // 86400, whole % 86400 // 3600
    return f"{days}d{hours:02d}h" if hours else f"{days}d"


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def last_day(report: MetricsReport) -> str:
    """The period's last day (its end is the first moment after it)."""
    return (report.until - timedelta(microseconds=1)).date().isoformat()


def period_text(report: MetricsReport) -> str:
    """2026-10-01 – 2026-12-31: the period's first and last day."""
    return f"{report.since.date().isoformat()} – {last_day(report)}"


def heading_text(report: MetricsReport, catalog: Catalog) -> str:
    """web-service · 2026-10-01 – 2026-12-31 · incidents: 24"""
    return catalog.t(
        "metrics.heading",
        policy=report.policy,
        since=report.since.date().isoformat(),
        until=last_day(report),
        count=report.total,
    )


def recurrence_text(found: Recurrence, catalog: Catalog) -> str:
    return catalog.t(
        "metrics.recurrence",
        code=found.code,
        earlier=found.earlier,
        days=f"{found.days_between:.1f}",
    )


def follow_up_document(item: ActionFacts) -> dict:
    return {
        "incident": item.incident,
        "title": item.title,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due else None,
        "status": item.status,
    }


@dataclass(frozen=True)
class FigureRow:
    """One line of the metrics table: a measure of a severity."""

    severity: str
    measure: str
    label: str
    count: str
    median: str
    p90: str
    mean: str
    maximum: str
    target: str
    met: str
    tone: str  # "good" (every one met the target), "bad" (the median missed it), "" otherwise
    without: str = ""  # "1 of 7 never acknowledged: left out of “met”", when some have no time


def figure_row(figure: Figure, catalog: Catalog) -> FigureRow:
    met = figure.met
    if met is None or not figure.count:
        met_text, tone = "–", ""
    else:
        met_text = f"{met}/{figure.count} ({round(100 * met / figure.count)}%)"
        median = figure.median or 0
        tone = "good" if met == figure.count else "bad" if median > figure.target_s else ""
    return FigureRow(
        severity=figure.severity,
        measure=figure.measure,
        label=catalog.t(f"metrics.measure_{figure.measure}"),
        count=str(figure.count),
        median=span_text(figure.median),
        p90=span_text(figure.p90),
        mean=span_text(figure.mean),
        maximum=span_text(figure.maximum),
        target=span_text(figure.target_s) if figure.target_s is not None else "–",
        met=met_text,
        tone=tone,
        without=without_text(figure, catalog),
    )


def without_text(figure: Figure, catalog: Catalog) -> str:
    """The incidents left out of "met" because they have no such time, said (not hidden)."""
    if not figure.missing or figure.target_s is None:
        return ""
    total = figure.count + len(figure.missing)
    return catalog.t(f"metrics.without_{figure.measure}", count=len(figure.missing), total=total)


def report_rows(report: MetricsReport, catalog: Catalog) -> list[FigureRow]:
    return [
        figure_row(report.figure(severity, measure), catalog)
        for severity in report.severities
        for measure in MEASURES
    ]


def _figure_document(figure: Figure, incidents: bool) -> dict:
    document = {
        "count": figure.count,
        "median_s": _seconds(figure.median),
        "p90_s": _seconds(figure.p90),
        "mean_s": _seconds(figure.mean),
        "max_s": _seconds(figure.maximum),
        "target_s": figure.target_s,
        "met": figure.met,
        "met_share": figure.met_share,
        "without": list(figure.missing),
    }
    if incidents:
        document["incidents"] = [{"id": code, "seconds": round(s)} for code, s in figure.samples]
    return document


def report_document(report: MetricsReport, incidents: bool = False) -> dict:
    """`incidents`: each figure also lists its incidents and their times (a quarter of a busy
    year is megabytes of them, and most scripts want the figures)."""
    actions = report.actions
    return {
        "policy": report.policy,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "incidents": report.total,
        "severities": {
            severity: {
                "count": report.counts[severity],
                **{m: _figure_document(report.figure(severity, m), incidents) for m in MEASURES},
            }
            for severity in report.severities
        },
        "weekly": [{"week": week.isoformat(), "incidents": n} for week, n in report.weekly],
        "recurrences": [
            {"id": r.code, "after": r.earlier, "days": round(r.days_between, 2)}
            for r in report.recurrences
        ],
        "follow_ups": {
            "total": actions.total,
            "done": actions.done,
            "open": actions.open,
            "completion": actions.completion,
            "overdue": [follow_up_document(a) for a in actions.overdue],
        },
    }


LONG_LIST = 100  # items: a longer list is written on one line


def report_json(report: MetricsReport, incidents: bool = False) -> str:
    """report_document() as indented JSON, except that a list of more than LONG_LIST items
    (the incidents behind a figure, a year's recurrences) is written on one line: json's
    indenting encoder is pure Python (seconds for a quarter of a 100,000-incident year), its
    compact one is C. Shorter lists hold one item a line, each item on its line."""
    return _json(report_document(report, incidents), 0)


def _json(value, level: int) -> str:
    if isinstance(value, dict) and value:
        pad = "\n" + "  " * (level + 1)
        items = [
            f"{json.dumps(k, ensure_ascii=False)}: {_json(v, level + 1)}" for k, v in value.items()
        ]
        return "{" + pad + ("," + pad).join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list) and value and len(value) <= LONG_LIST:
        pad = "\n" + "  " * (level + 1)
        items = [json.dumps(item, ensure_ascii=False) for item in value]
        return "[" + pad + ("," + pad).join(items) + "\n" + "  " * level + "]"
    return json.dumps(value, ensure_ascii=False)


def report_csv_rows(report: MetricsReport) -> list[tuple]:
    rows = []
    for severity in report.severities:
        for measure in MEASURES:
            figure = report.figure(severity, measure)
            rows.append(
                (
                    report.policy,
                    report.since.isoformat(),
                    report.until.isoformat(),
                    severity,
                    measure,
                    figure.count,
                    _seconds(figure.median),
                    _seconds(figure.p90),
                    _seconds(figure.mean),
                    _seconds(figure.maximum),
                    figure.target_s,
                    figure.met,
                    len(figure.missing),
                )
            )
    return rows


def completion_text(report: MetricsReport, catalog: Catalog) -> str:
    actions = report.actions
    if not actions.total:
        return catalog.t("metrics.follow_ups_none")
    said = catalog.t(
        "metrics.follow_ups",
        total=actions.total,
        done=actions.done,
        percent=round(100 * (actions.completion or 0)),
        overdue=len(actions.overdue),
    )
    oldest = actions.oldest_overdue
    if oldest is not None:
        said += " · " + catalog.t(
            "metrics.oldest_overdue",
            title=oldest.title,
            owner=oldest.owner or catalog.t("metrics.nobody"),
            due=oldest.due.isoformat() if oldest.due else "",
        )
    return said
