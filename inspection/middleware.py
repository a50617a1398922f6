"""Middleware for what every response must carry and how long a sign-in lasts."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "signed_in_at"


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any page shown to a signed-in person.

    Every page behind sign-in shows personal data (names, dates of birth, judgements),
    and a shared or lost computer's cache must not hold them. Static files never get
    here: whitenoise serves them before this runs, with their own long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
        return response


class AbsoluteSessionLifetimeMiddleware:
    """End a sign-in SESSION_ABSOLUTE_SECONDS after it began, however busy it has been.

    SESSION_COOKIE_AGE (with SESSION_SAVE_EVERY_REQUEST) is an idle limit only: a session
    used every few minutes, or a stolen cookie kept warm, would otherwise last for ever.
    The sign-in time is kept in the session (set when someone signs in, or the first
    time a session from before this check is seen).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SIGNED_IN_AT, now)
            if now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    "You were signed out because you signed in more than "
                    f"{settings.SESSION_ABSOLUTE_SECONDS // 3600} hours ago. Sign in again.",
                )
        return self.get_response(request)


def remember_sign_in_time(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the start of the absolute lifetime."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())
