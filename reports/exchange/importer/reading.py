"""Reading values out of a file that may not match the format: each helper gives the value
if it has the expected type, else None (the schema check reports the wrong type).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from reports.exchange.format import parse_date


def value_at(obj: Any, key: str, kind: type | tuple = str) -> Any:
    """A value of the expected type from an object in the file, else None (the format check
    reports a wrong type; the detailed checks then leave that value alone)."""
    if not isinstance(obj, dict):
        return None
    value = obj.get(key)
    if isinstance(value, bool) and kind is not bool:
        return None
    return value if isinstance(value, kind) else None


def objects_at(obj: Any, key: str) -> list[tuple[int, dict]]:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def as_date(value: Any) -> date | None:
    try:
        return parse_date(value) if isinstance(value, str) else None
    except ValueError:
        return None


def as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None
