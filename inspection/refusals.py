"""The refusal page (403) that speaks to the situation: what the person tried, why they may not,
and what they can do instead.

A view or service raises `Refused` (a PermissionDenied) with those three parts; a plain
PermissionDenied still gets a page that says what was tried (from the request) and its message
as the reason. `config.urls.handler403` points here.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from inspection.models import Membership

DEFAULT_TODO = (
    "If you think your role on this inspection should allow it, ask the inspection's lead "
    "inspector."
)


class Refused(PermissionDenied):
    def __init__(
        self,
        why: str,
        *,
        tried: str = "",
        todo: str = "",
        back_url: str = "",
        back_text: str = "",
    ):
        super().__init__(why)
        self.why = why
        self.tried = tried
        self.todo = todo
        self.back_url = back_url
        self.back_text = back_text


def role_refusal(access, *, tried: str, who: str) -> Refused:
    """Refused by role on an inspection: names the person's role and who may do it."""
    inspection = access.inspection
    if access.role:
        role = Membership.Role(access.role).label.lower()
        why = f"You are {_article(role)} {role} on this inspection; only {who} can do this."
    else:
        why = f"You are not on this inspection's team; only {who} can do this."
    return Refused(
        why,
        tried=tried,
        todo=DEFAULT_TODO,
        back_url=reverse("inspection:detail", args=[inspection.reference]),
        back_text=f"Go back to {inspection.title}",
    )


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _tried_from(request) -> str:
    if request.method in ("GET", "HEAD"):
        return "open this page"
    return "make this change"


def refused(request, exception=None):
    """The 403 page."""
    if isinstance(exception, Refused):
        tried, why, todo = exception.tried, exception.why, exception.todo
        back_url, back_text = exception.back_url, exception.back_text
    else:
        tried = ""
        message = str(exception or "")
        why = message if message and message != "403 Forbidden" else ""
        todo = back_url = back_text = ""
    context = {
        "tried": tried or _tried_from(request),
        "why": why or "Your role does not allow it.",
        "todo": todo or DEFAULT_TODO,
        "back_url": back_url,
        "back_text": back_text,
        "changed_nothing": request.method not in ("GET", "HEAD"),
    }
    return render(request, "403.html", context, status=403)
