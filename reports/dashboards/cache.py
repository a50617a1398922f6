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

The whole national page is kept too (``cached_page``), under one number for everything the
dashboards show (judgements.tallies.page_generation): any change moves it on, and the
page is drawn again from the figures kept by ``cached``.

The entries are in Django's cache: each process's own memory by default, shared by the
workers of a server with CACHE_BACKEND=file, or by every server with CACHE_BACKEND=database.
DASHBOARD_CACHE_SECONDS = 0 turns the cache off (the benchmark measures the pages
that way).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from judgements.tallies import page_generation

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
    key = _key(kind, (parts, versions()))
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=seconds)
    return value


def _key(kind: str, parts: object) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"dashboards:{kind}:{digest}"


def cached_page(
    request, kind: str, draw: Callable[[dict], HttpResponse], *, live: object = None
) -> HttpResponse:
    """The whole page ``draw(extra_context)`` renders, from the cache when the same person
    asks for the same address again, on the same day, and nothing it was drawn from has
    changed: the generation of the cached pages (judgements.tallies.page_generation, one read
    by primary key), which every change to the figures, to what decides which inspections,
    organisations and filters a dashboard shows, and to the safeguarding concerns and teams
    behind the alerts and counts in the layout moves on (reports.dashboards.signals), and the
    ``live`` values (anything else the page shows, read afresh for every request). So a page
    served again costs one read more than the sign-in's own; a page drawn again after a
    change reads its figures through ``cached``, from the cache while their versions are
    unchanged. The day is in the key because the layout counts the concerns overdue today.

    An entry is one person's own: their id is part of its key, so no page drawn for one
    person is ever served to another, and so is their name, which the layout shows. The page
    is drawn with a placeholder for the CSRF token (``extra_context``), which each response
    replaces with its own token; a page with a message waiting to be shown (which is shown
    once) is drawn afresh and not kept. Only HTML pages are kept.
    """
    seconds = cache_seconds()
    if not seconds or get_messages(request):
        return draw({})
    key = _key(
        f"page:{kind}",
        (
            request.user.pk,
            str(request.user),
            request.get_full_path(),
            timezone.localdate(),
            live,
            page_generation(),
        ),
    )
    entry = cache.get(key)
    token = get_token(request).encode()
    if entry is None:
        placeholder = f"csrf-{secrets.token_hex(16)}"
        response = draw({"csrf_token": placeholder})
        drawn = response.content
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            cache.set(key, (placeholder, drawn, response["Content-Type"]), timeout=seconds)
        response.content = drawn.replace(placeholder.encode(), token)
        return response
    placeholder, drawn, content_type = entry
    return HttpResponse(drawn.replace(placeholder.encode(), token), content_type=content_type)
