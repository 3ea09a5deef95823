"""The storage refusals a caller of the services handles by name."""

from storage.errors import DatabaseUnavailable, StaleWrite, StorageError

__all__ = ["DatabaseUnavailable", "StaleWrite", "StorageError"]
