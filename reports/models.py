"""The report the lead inspector writes, and the pseudonyms that stand in for real names.

Every write goes through reports.writing.services, which records a ReportEdit in the same
transaction. Ratings are never stored here: the report shows what reports.ratings.selectors computes
from the answers at the moment it is rendered.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from casefiles.models import Case
from inspection.models import Domain, Inspection, Standard


class Report(models.Model):
    """One inspection's report: the foreword here, everything else in the rows below."""

    inspection = models.OneToOneField(Inspection, on_delete=models.CASCADE, related_name="report")
    foreword = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Report: {self.inspection}"


class DomainFindings(models.Model):
    """The key findings about one domain, one finding per line (printed as bullets)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="domain_findings")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    key_findings = models.TextField()

    class Meta:
        verbose_name_plural = "domain findings"
        constraints = [
            models.UniqueConstraint(fields=["report", "domain"], name="domain_findings_once")
        ]

    def __str__(self) -> str:
        return f"Key findings: {self.domain}"


class StandardText(models.Model):
    """What the report says about one standard: narrative, strengths, areas for improvement.

    Strengths and areas for improvement are one per line (printed as bullets).
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="standard_texts")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField()
    strengths = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "standard"], name="standard_text_once")
        ]

    def __str__(self) -> str:
        return f"Narrative: {self.standard}"


class ReportItem(models.Model):
    """Common shape of the report's lists: reached by public id, kept in the order written."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveIntegerField()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Recommendation(ReportItem):
    """A recommendation, addressed to the body that should act on it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recommendations")
    addressed_to = models.CharField("addressed to", max_length=200)
    text = models.TextField("recommendation")

    class Meta(ReportItem.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(addressed_to=""), name="recommendation_addressed_to_someone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.addressed_to} should: {self.text[:60]}"


class KeyFact(ReportItem):
    """A figure in the key facts, with what it is compared with and where it comes from."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="key_facts")
    label = models.CharField(max_length=200)
    value = models.CharField(max_length=60)
    comparison = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class PracticeExample(ReportItem):
    """A practice example quoting one of the inspection's cases, under a standard or on its own.

    The case is kept so that the example can be traced; the report never prints the case's
    reference, and names in the quote are replaced by pseudonyms when it is rendered.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="practice_examples")
    case = models.ForeignKey(
        Case, null=True, on_delete=models.SET_NULL, related_name="practice_examples"
    )
    standard = models.ForeignKey(
        Standard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    quote = models.TextField()

    def __str__(self) -> str:
        return self.title


class Pseudonym(models.Model):
    """The changed name a real first name or surname from the case files is printed as.

    Kept once chosen, so that a name reads the same in every draft of the report.
    """

    class Part(models.TextChoices):
        FIRST = "first", "First name"
        LAST = "last", "Surname"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="pseudonyms")
    part = models.CharField(max_length=5, choices=Part.choices)
    real_key = models.CharField(max_length=120, help_text="The real name, case-folded.")
    pseudonym = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "part", "real_key"], name="pseudonym_once_per_name"
            ),
            models.UniqueConstraint(
                fields=["inspection", "part", "pseudonym"], name="pseudonym_not_shared"
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class ReportEdit(models.Model):
    """One change to the report's text: who, when, which section. Rows are only added."""

    class Action(models.TextChoices):
        SAVED = "saved", "Saved"
        REMOVED = "removed", "Removed"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="edits")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=8, choices=Action.choices)
    section = models.CharField(max_length=250)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.section}"
