"""Areas, organisations, inspections and their teams, and inspection frameworks."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A person who signs in. Managers read everything and change nothing."""

    is_manager = models.BooleanField(
        default=False, help_text="Managers see every inspection and dashboard, read-only."
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Area(models.Model):
    """A local authority area, with its police force area and probation region."""

    slug = models.SlugField(unique=True)
    name = models.CharField("local authority", max_length=120, unique=True)
    police_force_area = models.CharField(max_length=120)
    region = models.CharField("probation region", max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROBATION_TRUST = "probation_trust", "Probation Trust"
        NPS_DIVISION = "nps_division", "National Probation Service division"
        CRC = "crc", "Community Rehabilitation Company"
        PDU = "pdu", "Probation Delivery Unit"
        YOT = "yot", "Youth Offending Team"
        YOS = "yos", "Youth Offending Service"
        YJS = "yjs", "Youth Justice Service"

    YOUTH_KINDS = frozenset({Kind.YOT, Kind.YOS, Kind.YJS})

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="organisations")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_youth(self) -> bool:
        return self.kind in self.YOUTH_KINDS


class Framework(models.Model):
    """One version of an inspection framework, loaded from a file in the repository.

    A version is never changed once an inspection uses it; a new version is a new row.
    """

    class JudgedBy(models.TextChoices):
        CASES = "cases", "Cases"
        ORGANISATION = "organisation", "Organisation"

    slug = models.SlugField()
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    source = models.TextField(blank=True)
    sample_types = models.JSONField(default=list)
    rating_bands = models.JSONField(help_text="Minimum percentage for each rating, best first.")
    rating_scores = models.JSONField(help_text="Score of each rating in the overall sum.")
    overall_thresholds = models.JSONField(help_text="Overall cut points per standard rated.")
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file it was loaded from.")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="framework_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def rules_dict(self) -> dict:
        return {
            "rating_bands": self.rating_bands,
            "rating_scores": self.rating_scores,
            "overall_thresholds": self.overall_thresholds,
        }


class Domain(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="domain_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Standard(models.Model):
    """A standard is one step of the walk-through (case-judged) or an organisation rating."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    statement = models.TextField(blank=True)
    judged_by = models.CharField(max_length=12, choices=Framework.JudgedBy.choices)
    source = models.CharField(max_length=200, blank=True)
    case_facts = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="standard_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_case_judged(self) -> bool:
        return self.judged_by == Framework.JudgedBy.CASES


class Question(models.Model):
    """A key question (parent is empty) or a prompt under one. Both are answered per case."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="questions")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="prompts"
    )
    code = models.CharField(max_length=20)
    text = models.TextField()
    source = models.CharField(max_length=200)
    applies_to = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="question_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def is_key_question(self) -> bool:
        return self.parent_id is None

    def applies(self, sample_type: str) -> bool:
        return sample_type in self.applies_to


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InspectionQuerySet":
        """Inspections the user may read: all for managers and administrators, else their team's."""
        from .permissions import sees_every_inspection  # permissions imports these models

        if not user.is_authenticated:
            return self.none()
        if sees_every_inspection(user):
            return self
        return self.filter(memberships__user=user).distinct()


class Inspection(models.Model):
    class Kind(models.TextChoices):
        THEMATIC = "thematic", "Thematic"
        SERVICE = "service", "Service"
        JOINT = "joint", "Joint"

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        FIELDWORK = "fieldwork", "Fieldwork"
        MODERATION = "moderation", "Quality assurance"
        REPORTING = "reporting", "Report writing"
        PUBLISHED = "published", "Published"

    reference = models.SlugField(
        max_length=80, unique=True, help_text="Used in addresses and commands."
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNING)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="inspections")
    organisations = models.ManyToManyField(Organisation, related_name="inspections")
    fieldwork_start = models.DateField()
    fieldwork_end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-fieldwork_start", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fieldwork_end__gte=models.F("fieldwork_start")),
                name="inspection_fieldwork_dates_in_order",
                violation_error_message="The fieldwork cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Inspectorate(models.TextChoices):
    HMI_PROBATION = "hmip", "HM Inspectorate of Probation"
    OFSTED = "ofsted", "Ofsted"
    HMICFRS = "hmicfrs", "HM Inspectorate of Constabulary"
    CQC = "cqc", "Care Quality Commission"
    ESTYN = "estyn", "Estyn"
    CIW = "ciw", "Care Inspectorate Wales"


class Membership(models.Model):
    """A person's role on one inspection's team."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead inspector"
        INSPECTOR = "inspector", "Inspector"
        QUALITY_ASSURANCE = "qa", "Quality assurance"
        PARTNER = "partner", "Partner inspector"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    inspectorate = models.CharField(
        max_length=10, choices=Inspectorate.choices, default=Inspectorate.HMI_PROBATION
    )

    class Meta:
        ordering = ["role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "user"], name="membership_one_role"),
            models.CheckConstraint(
                condition=Q(role="partner") | Q(inspectorate="hmip"),
                name="membership_partner_from_partner_inspectorate",
                violation_error_message="Only partner inspectors come from another inspectorate.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class CaseDataPurge(models.Model):
    """The record that a published inspection's case data was deleted, kept for good.

    Written by reports.retention.case_data_purge in the same transaction as the deletion.
    It names no case, so it outlives them: who deleted, when, how many rows of each kind, the
    ratings as they stood (so they stay explainable at aggregate level) and the report as it
    was rendered just before.
    """

    # PROTECT: the inspection cannot then be deleted by accident along with this record.
    inspection = models.OneToOneField(
        Inspection, on_delete=models.PROTECT, related_name="case_data_purge"
    )
    purged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    purged_at = models.DateTimeField()
    cases_deleted = models.PositiveIntegerField()
    answers_deleted = models.PositiveIntegerField()
    deleted = models.JSONField(help_text="Rows deleted per model, e.g. {'casefiles.Case': 14}.")
    ratings = models.JSONField(
        help_text="The ratings just before the deletion, as `manage.py inspection_ratings --json`."
    )
    report_pdf = models.BinaryField(help_text="The report as rendered just before the deletion.")
    report_filename = models.CharField(max_length=120)

    class Meta:
        verbose_name = "case data deletion"

    def __str__(self) -> str:
        return f"Case data of {self.inspection} deleted {self.purged_at:%Y-%m-%d}"
