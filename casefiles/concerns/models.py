"""Safeguarding concerns: a child at risk found in a case file, and how it was followed up.

A concern belongs to the inspection (it outlives the case: reports/retention.py keeps it with
its personal details removed), and to the case and the child it was found about while they
exist. Its history (`ConcernChange`) records every step, field by field, in the same
transaction as the step (casefiles.concerns.services).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from inspection.models import Inspection, Organisation

from ..choices import ContactMethod


class ConcernQuerySet(models.QuerySet):
    def open(self) -> "ConcernQuerySet":
        return self.exclude(status=Concern.Status.CLOSED)

    def overdue(self, today) -> "ConcernQuerySet":
        """Open concerns whose response was due before today and has not come."""
        return self.open().filter(response_due__lt=today, response_received_on__isnull=True)


class Concern(models.Model):
    class Urgency(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate: a child is at risk now"
        WORKING_DAY = "working_day", "Within a working day"

    class Status(models.TextChoices):
        RAISED = "raised", "Raised, not yet acknowledged"
        ACKNOWLEDGED = "acknowledged", "Acknowledged, not yet referred"
        REFERRED = "referred", "Referred, awaiting a response"
        RESPONDED = "responded", "Response received"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        SERVICE_ACTED = "service_acted", "The service acted to protect the child"
        REFERRED_ON = "referred_on", "Referred on to children's social care or the police"
        ALREADY_KNOWN = "already_known", "Already known and being acted on"
        NO_FURTHER_ACTION = "no_further_action", "No further action needed"
        ESCALATED = "escalated", "Escalated: the response was not satisfactory"

    # Who the concern is about: a child linked to the case, or the person supervised (a child
    # in a youth case).
    SUBJECT = "subject"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Both go when the case data is deleted; the concern stays (reports/retention.py).
    case = models.ForeignKey(
        "casefiles.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
    )
    child = models.ForeignKey(
        "casefiles.LinkedChild",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The linked child the concern is about; empty for the person supervised.",
    )
    about_subject = models.BooleanField("about the person supervised", default=False)
    found = models.TextField("what was found")
    why_urgent = models.TextField("why it is urgent")
    urgency = models.CharField(max_length=12, choices=Urgency.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RAISED)

    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    referred_to_organisation = models.CharField(
        "organisation referred to", max_length=200, blank=True
    )
    referred_to_person = models.CharField(
        "person spoken to or written to", max_length=200, blank=True
    )
    referred_on = models.DateField("date referred", null=True, blank=True)
    referral_method = models.CharField(
        "how it was referred", max_length=10, choices=ContactMethod.choices, blank=True
    )
    referral_reference = models.CharField("their reference", max_length=100, blank=True)
    response_due = models.DateField("response due", null=True, blank=True)

    response_received_on = models.DateField("date of the response", null=True, blank=True)
    response = models.TextField("the response", blank=True)

    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closure_note = models.TextField("note on closing", blank=True)

    # Set when the case data is deleted and the concern's personal details with it.
    details_removed_at = models.DateTimeField(null=True, blank=True)
    # Raised on every step, so that a stale form (two people at once) is refused.
    version = models.PositiveIntegerField(default=1)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            # The lead's banner on every page: unacknowledged concerns of an inspection.
            models.Index(
                fields=["inspection"],
                condition=Q(status="raised"),
                name="concern_unacknowledged_idx",
            ),
            # The inspection page and dashboards count open and overdue concerns.
            models.Index(fields=["inspection", "status"], name="concern_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="raised") | Q(acknowledged_at__isnull=False),
                name="concern_acknowledged_past_raised",
                violation_error_message="A concern past 'raised' has been acknowledged.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["raised", "acknowledged"])
                | Q(referred_on__isnull=False, response_due__isnull=False),
                name="concern_referred_has_dates",
                violation_error_message="A referred concern has a referral date and a due date.",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="concern_closed_has_outcome",
                violation_error_message="A closed concern has its outcome.",
            ),
        ]

    def __str__(self) -> str:
        return f"Safeguarding concern ({self.get_urgency_display().split(':')[0].lower()})"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def short_urgency(self) -> str:
        return "Immediate" if self.urgency == self.Urgency.IMMEDIATE else "Within a working day"

    def about(self, *, personal: bool = True) -> str:
        """Who the concern is about, in words."""
        if self.details_removed_at is not None:
            return "Removed with the case data"
        if self.about_subject:
            return "The person supervised"
        if self.child_id is None:
            return "A linked child (no longer in the case file)"
        return self.child.name if personal else "A linked child"

    def is_overdue(self, today) -> bool:
        return (
            self.is_open
            and self.response_due is not None
            and self.response_received_on is None
            and self.response_due < today
        )


class ConcernChange(models.Model):
    """One step taken on a concern, field by field: who, when, the old value and the new.

    Added only by casefiles.concerns.services in the same transaction as the step. When the
    case data is deleted, the values of the personal fields are blanked here as on the
    concern (reports/retention.py); the rest of the trail stays.
    """

    class Step(models.TextChoices):
        RAISED = "raised", "Raised"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        REFERRED = "referred", "Referral recorded"
        RESPONDED = "responded", "Response recorded"
        CLOSED = "closed", "Closed"
        DETAILS_REMOVED = "details_removed", "Personal details removed with the case data"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="changes")
    step = models.CharField(max_length=16, choices=Step.choices)
    field = models.CharField(max_length=80, help_text="The field's label, as forms show it.")
    field_name = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    version = models.PositiveIntegerField(help_text="The concern's version this step made.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.field}"
