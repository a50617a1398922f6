"""What the header and the timeout warning need on every page (config.settings TEMPLATES)."""

import time

from django.conf import settings

from casefiles.models import Case

# Whether the person has cases, kept in the session for a few minutes: the header asks on
# every page, and a query on every page for a link would cost more than it is worth.
HAS_CASES = "nav_has_cases"
HAS_CASES_SECONDS = 5 * 60


def has_cases(request, *, refresh: bool = False) -> bool:
    kept = request.session.get(HAS_CASES)
    now = int(time.time())
    if not refresh and kept and now - kept[1] < HAS_CASES_SECONDS:
        return kept[0]
    found = Case.objects.for_inspector(request.user).exists()
    request.session[HAS_CASES] = [found, now]
    return found


def scoring(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_has_cases": lambda: has_cases(request),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
