"""The sampled cases and what their files hold."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from inspection.models import Inspection, Organisation

from .choices import (
    Agency,
    CheckKind,
    ChildRelationship,
    ContactMethod,
    Ethnicity,
    Gender,
    Level,
    MappaLevel,
    MeetingKind,
    OffenderRole,
    OrderType,
    PlanCategory,
    RequirementType,
    RiskSource,
    SampleType,
    SubjectKind,
)


def counted_condition(path: str = "") -> Q:
    """The condition "this case counts towards ratings" (Case.COUNTED_STATUSES), reached
    through ``path`` from another model: ``counted_condition("case__")`` on answers or
    referrals, ``Count("id", filter=counted_condition())`` in a roll-up of cases. Written
    once here, so every roll-up counts the same cases as the ratings.

    A case selected for a second, independent reading counts only once the two readings are
    reconciled (``awaiting_reconciliation`` is cleared by judgements.services)."""
    return Q(
        **{
            f"{path}status__in": sorted(str(status) for status in Case.COUNTED_STATUSES),
            f"{path}awaiting_reconciliation": False,
        }
    )


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        return self.filter(inspection__in=Inspection.objects.visible_to(user))

    def for_inspector(self, user) -> "CaseQuerySet":
        return self.filter(inspector=user)

    def counted(self) -> "CaseQuerySet":
        """Cases whose answers count towards ratings: submitted, in quality assurance or
        agreed (Case.COUNTED_STATUSES)."""
        return self.filter(counted_condition())


class Case(models.Model):
    """One sampled case file in an inspection."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        IN_QA = "in_qa", "In quality assurance"
        RETURNED = "returned", "Returned"
        AGREED = "agreed", "Agreed"

    LOCKED_STATUSES = frozenset({Status.AGREED})
    # Submitted for scoring or in quality assurance: only the lead changes the file, with a
    # reason. (Returned cases are back with their inspector; agreed ones are locked.)
    SUBMITTED_STATUSES = frozenset({Status.SUBMITTED, Status.IN_QA})
    COUNTED_STATUSES = frozenset({Status.SUBMITTED, Status.IN_QA, Status.AGREED})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="cases")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField("case reference", max_length=40)
    sample_type = models.CharField(max_length=20, choices=SampleType.choices)
    # The person supervised: an adult offender (probation) or a child (youth justice).
    subject_kind = models.CharField("adult or child", max_length=5, choices=SubjectKind.choices)
    subject_name = models.CharField("name of the person supervised", max_length=120)
    gender = models.CharField(max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(max_length=10, choices=Ethnicity.choices)
    # Empty only for a case the sample draw created: the population file does not give it,
    # and the lead completes it later. Forms still require it (blank=False).
    date_of_birth = models.DateField(null=True)
    risk_of_serious_harm = models.CharField(max_length=10, choices=Level.choices)
    safety_and_wellbeing = models.CharField(
        "safety and wellbeing (vulnerability)", max_length=10, choices=Level.choices, blank=True
    )
    mappa_level = models.CharField(
        "MAPPA level", max_length=4, choices=MappaLevel.choices, default=MappaLevel.NONE
    )
    main_source_of_risk = models.CharField(
        max_length=15, choices=RiskSource.choices, default=RiskSource.NOT_RECORDED
    )
    case_manager = models.CharField(max_length=120)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    selected_for_qa = models.BooleanField("selected for quality assurance", default=False)
    # Selected for a second, independent reading that is not yet reconciled: its answers do
    # not count towards ratings until the agreed answers are written (judgements.services).
    awaiting_reconciliation = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised on every change to the case's details: an edit form carries the version it
    # showed, and a save from an older one is refused (casefiles.services).
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "reference"], name="case_reference_unique_in_inspection"
            ),
        ]
        indexes = [
            # The case list filters an inspection's cases by sample and status.
            models.Index(fields=["inspection", "sample_type", "status"], name="case_list_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED_STATUSES

    @property
    def change_needs_reason(self) -> bool:
        """Submitted or in quality assurance: only the lead changes the file, with a reason."""
        return self.status in self.SUBMITTED_STATUSES

    @property
    def counts_towards_ratings(self) -> bool:
        return self.counts_with(self.status)

    def counts_with(self, status: str) -> bool:
        """Whether the case would count towards ratings in this status (counted_condition)."""
        return status in self.COUNTED_STATUSES and not self.awaiting_reconciliation

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.date_of_birth and self.date_of_birth > date.today():  # noqa: DTZ011
            errors["date_of_birth"] = "Date of birth must be today or in the past"
        if (
            self.inspection_id
            and self.organisation_id
            and not self.inspection.organisations.filter(pk=self.organisation_id).exists()
        ):
            errors["organisation"] = "Organisation must be one of the inspection's organisations"
        if errors:
            raise ValidationError(errors)


class CaseFilePart(models.Model):
    """Common shape of everything a case file holds: owned by a case, reached by public id."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    # Raised on every change, as Case.version is.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class CaseFileChange(models.Model):
    """One change to one field of a case or a part of its file: who, when, before and after.

    Rows are only ever added, by casefiles.services, in the same transaction as the change.
    A create or a delete writes one row per field (before or after empty). They go with
    their case when its data is deleted after publication, as the answers' trail does
    (reports/retention.py).
    """

    class Action(models.TextChoices):
        CREATED = "created", "Added"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Removed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="file_changes")
    part = models.CharField(
        max_length=20, help_text="'case', or the part's name in addresses ('orders', ...)."
    )
    part_public_id = models.UUIDField()
    action = models.CharField(max_length=7, choices=Action.choices)
    field = models.CharField(max_length=80, help_text="The field's label, as forms show it.")
    field_name = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    version = models.PositiveIntegerField(help_text="The version of the part this change made.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The case history lists a case's changes, newest first; a stale form reads one
            # part's changes since a version.
            models.Index(fields=["case", "-at"], name="casefile_change_case_idx"),
            models.Index(fields=["part_public_id", "version"], name="casefile_change_part_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.part}: {self.field}"


class Order(CaseFilePart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="orders")
    order_type = models.CharField(max_length=30, choices=OrderType.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="order_dates_in_order",
                violation_error_message="The order cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.get_order_type_display()


class Requirement(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="requirements")
    requirement_type = models.CharField(max_length=30, choices=RequirementType.choices)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["requirement_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "requirement_type"], name="requirement_once_per_order"
            )
        ]

    def __str__(self) -> str:
        return self.get_requirement_type_display()


class LinkedChild(CaseFilePart):
    """A child linked to the person supervised (seed 000, 2.2 and 2.17)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=120)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=250, blank=True)
    relationship = models.CharField(max_length=20, choices=ChildRelationship.choices)
    lives_with_subject = models.BooleanField("lives with the person supervised", default=False)
    offender_role = models.CharField(
        "the person supervised is",
        max_length=20,
        choices=OffenderRole.choices,
        default=OffenderRole.OTHER,
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "linked children"

    def __str__(self) -> str:
        return self.name


class ChildProtectionPlan(CaseFilePart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    child = models.ForeignKey(
        LinkedChild,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        help_text="Leave empty when the plan is for the child supervised.",
    )
    category = models.CharField(max_length=10, choices=PlanCategory.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    initial_conference_date = models.DateField(
        "initial child protection conference", null=True, blank=True
    )
    core_group_established = models.BooleanField(default=False)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="plan_dates_in_order",
                violation_error_message="The plan cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"Child protection plan ({self.get_category_display()})"


class Referral(CaseFilePart):
    """A referral to children's social care (seed 000, 2.48-2.49 and 3.35)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    child = models.ForeignKey(
        LinkedChild, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    referral_date = models.DateField()
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    included_child_details = models.BooleanField("gave full details of the child", default=False)
    described_risk = models.BooleanField("described the nature of the risk", default=False)
    stated_response_wanted = models.BooleanField("said what response was wanted", default=False)
    response_date = models.DateField(null=True, blank=True)
    response_timely = models.BooleanField(null=True, blank=True)
    response_satisfactory = models.BooleanField(null=True, blank=True)
    followed_up = models.BooleanField(default=False)
    escalated = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["referral_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_date__isnull=True) | Q(response_date__gte=F("referral_date")),
                name="referral_response_after_referral",
                violation_error_message="The response cannot come before the referral.",
            )
        ]

    def __str__(self) -> str:
        return f"Referral by {self.get_method_display().lower()}"

    @property
    def content_complete(self) -> bool:
        return self.included_child_details and self.described_risk and self.stated_response_wanted


class AgencyCheck(CaseFilePart):
    """A check with, or a notification of involvement sent to, another agency."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checks")
    agency = models.CharField(max_length=10, choices=Agency.choices)
    kind = models.CharField(max_length=12, choices=CheckKind.choices)
    requested_date = models.DateField("date made or sent")
    response_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["requested_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_date__isnull=True) | Q(response_date__gte=F("requested_date")),
                name="check_response_after_request",
                violation_error_message="The response cannot come before the check was made.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_agency_display()}"


class Meeting(CaseFilePart):
    """A multi-agency meeting (seed 000, 2.36, 2.39, 3.20-3.22)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    meeting_date = models.DateField()
    invited = models.BooleanField(default=True)
    invitation_timely = models.BooleanField(null=True, blank=True)
    attended = models.BooleanField(default=False)
    report_submitted = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invited=True) | Q(invitation_timely__isnull=True),
                name="meeting_timeliness_needs_invitation",
                violation_error_message="Timeliness of an invitation needs an invitation.",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class HomeVisit(CaseFilePart):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visit_date = models.DateField()
    announced = models.BooleanField(default=True)
    children_seen = models.BooleanField(default=False)
    purpose = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["visit_date"]

    def __str__(self) -> str:
        return "Home visit"


class Interview(CaseFilePart):
    """An interview for the case: with its case manager, which every case assessment includes
    (seed 004, Annex 1; seed 000, 1.22), or with someone else involved. Its notes are part of
    the case file, read, audited, exported and deleted with it."""

    class Kind(models.TextChoices):
        CASE_MANAGER = "case_manager", "Case manager"
        OTHER = "other", "Someone else involved in the case"

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        REMOTE = "remote", "Remote (phone or video)"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(
        "who is interviewed", max_length=12, choices=Kind.choices, default=Kind.CASE_MANAGER
    )
    interviewee = models.CharField("name of the person interviewed", max_length=120)
    role = models.CharField("their role", max_length=120)
    interview_date = models.DateField("interview date")
    # "14:30" (24-hour clock): a time of day with no time zone, as the timetable shows it.
    time = models.CharField("time", max_length=5, blank=True)
    mode = models.CharField(
        "in person or remote", max_length=9, choices=Mode.choices, default=Mode.IN_PERSON
    )
    held = models.BooleanField("was the interview held", null=True, blank=True)
    not_held_reason = models.CharField("why it was not held", max_length=250, blank=True)
    notes = models.TextField("interview notes", blank=True)

    class Meta:
        ordering = ["interview_date", "time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held=False) | Q(not_held_reason=""),
                name="interview_reason_only_if_not_held",
                violation_error_message="A reason for not holding an interview needs it not held.",
            )
        ]

    def __str__(self) -> str:
        return f"Interview ({self.get_kind_display().lower()})"


# --------------------------------------------------------------------- drawing the sample
def default_windows() -> dict[str, list[int]]:
    """Months before fieldwork, per sample type, as the 2018 and 2014 inspections used."""
    from .sampling.draw import DEFAULT_WINDOWS

    return {w.sample_type: [w.months_from, w.months_to] for w in DEFAULT_WINDOWS}


# The sampling tables live with the sampling code; importing them here is what registers them
# with the app (Django looks for an app's models in its models module).
from casefiles.concerns.models import Concern, ConcernChange  # noqa: E402
from casefiles.sampling.models import (  # noqa: E402
    DrawnCase,
    SampleDraw,
    SamplePopulation,
    SampleReplacement,
    SampleSizeOverride,
    SamplingPlan,
)

__all__ = [
    "AgencyCheck",
    "Case",
    "CaseFileChange",
    "CaseFilePart",
    "Concern",
    "ConcernChange",
    "ChildProtectionPlan",
    "DrawnCase",
    "HomeVisit",
    "LinkedChild",
    "Meeting",
    "Order",
    "Referral",
    "Requirement",
    "SampleDraw",
    "SamplePopulation",
    "SampleReplacement",
    "SampleSizeOverride",
    "SamplingPlan",
    "counted_condition",
    "default_windows",
]
