"""What an inspection chose and drew for its sample, kept so that the sample can be explained
and drawn again from its seed.

How the sample is drawn (casefiles.sampling.draw) and read from the organisations' files
(casefiles.sampling.population) is plain Python; these are the tables. They belong to the
casefiles app (its migrations hold them); casefiles.models imports them so that Django finds them.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from casefiles.choices import SampleType
from casefiles.models import Case, default_windows
from inspection.models import Inspection


class SamplingPlan(models.Model):
    """The eligibility windows and the precision an inspection's sample is drawn with.

    Made the first time the lead changes a default; until then the defaults apply.
    """

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="sampling_plan"
    )
    windows = models.JSONField(
        default=default_windows,
        help_text="Per sample type with a window: [months from, months to] before fieldwork.",
    )
    confidence = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.8"))
    margin = models.DecimalField(
        "margin of error", max_digits=5, decimal_places=4, default=Decimal("0.05")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gt=0, confidence__lt=1),
                name="sampling_plan_confidence_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(margin__gt=0, margin__lt=1),
                name="sampling_plan_margin_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"Sampling plan for {self.inspection}"


class SamplePopulation(models.Model):
    """One upload of the eligible cases, checked clean. The latest upload is the one sampled.

    ``rows`` holds the cases as read (``casefiles.sampling.population.PopulationRow`` fields, dates
    as YYYY-MM-DD); earlier uploads are kept so that a draw can always name its file.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="sample_populations"
    )
    filename = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file as uploaded.")
    rows = models.JSONField()
    row_count = models.PositiveIntegerField()
    # Empty when loaded with the draw_sample command rather than by a person on the site.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        get_latest_by = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class SampleSizeOverride(models.Model):
    """The lead's sample size for one sample type in place of the calculated one, and why.

    Rows are only added, so every change and its reason is kept: the latest row for a
    sample type is in force, and one without a size returns to the calculated size.
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="sample_size_overrides"
    )
    sample_type = models.CharField(max_length=20, choices=SampleType.choices)
    size = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__isnull=True) | Q(size__gte=1),
                name="sample_size_override_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sample_type_display()}: {self.size or 'calculated size'}"


class SampleDraw(models.Model):
    """The drawn sample: one per inspection, with everything needed to draw it again.

    ``sizes`` maps each sample type drawn to its eligible count, calculated size, size
    used and any override reason; ``allocation`` lists each stratum's row of the
    allocation table as shown when it was drawn.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, related_name="sample_draw"
    )
    population = models.ForeignKey(SamplePopulation, on_delete=models.PROTECT, related_name="draws")
    seed = models.BigIntegerField()
    confidence = models.DecimalField(max_digits=5, decimal_places=4)
    margin = models.DecimalField(max_digits=5, decimal_places=4)
    windows = models.JSONField()
    sizes = models.JSONField()
    allocation = models.JSONField()
    # Empty when drawn with the draw_sample command.
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(seed__gte=0), name="sample_draw_seed_not_negative")
        ]

    def __str__(self) -> str:
        return f"Sample for {self.inspection} (seed {self.seed})"


class DrawnCase(models.Model):
    """One eligible case's place in the draw: in the sample, a ranked reserve, or replaced.

    ``position`` orders a stratum: the cases first selected come first, then the reserves
    in the order the seeded shuffle put them, which is the order they are brought in.
    """

    class Status(models.TextChoices):
        SELECTED = "selected", "In the sample"
        RESERVE = "reserve", "Reserve"
        REPLACED = "replaced", "Replaced"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draw = models.ForeignKey(SampleDraw, on_delete=models.CASCADE, related_name="entries")
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="draw_entry"
    )
    reference = models.CharField("case reference", max_length=40)
    sample_type = models.CharField(max_length=20, choices=SampleType.choices)
    stratum = models.CharField(
        max_length=200, help_text="Sample type, gender, disposal, ROSH and wellbeing, joined by |."
    )
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    row = models.JSONField(help_text="The case as the population file gave it.")

    class Meta:
        ordering = ["sample_type", "stratum", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "reference"], name="drawn_case_once"),
            models.UniqueConstraint(
                fields=["draw", "stratum", "position"], name="drawn_case_position_unique"
            ),
        ]
        indexes = [
            # The next reserve: a stratum's reserves in position order.
            models.Index(fields=["draw", "stratum", "status"], name="drawn_case_reserve_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display().lower()})"


class SampleReplacement(models.Model):
    """A drawn case the lead replaced with the next reserve in its stratum: who, when, why."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draw = models.ForeignKey(SampleDraw, on_delete=models.CASCADE, related_name="replacements")
    removed = models.ForeignKey(DrawnCase, on_delete=models.PROTECT, related_name="+")
    reserve = models.ForeignKey(DrawnCase, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.removed.reference} replaced by {self.reserve.reference}"
