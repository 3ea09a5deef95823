"""The board's reads and its look for changes (every 0.5 s on SQLite) find the incidents it
shows through an index, on a real SQLite file and a real PostgreSQL server: a team's years of
resolved incidents are never counted again at each look (35 ms a look over 100,000 incidents
on SQLite before the index, 1 ms with it; tests/bench/bench_metrics.py fills such a year)."""

from __future__ import annotations

from sqlalchemy import event

from app.domain.incident import RESOLVED_ON_BOARD
from storage.database import Database
from storage.incident_rows import board_heads, board_signature
from tests.bench.bench_metrics import NOW, fill


def test_the_board_reads_only_what_it_shows(database_url):
    fill(database_url, 4000)  # a year of incidents, the last week's on the board
    database = Database.open(database_url)
    engine = database.engine
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "FROM incident" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with database.session() as session:
            since = NOW - RESOLVED_ON_BOARD
            signature = board_signature(session, since)
            heads = board_heads(session, since)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert 0 < len(heads) == signature[0] < 400  # a week's of 4,000, and those still open
    assert len(statements) == 2
    with engine.connect() as connection:
        for statement, parameters in statements:
            explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
            rows = connection.exec_driver_sql(f"{explain} {statement}", parameters).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            assert "ix_incident_resolved_at" in plan, plan
            assert "Seq Scan on incident" not in plan and "SCAN incident" not in plan, plan
    database.close()
