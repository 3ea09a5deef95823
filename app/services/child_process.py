"""The database a child `storycart` process (the daemon started from the board, a drill) works
on, handed over through its environment: a command line is what `ps` shows every user of the
machine, and a PostgreSQL URL may carry a password. The child reads STORYCART_DB as any
`storycart` does (app.config: above the config file, below a flag, which it is not given)."""

from __future__ import annotations

import os
from collections.abc import Mapping

DB_ENV = "STORYCART_DB"  # app.config's variable for the `db` setting


def with_database(db_url: str, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """This process's environment, with the database for the child."""
    return {**environ, DB_ENV: db_url}
