"""Rows stop at the service boundary: what a service hands out is a frozen copy."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

Frozen = TypeVar("Frozen")


def frozen_copy(kind: type[Frozen], row: Any) -> Frozen:
    """The dataclass `kind` filled from the attributes of the same names on `row`."""
    return kind(**{item.name: getattr(row, item.name) for item in fields(kind)})
