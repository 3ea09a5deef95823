"""The storage refusals a caller of the services handles by name."""

from storage.errors import StaleWrite, StorageError

__all__ = ["StaleWrite", "StorageError"]
