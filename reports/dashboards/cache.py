"""Repeated dashboard views served from the cache until the answer tallies change.

The national view (and the key question pages built from it) and a manager's area view are
the same for every manager asking with the same filters, and they change only when the
tallies do (an answer counted or no longer counted, a case moved) or a lead inspector's
rating does: judgements.tallies moves a generation on at every such change, and the
generation is part of every key here, so an entry built from older counts is never served
again. What the tallies do not follow (a new inspection or organisation, a case added to a
sample) shows within DASHBOARD_CACHE_SECONDS (5 minutes unless set), when the entry expires.

The figures are cached, not the HTML: the page around them carries the request's own
session, sign-out form and CSRF token. DASHBOARD_CACHE_SECONDS = 0 turns the cache off
(the benchmark measures the pages that way).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from judgements.tallies import tallies_generation

T = TypeVar("T")
DEFAULT_SECONDS = 300


def cache_seconds() -> int:
    return getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS)


def cached(kind: str, parts: object, build: Callable[[], T]) -> T:
    """``build()``'s result, from the cache when the same ``kind`` and ``parts`` (the filters:
    anything with a stable repr) were built since the tallies last changed."""
    seconds = cache_seconds()
    if not seconds:
        return build()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"dashboards:{kind}:{tallies_generation()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=seconds)
    return value
