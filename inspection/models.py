"""Areas, organisations, inspections and their teams, and inspection frameworks."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A person who signs in. Managers read everything and change nothing."""

    is_manager = models.BooleanField(
        default=False, help_text="Managers see every inspection and dashboard, read-only."
    )
    sets_up_inspections = models.BooleanField(
        "inspection manager",
        default=False,
        help_text="Inspection managers create inspections and name their lead.",
    )
    approves_reports = models.BooleanField(
        "approver",
        default=False,
        help_text="Approvers approve inspection reports for publication (never their own).",
    )
    edits_frameworks = models.BooleanField(
        "framework editor",
        default=False,
        help_text="Framework editors build and publish new versions of inspection frameworks.",
    )

    def __str__(self) -> str:
        return person_name(self.first_name, self.last_name, self.username)


def person_name(first_name: str, last_name: str, username: str) -> str:
    """How a person is named on every page (User.__str__): their full name, else their
    username. Lists that read only these columns name people without loading users."""
    return f"{first_name} {last_name}".strip() or username


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

    class Status(models.TextChoices):
        """A draft is built in the service and used by no inspection; a published version
        never changes."""

        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField()
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    source = models.TextField(blank=True)
    sample_types = models.JSONField(default=list)
    rating_bands = models.JSONField(help_text="Minimum percentage for each rating, best first.")
    rating_scores = models.JSONField(help_text="Score of each rating in the overall sum.")
    overall_thresholds = models.JSONField(help_text="Overall cut points per standard rated.")
    # The file's other rule options, as written there: minimum_cases, small_organisation.
    rating_options = models.JSONField(default=dict, blank=True)
    checksum = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the file it was loaded from."
    )
    loaded_at = models.DateTimeField(auto_now_add=True)
    # Versions loaded from a file are published; versions built in the service start as drafts.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="framework_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def rules_dict(self) -> dict:
        return {
            "rating_bands": self.rating_bands,
            "rating_scores": self.rating_scores,
            "overall_thresholds": self.overall_thresholds,
            **self.rating_options,
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
    # False for a standard rated separately and left out of the overall score (resettlement).
    counts_toward_overall = models.BooleanField(default=True)
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
    guidance = models.TextField(
        blank=True, help_text="What inspectors should look for: shown beside the question."
    )
    applies_to = models.JSONField(default=list)
    # The kinds of organisation (Organisation.Kind) whose cases answer it; empty: every kind.
    organisation_kinds = models.JSONField(default=list, blank=True)
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

    def applies(self, sample_type: str, organisation_kind: str | None = None) -> bool:
        """Whether a case of this sample (and, when given, kind of organisation) answers it."""
        if sample_type not in self.applies_to:
            return False
        return organisation_kind is None or self.applies_to_kind(organisation_kind)

    def applies_to_kind(self, organisation_kind: str) -> bool:
        return not self.organisation_kinds or organisation_kind in self.organisation_kinds


class FrameworkChange(models.Model):
    """One change to a framework version made in the service: who, when, what, old and new.

    Kept when a draft is thrown away (the framework's name and version are copied here)."""

    framework = models.ForeignKey(
        Framework, null=True, on_delete=models.SET_NULL, related_name="changes"
    )
    framework_label = models.CharField(max_length=240)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=60, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.framework_label}: {self.action} {self.target}"


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InspectionQuerySet":
        """Inspections the user may read: all for managers and administrators, else their team's."""
        # permissions imports these models
        from .permissions import reads_for_approval, sees_every_inspection

        if not user.is_authenticated:
            return self.none()
        if sees_every_inspection(user):
            return self
        if reads_for_approval(user):
            return self.filter(
                Q(memberships__user=user) | Q(status=Inspection.Status.APPROVAL)
            ).distinct()
        return self.filter(memberships__user=user).distinct()


class Inspection(models.Model):
    class Kind(models.TextChoices):
        THEMATIC = "thematic", "Thematic"
        SERVICE = "service", "Service"
        JOINT = "joint", "Joint"

    class Status(models.TextChoices):
        """The stages of an inspection's life, in order."""

        PLANNING = "planning", "Set-up"
        FIELDWORK = "fieldwork", "Fieldwork"
        MODERATION = "moderation", "Quality assurance"
        REPORTING = "reporting", "Report drafting"
        APPROVAL = "approval", "Approval"
        PUBLISHED = "published", "Published"

    reference = models.SlugField(
        max_length=80, unique=True, help_text="Used in addresses and commands."
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNING)
    # Only a published version: a draft is used by no inspection.
    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        related_name="inspections",
        limit_choices_to={"status": Framework.Status.PUBLISHED},
    )
    organisations = models.ManyToManyField(Organisation, related_name="inspections")
    fieldwork_start = models.DateField()
    fieldwork_end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Inspectorate values (Inspectorate, below) joining a joint inspection, besides HMI Probation.
    partner_inspectorates = models.JSONField(default=list, blank=True)

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

    @property
    def is_approved(self) -> bool:
        """Approved for publication: until then its report is a draft."""
        return self.approved_at is not None


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


class InspectionChange(models.Model):
    """One change to an inspection's set-up, team or stage: who, when, what, old and new.

    Written by the inspection's services (inspection/setup/) in the same transaction as the
    change. Judgements have their own trail (judgements.AuditEvent), which this app may not
    import; this one is shown on the team page and the inspection page.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Inspection created"
        CHANGED = "changed", "Set-up changed"
        MEMBER_ADDED = "member_added", "Member added"
        MEMBER_REMOVED = "member_removed", "Member removed"
        STAGE_MOVED = "stage_moved", "Stage moved"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    subject = models.CharField(max_length=200, help_text="What changed, e.g. 'Title'.")
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The history on the team and inspection pages: one inspection's, newest first.
            models.Index(fields=["inspection", "-at"], name="inspection_change_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"


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


class JobQuerySet(models.QuerySet):
    def stalled(self, *, before) -> "JobQuerySet":
        """Running jobs not heard from since `before`: their worker has most likely died."""
        return self.filter(status=Job.Status.RUNNING, heartbeat_at__lt=before)

    def expired(self, *, now) -> "JobQuerySet":
        """Finished jobs whose file is past keeping."""
        return self.filter(status=Job.Status.DONE, expires_at__lte=now)


class Job(models.Model):
    """Work that someone asked for and that runs in the background (inspection/jobs).

    The page at /jobs/<public_id>/ shows its progress, then its file (only to the person who
    asked) or what failed in plain words. The work itself is a django-tasks task; `run_token`
    names the run that may write to this row, so a run that has been replaced (its worker was
    taken for dead) cannot overwrite the newer one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "File deleted"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60, help_text="A kind registered in inspection.jobs.")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs")
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True, help_text="What it is doing now.")
    error = models.TextField(blank=True, help_text="What failed, in plain words.")
    file_name = models.CharField(max_length=200, blank=True, help_text="Name to download as.")
    content_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    redirect_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_token = models.UUIDField(default=uuid.uuid4)
    task_result_id = models.CharField(max_length=64, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="job_percent_at_most_100"),
        ]
        indexes = [
            # The recovery sweep: running jobs by heartbeat (JobQuerySet.stalled).
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
            # The file purge: finished jobs by expiry (JobQuerySet.expired).
            models.Index(fields=["status", "expires_at"], name="job_status_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def file_is_kept(self, now) -> bool:
        """Done, with a file that is still kept (the purge may not have run yet)."""
        return (
            self.status == self.Status.DONE
            and bool(self.file_name)
            and self.expires_at is not None
            and self.expires_at > now
        )
