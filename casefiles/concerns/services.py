"""Every change to a safeguarding concern: raised, acknowledged, referred, answered, closed.

Each service locks the concern's row, checks who may take the step and that the form was not
stale (two people at once), saves, and writes a `ConcernChange` row for every field it changed,
all in one transaction. Raising a concern also sends the lead an email once the transaction
commits, holding a link and the urgency only: no name, nothing of what was found.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from inspection.access import role_on
from inspection.models import Membership
from inspection.permissions import may_follow_up_concern, may_raise_concern

from ..choices import ContactMethod
from ..models import Case, LinkedChild
from .models import Concern, ConcernChange
from .workdays import default_response_due

logger = logging.getLogger(__name__)

TEXT_MAX = 5000


class ConcernRefused(Exception):
    """The step cannot be taken: the message says why, naming the field where there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleConcern(ConcernRefused):
    """Someone else took a step on the concern since the form was opened."""


# The fields each step records in the history, with their labels as the forms show them.
LABELS = {
    "status": "Status",
    "about": "About",
    "urgency": "Urgency",
    "found": "What was found",
    "why_urgent": "Why it is urgent",
    "acknowledged_by": "Acknowledged by",
    "referred_to_organisation": "Organisation referred to",
    "referred_to_person": "Person spoken to or written to",
    "referred_on": "Date referred",
    "referral_method": "How it was referred",
    "referral_reference": "Their reference",
    "response_due": "Response due",
    "response_received_on": "Date of the response",
    "response": "The response",
    "outcome": "Outcome",
    "closure_note": "Note on closing",
}
# What the history keeps of a concern once the case data is deleted: these values are blanked.
PERSONAL_FIELDS = (
    "about",
    "found",
    "why_urgent",
    "referred_to_person",
    "referral_reference",
    "response",
    "closure_note",
)


def _display(concern: Concern, name: str) -> str:
    if name == "about":
        return concern.about()
    value = getattr(concern, name)
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.isoformat()
    display = getattr(concern, f"get_{name}_display", None)
    return str(display()) if display else str(value)


def _snapshot(concern: Concern, names) -> dict[str, str]:
    return {name: _display(concern, name) for name in names}


def _record(*, concern: Concern, step: str, before: dict, after: dict, actor, now) -> None:
    ConcernChange.objects.bulk_create(
        ConcernChange(
            concern=concern,
            step=step,
            field=LABELS.get(name, name),
            field_name=name,
            old_value=before.get(name, ""),
            new_value=after.get(name, ""),
            version=concern.version,
            actor=actor,
            at=now,
        )
        for name in dict.fromkeys([*before, *after])
        if before.get(name, "") != after.get(name, "")
    )


def _text(value: str, *, field: str, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ConcernRefused(f"Enter {label}", field=field)
    if "\x00" in value:
        raise ConcernRefused(f"{label.capitalize()} must not contain null characters", field=field)
    if len(value) > TEXT_MAX:
        raise ConcernRefused(
            f"{label.capitalize()} must be {TEXT_MAX} characters or fewer", field=field
        )
    return value


@dataclass(frozen=True)
class About:
    """Who a concern is about: a linked child of the case, or the person supervised."""

    child: LinkedChild | None = None
    subject: bool = False


# --------------------------------------------------------------------------- raising


@transaction.atomic
def concern_raise(
    *, case: Case, about: About, urgency: str, found: str, why_urgent: str, actor
) -> Concern:
    """Record a concern found in this case and alert the lead (email after commit)."""
    if not may_raise_concern(role_on(actor, case.inspection)):
        raise PermissionDenied("Only the inspection's team raises a safeguarding concern.")
    if about.subject == (about.child is not None):
        raise ConcernRefused("Select who the concern is about", field="about")
    if about.child is not None and about.child.case_id != case.pk:
        raise ConcernRefused("Select a child linked to this case", field="about")
    if urgency not in Concern.Urgency.values:
        raise ConcernRefused("Select how urgent the concern is", field="urgency")
    now = timezone.now()
    concern = Concern.objects.create(
        inspection=case.inspection,
        organisation_id=case.organisation_id,
        case=case,
        child=about.child,
        about_subject=about.subject,
        found=_text(found, field="found", label="what was found"),
        why_urgent=_text(why_urgent, field="why_urgent", label="why it is urgent"),
        urgency=urgency,
        raised_by=actor,
        raised_at=now,
    )
    after = _snapshot(concern, ("status", "about", "urgency", "found", "why_urgent"))
    _record(
        concern=concern,
        step=ConcernChange.Step.RAISED,
        before={},
        after=after,
        actor=actor,
        now=now,
    )
    transaction.on_commit(lambda: _alert_or_log(concern))
    return concern


def _alert_or_log(concern: Concern) -> None:
    # The concern is saved and the lead's banner shows it whatever happens to the email: a
    # mail server that is down is logged, not shown to the inspector as a failure to raise it.
    try:
        concern_alert_send(concern)
    except Exception:
        logger.exception("The email about safeguarding concern %s was not sent", concern.public_id)


def concern_alert_send(concern: Concern) -> int:
    """Email the inspection's lead: a link and the urgency, never a name or what was found."""
    leads = list(
        Membership.objects.filter(inspection_id=concern.inspection_id, role=Membership.Role.LEAD)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not leads:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse(
        "casefiles:concern_detail", args=[concern.public_id]
    )
    urgency = concern.short_urgency.lower()
    return send_mail(
        subject=f"Safeguarding concern raised ({urgency})",
        message=(
            f"A safeguarding concern has been raised on an inspection you lead.\n\n"
            f"Urgency: {urgency}.\n\n"
            f"Sign in to read it and acknowledge it:\n{link}\n"
        ),
        from_email=None,
        recipient_list=leads,
    )


# --------------------------------------------------------------------------- following up


def _lock_for_step(concern: Concern, actor, seen_version: int | None) -> Concern:
    locked = Concern.objects.select_for_update().select_related("inspection").get(pk=concern.pk)
    if not may_follow_up_concern(role_on(actor, locked.inspection)):
        raise PermissionDenied("Only the lead inspector follows a safeguarding concern up.")
    if seen_version is not None and seen_version != locked.version:
        raise StaleConcern(
            "This concern was changed since you opened it: reload the page to see the "
            "latest version and take the step again"
        )
    return locked


def _save_step(concern: Concern, *, step: str, names, before: dict, actor, now) -> Concern:
    concern.version += 1
    concern.full_clean(exclude=["case", "child", "inspection", "organisation"])
    concern.save()
    _record(
        concern=concern,
        step=step,
        before=before,
        after=_snapshot(concern, names),
        actor=actor,
        now=now,
    )
    return concern


@transaction.atomic
def concern_acknowledge(*, concern: Concern, actor, seen_version: int | None = None) -> Concern:
    concern = _lock_for_step(concern, actor, seen_version)
    if concern.status != Concern.Status.RAISED:
        raise ConcernRefused("This concern has already been acknowledged")
    names = ("status", "acknowledged_by")
    before = _snapshot(concern, names)
    now = timezone.now()
    concern.status = Concern.Status.ACKNOWLEDGED
    concern.acknowledged_by = actor
    concern.acknowledged_at = now
    return _save_step(
        concern,
        step=ConcernChange.Step.ACKNOWLEDGED,
        names=names,
        before=before,
        actor=actor,
        now=now,
    )


REFERRAL_FIELDS = (
    "status",
    "referred_to_organisation",
    "referred_to_person",
    "referred_on",
    "referral_method",
    "referral_reference",
    "response_due",
)


@transaction.atomic
def concern_refer(
    *,
    concern: Concern,
    organisation: str,
    person: str,
    referred_on: date,
    method: str,
    reference: str = "",
    response_due: date | None = None,
    actor,
    seen_version: int | None = None,
) -> Concern:
    """Record (or correct) the referral back to the service or local authority.

    The response is due on `response_due`, or by default one working day after the referral
    for an immediate concern, two for one within a working day (casefiles.concerns.workdays).
    """
    concern = _lock_for_step(concern, actor, seen_version)
    if concern.status == Concern.Status.RAISED:
        raise ConcernRefused("Acknowledge the concern before recording the referral")
    if concern.status == Concern.Status.CLOSED:
        raise ConcernRefused("This concern is closed")
    today = timezone.localdate()
    if referred_on > today:
        raise ConcernRefused("Date referred must be today or in the past", field="referred_on")
    if referred_on < timezone.localdate(concern.raised_at):
        raise ConcernRefused(
            "Date referred must be on or after the day the concern was raised", field="referred_on"
        )
    if method not in ContactMethod.values:
        raise ConcernRefused("Select how it was referred", field="method")
    due = response_due or default_response_due(urgency=concern.urgency, referred_on=referred_on)
    if due < referred_on:
        raise ConcernRefused(
            "Response due must be on or after the date referred", field="response_due"
        )
    before = _snapshot(concern, REFERRAL_FIELDS)
    concern.referred_to_organisation = _text(
        organisation, field="organisation", label="the organisation referred to"
    )
    concern.referred_to_person = _text(
        person, field="person", label="the person spoken to or written to"
    )
    concern.referral_reference = _text(
        reference, field="reference", label="their reference", required=False
    )
    concern.referred_on = referred_on
    concern.referral_method = method
    concern.response_due = due
    if concern.status == Concern.Status.ACKNOWLEDGED:
        concern.status = Concern.Status.REFERRED
    return _save_step(
        concern,
        step=ConcernChange.Step.REFERRED,
        names=REFERRAL_FIELDS,
        before=before,
        actor=actor,
        now=timezone.now(),
    )


@transaction.atomic
def concern_response_record(
    *,
    concern: Concern,
    received_on: date,
    response: str,
    actor,
    seen_version: int | None = None,
) -> Concern:
    concern = _lock_for_step(concern, actor, seen_version)
    if concern.status not in (Concern.Status.REFERRED, Concern.Status.RESPONDED):
        raise ConcernRefused(
            "Record the referral before the response"
            if concern.status != Concern.Status.CLOSED
            else "This concern is closed"
        )
    if received_on > timezone.localdate():
        raise ConcernRefused(
            "Date of the response must be today or in the past", field="received_on"
        )
    if received_on < concern.referred_on:
        raise ConcernRefused(
            "Date of the response must be on or after the date referred", field="received_on"
        )
    names = ("status", "response_received_on", "response")
    before = _snapshot(concern, names)
    concern.response_received_on = received_on
    concern.response = _text(response, field="response", label="the response")
    concern.status = Concern.Status.RESPONDED
    return _save_step(
        concern,
        step=ConcernChange.Step.RESPONDED,
        names=names,
        before=before,
        actor=actor,
        now=timezone.now(),
    )


@transaction.atomic
def concern_close(
    *, concern: Concern, outcome: str, note: str, actor, seen_version: int | None = None
) -> Concern:
    """Close a concern with its outcome: only once the service's response is recorded."""
    concern = _lock_for_step(concern, actor, seen_version)
    if concern.status == Concern.Status.CLOSED:
        raise ConcernRefused("This concern is already closed")
    if concern.status != Concern.Status.RESPONDED:
        raise ConcernRefused("Record the referral and the service's response before closing")
    if outcome not in Concern.Outcome.values:
        raise ConcernRefused("Select the outcome", field="outcome")
    names = ("status", "outcome", "closure_note")
    before = _snapshot(concern, names)
    now = timezone.now()
    concern.outcome = outcome
    concern.closure_note = _text(note, field="note", label="a note on closing", required=False)
    concern.status = Concern.Status.CLOSED
    concern.closed_by = actor
    concern.closed_at = now
    return _save_step(
        concern, step=ConcernChange.Step.CLOSED, names=names, before=before, actor=actor, now=now
    )


# --------------------------------------------------------------------------- retention


def concern_details_remove(*, inspection, actor) -> int:
    """Reduce an inspection's concerns to what the record needs, before its cases are deleted.

    Kept: the inspection and organisation, urgency, status, the dates and who took each step,
    the organisation referred to, how and when, the response's date and due date, the outcome.
    Removed: the case and child they were about, what was found and why it was urgent, the
    person referred to, their reference, the response's text and the note on closing; in the
    history too. Called by reports.retention inside the purge's transaction.
    """
    now = timezone.now()
    concerns = list(
        Concern.objects.select_for_update().filter(
            inspection=inspection, details_removed_at__isnull=True
        )
    )
    blank = {
        "case": None,
        "child": None,
        "about_subject": False,
        "found": "",
        "why_urgent": "",
        "referred_to_person": "",
        "referral_reference": "",
        "response": "",
        "closure_note": "",
        "details_removed_at": now,
    }
    for concern in concerns:
        for name, value in blank.items():
            setattr(concern, name, value)
        concern.version += 1
    Concern.objects.bulk_update(concerns, [*blank, "version"])
    ConcernChange.objects.filter(concern__in=concerns, field_name__in=PERSONAL_FIELDS).update(
        old_value="", new_value=""
    )
    ConcernChange.objects.bulk_create(
        ConcernChange(
            concern=concern,
            step=ConcernChange.Step.DETAILS_REMOVED,
            field="Personal details",
            field_name="details_removed_at",
            new_value=now.isoformat(),
            version=concern.version,
            actor=actor,
            at=now,
        )
        for concern in concerns
    )
    return len(concerns)
