"""The quarter's figures as the cart's metrics slide shows them: one block per severity that
had incidents (median against the target for acknowledging and resolving) and the follow-ups."""

from __future__ import annotations

from app.domain.i18n import Catalog


def metrics_blocks(report, catalog: Catalog) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The quarter's figures for the cart: (title, one block per severity that had incidents
    — median against the target for acknowledging and resolving — and the follow-ups)."""
    from app.domain.metrics_view import completion_text, figure_row, period_text

    t = catalog.t
    if report is None or not report.total:
        return "", ()
    blocks = []
    for severity in report.severities:
        if not report.counts[severity]:
            continue
        lines = []
        for measure in ("acknowledge", "resolve"):
            row = figure_row(report.figure(severity, measure), catalog)
            lines.append(
                t(
                    "kiosk.metrics_line",
                    measure=row.label,
                    median=row.median,
                    target=row.target,
                    met=row.met,
                )
            )
        title = t("metrics.incidents_of", severity=severity, count=report.counts[severity])
        blocks.append((title, "\n".join(lines)))
    blocks.append((t("follow_ups.title"), completion_text(report, catalog)))
    title = t("kiosk.metrics_title", period=period_text(report), count=report.total)
    return title, tuple(blocks)
