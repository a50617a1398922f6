"""Middleware for what every response must carry and how long a sign-in lasts."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "signed_in_at"
EXPIRY_MOVED_AT = "expiry_moved_at"


class HtmlGZipMiddleware(GZipMiddleware):
    """Compress pages (HTML) for browsers that accept gzip, and nothing else.

    Django's GZipMiddleware, limited to text/html: PDFs, workbooks and images are compressed
    already, so compressing them again costs CPU for nothing, and the small JSON replies of
    autosave are not worth it. Static files never get here (whitenoise answers them first,
    from files compressed once by collectstatic). Why this is safe from BREACH: the CSRF
    token in every form is masked afresh on each response, the session cookie is SameSite=Lax
    (another site cannot make a signed-in browser fetch pages in the background), and Django
    adds 0 to 99 random bytes to every compressed response (docs/decisions.md).
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)


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

    SESSION_COOKIE_AGE (moved on by SlidingSessionExpiryMiddleware) is an idle limit only: a session
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


class SlidingSessionExpiryMiddleware:
    """Keep a signed-in session alive while it is used, writing it only now and then.

    A session ends SESSION_COOKIE_AGE (SESSION_IDLE_SECONDS) after it was last saved, and
    saving it is an UPDATE of django_session and a commit. Saving it on every request
    (SESSION_SAVE_EVERY_REQUEST) made every page a write, even pages that only read. Instead,
    when more than SESSION_REFRESH_SECONDS have passed since its expiry was last moved on, a
    request notes the time in the session; that changes the session, so SessionMiddleware
    saves it, with a new expiry, as it saves any changed session. Other requests write
    nothing. A session left alone therefore ends between SESSION_IDLE_SECONDS minus
    SESSION_REFRESH_SECONDS and SESSION_IDLE_SECONDS after its last request: never later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            moved = request.session.get(EXPIRY_MOVED_AT)
            if moved is None or now - int(moved) >= settings.SESSION_REFRESH_SECONDS:
                request.session[EXPIRY_MOVED_AT] = now
        return self.get_response(request)


def remember_sign_in_time(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the start of the absolute lifetime.

    Signing in saves the session with a full idle lifetime, so the expiry counts as just
    moved on: the first pages after signing in write no session.
    """
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[EXPIRY_MOVED_AT] = now
