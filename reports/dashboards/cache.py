"""Repeated dashboard views served from the cache until the figures they show change.

The national view (and the key question pages built from it) and a manager's area view are
the same for every manager asking with the same filters, and they change only when the
figures of the inspections they show do: a tally (an answer counted or no longer counted, a
case moved) or a lead inspector's rating. Each inspection's figures have a version
(judgements.tallies.figures_versions), moved on by every such change; the versions of the
inspections a page shows, and which inspections those are, are part of its key. So an entry
built from older counts is never served again, a change to one inspection leaves the pages
of every other as they are, and the versions are kept in the database, so every server and
worker sees a change at once. What the versions do not follow (a case added to a sample, a
renamed organisation) shows within DASHBOARD_CACHE_SECONDS (5 minutes unless set), when the
entry expires.

The entries are in Django's cache: each process's own memory by default, shared by the
workers of a server with CACHE_BACKEND=file, or by every server with CACHE_BACKEND=database. DASHBOARD_CACHE_SECONDS = 0 turns the cache off (the benchmark measures the pages
that way).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")
DEFAULT_SECONDS = 300


def cache_seconds() -> int:
    return getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS)


def cached(
    kind: str, parts: object, build: Callable[[], T], *, versions: Callable[[], object]
) -> T:
    """``build()``'s result, from the cache when the same ``kind`` and ``parts`` (the filters
    and what the page is built from: anything with a stable repr) were built from figures of
    the same versions: ``versions()`` (judgements.tallies.figures_versions or
    figures_version_total; not asked when the cache is off)."""
    seconds = cache_seconds()
    if not seconds:
        return build()
    digest = hashlib.sha256(repr((parts, versions())).encode()).hexdigest()[:40]
    key = f"dashboards:{kind}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=seconds)
    return value
