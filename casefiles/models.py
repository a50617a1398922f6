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


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        return self.filter(inspection__in=Inspection.objects.visible_to(user))

    def for_inspector(self, user) -> "CaseQuerySet":
        return self.filter(inspector=user)


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
    date_of_birth = models.DateField()
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
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
    def counts_towards_ratings(self) -> bool:
        return self.status in self.COUNTED_STATUSES

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

    class Meta:
        abstract = True


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
