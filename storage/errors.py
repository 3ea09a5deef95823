"""Storage problems a user can act on; str() is one sentence, never a traceback."""


class StorageError(Exception):
    """``catalog_key`` and ``catalog_values`` let the app say it in the reader's language
    (app.domain.i18n.said_in); str() stays the English sentence, for logs."""

    exit_code = 1

    def __init__(self, message: str, catalog_key: str = "", **catalog_values: object) -> None:
        super().__init__(message)
        self.catalog_key = catalog_key
        self.catalog_values = catalog_values


class SchemaTooNew(StorageError):
    exit_code = 2

    def __init__(self, revision: str) -> None:
        self.revision = revision
        super().__init__(
            f"This database was written by a newer Story Cart (schema {revision}); "
            "upgrade the app. Nothing was changed.",
            "storage.too_new",
            revision=revision,
        )


class NotADatabase(StorageError):
    exit_code = 2

    # Reasons the app can say in any language; any other reason is SQLite's own words.
    REASONS = {
        "it is a directory": "storage.not_a_database_directory",
        "it is not an SQLite file": "storage.not_a_database_not_sqlite",
        "it holds tables that Story Cart did not create": "storage.not_a_database_foreign",
    }

    def __init__(self, where: str, why: str) -> None:
        super().__init__(
            f"{where} is not a Story Cart database ({why}); nothing was changed.",
            self.REASONS.get(why, "storage.not_a_database"),
            where=where,
            why=why,
        )


class DatabaseUnavailable(StorageError):
    exit_code = 1


class StaleWrite(StorageError):
    """Someone else saved this row since it was read (optimistic concurrency)."""


def sqlite_busy(error: Exception) -> bool:
    """SQLite's "database is locked": a transaction that read first and then wrote found that
    another connection wrote meanwhile. Its busy timeout does not wait in that case (WAL);
    the transaction has to start again."""
    return "database is locked" in str(getattr(error, "orig", error))
