"""What the header and the timeout warning need on every page (config.settings TEMPLATES)."""

from django.conf import settings

from casefiles.models import Case

# Whether the person has cases, kept in the session: the header asks on every page, and a
# query on every page for one link would cost more than it is worth. It is found when the
# person signs in, and found again whenever the home page or "Your cases" is opened (both
# count the person's cases anyway).
HAS_CASES = "nav_has_cases"


def has_cases_remember(request, found: bool) -> None:
    if request.session.get(HAS_CASES) != found:
        request.session[HAS_CASES] = found


def has_cases_on_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver (connected in JudgementsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        has_cases_remember(request, Case.objects.for_inspector(user).exists())


def scoring(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_has_cases": request.session.get(HAS_CASES, False),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
