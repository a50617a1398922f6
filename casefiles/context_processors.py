"""The lead inspector's safeguarding alert on every page (config.settings TEMPLATES)."""

from .concerns.backends import WAITING
from .concerns.selectors import lead_alerts

_CACHED = "_concern_alerts"


def concern_alerts(request) -> dict:
    """Concerns waiting for the signed-in person to acknowledge, on inspections they lead.

    One query per request when a concern waits for the person (a page rendering several
    templates asks once: the answer is kept on the request); none when the person, as read by
    the sign-in backend (SignedInBackend), has none waiting. Nothing for someone signed out.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, _CACHED):
        waiting = getattr(user, WAITING, True)  # read some other way: ask
        setattr(request, _CACHED, lead_alerts(user) if waiting else [])
    return {"concern_alerts": getattr(request, _CACHED)}
