"""Signing in: the client's address, and a cheap throttle in front of password checking.

Checking a password costs a deliberately slow hash (about half a second of CPU), and an
unknown user name costs one too, so that the answer takes as long as for a real account.
django-axes locks a user name at an address only after it has failed, and only for that
pair: ten clients trying random names were never locked and kept every worker hashing.

The throttle counts failed attempts in the cache, per client address and in total, in
one-minute windows, and refuses the attempt before any form, backend or hash runs. Counters
live in Django's cache: the default (memory of one process) is right for one server; with
several servers the cache must be shared (CACHE_BACKEND=database, docs/operations.md).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The address the request came from, read past the proxies this deployment trusts.

    nginx appends the address it saw to X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies
    in front, the count-th entry from the right is the client as the outermost trusted proxy
    saw it. Entries further left were written by the client and are never trusted. With no
    proxy (the default) it is the connection's own address. django-axes uses this too
    (AXES_CLIENT_IP_CALLABLE), so its lockouts are per client, not per proxy.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _keys(address: str) -> tuple[str, str]:
    window = int(time.time() // 60)
    return f"signin:address:{window}:{address}", f"signin:total:{window}"


def sign_in_refused(address: str) -> bool:
    """True when this address, or everyone together, has failed too often this minute.

    Costs one cache read and no hash.
    """
    address_key, total_key = _keys(address)
    counts = cache.get_many([address_key, total_key])
    return (
        counts.get(address_key, 0) >= settings.SIGN_IN_ADDRESS_LIMIT
        or counts.get(total_key, 0) >= settings.SIGN_IN_TOTAL_LIMIT
    )


def sign_in_failed(address: str) -> None:
    """Count one failed attempt (a wrong password or an unknown user name)."""
    for key in _keys(address):
        # add() makes the counter with a lifetime; incr() is atomic in every cache backend.
        cache.add(key, 0, timeout=120)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=120)
