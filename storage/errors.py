"""Storage problems a user can act on; str() is one sentence, never a traceback."""


class StorageError(Exception):
    exit_code = 1


class SchemaTooNew(StorageError):
    exit_code = 2

    def __init__(self, revision: str) -> None:
        self.revision = revision
        super().__init__(
            f"This database was written by a newer Story Cart (schema {revision}); "
            "upgrade the app. Nothing was changed."
        )


class NotADatabase(StorageError):
    exit_code = 2

    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"{where} is not a Story Cart database ({why}); nothing was changed.")


class DatabaseUnavailable(StorageError):
    exit_code = 1


class StaleWrite(StorageError):
    """Someone else saved this row since it was read (optimistic concurrency)."""
