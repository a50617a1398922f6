"""The inspector's answers and evidence, moderation, and the audit trail.

Every write to these tables goes through judgements.services, which records an AuditEvent
in the same transaction.
"""

import uuid

from django.conf import settings
from django.db import models

from casefiles.models import Case
from inspection import rating_rules
from inspection.models import Inspection, Organisation, Question, Standard


class AnswerValue(models.TextChoices):
    """The answer values of inspection.rating_rules, with the words the pages use."""

    YES = rating_rules.YES, "Yes"
    NO = rating_rules.NO, "No"
    NOT_APPLICABLE = rating_rules.NOT_APPLICABLE, "Not applicable"


class EvidenceSource(models.TextChoices):
    """Where an evidence note's evidence came from: case assessment is reading the file and
    interviewing the case manager, and sometimes others (seed 004, Annex 1)."""

    CASE_FILE = "case_file", "Case file"
    CASE_MANAGER_INTERVIEW = "cm_interview", "Case manager interview"
    OTHER_INTERVIEW = "other_interview", "Other interview"


class Answer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=3, choices=AnswerValue.choices)
    note = models.TextField("evidence note", blank=True)
    evidence_source = models.CharField(
        "where the evidence came from", max_length=16, choices=EvidenceSource.choices, blank=True
    )
    # Raised on every change: a save that carries an older version is refused (no lost updates).
    version = models.PositiveIntegerField(default=1)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "question"], name="answer_once_per_question"),
        ]
        indexes = [
            # Roll-ups count answers by question across an inspection's cases.
            models.Index(fields=["question", "value"], name="answer_question_value_idx"),
            # The dashboards count values per case and question from the index alone.
            models.Index(fields=["case", "question", "value"], name="answer_rollup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.get_value_display()}"


class OrganisationRating(models.Model):
    """The lead inspector's rating of a standard judged from interviews and documents."""

    class Rating(models.TextChoices):
        # The rating names of inspection.rating_rules, the one spelling.
        # Labels given, as Django would otherwise title-case them ("Requires Improvement").
        OUTSTANDING = rating_rules.OUTSTANDING, rating_rules.OUTSTANDING
        GOOD = rating_rules.GOOD, rating_rules.GOOD
        REQUIRES_IMPROVEMENT = rating_rules.REQUIRES_IMPROVEMENT, rating_rules.REQUIRES_IMPROVEMENT
        INADEQUATE = rating_rules.INADEQUATE, rating_rules.INADEQUATE

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="organisation_ratings"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=24, choices=Rating.choices)
    narrative = models.TextField()
    evidence = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "organisation", "standard"],
                name="organisation_rating_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.standard.code}: {self.rating}"


class ModerationDecision(models.Model):
    """A quality assurance decision on a case: agreed, or returned with a reason per question."""

    class Decision(models.TextChoices):
        AGREED = "agreed", "Agreed"
        RETURNED = "returned", "Returned"
        REOPENED = "reopened", "Reopened"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="moderation")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.moderator}"


class ReturnedQuestion(models.Model):
    """A question the moderator sent back, with the reason, within one decision."""

    decision = models.ForeignKey(
        ModerationDecision, on_delete=models.CASCADE, related_name="returned_questions"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "question"], name="returned_question_once_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.code} returned: {self.reason}"


class AuditEvent(models.Model):
    """One change to a judgement: who, when, what, the value before and after.

    Rows are only ever added. The services write them in the same transaction as the change.
    """

    class Action(models.TextChoices):
        ANSWER_CREATED = "answer_created", "Answer given"
        ANSWER_CHANGED = "answer_changed", "Answer changed"
        NOTE_CHANGED = "note_changed", "Evidence note changed"
        STATUS_CHANGED = "status_changed", "Status changed"
        ASSIGNED = "assigned", "Inspector assigned"
        QA_SELECTED = "qa_selected", "Selection for quality assurance changed"
        MODERATED = "moderated", "Moderation decision"
        ORG_RATING_CHANGED = "org_rating_changed", "Organisation rating changed"
        SOURCE_CHANGED = "source_changed", "Evidence source changed"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="audit")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="audit"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    subject = models.CharField(max_length=200, help_text="What changed, e.g. a question code.")
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"


class ReadRecord(models.Model):
    """Who opened which case file, and when: children's data is read on a need-to-know basis."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    page = models.CharField(max_length=40)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The administrators' page lists a case's reads, newest first.
            models.Index(fields=["case", "-at"], name="read_record_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} read {self.case} ({self.page})"


class AnswerTally(models.Model):
    """How many counted cases answered a question Yes, No and Not applicable, per inspection,
    organisation and sample type: the summary every roll-up reads (reports.ratings.tallies).

    Derived data, kept in step with the answers in the same transaction as every change to
    them and to which cases count (judgements.tallies); ``manage.py tallies_check`` compares
    it with a live count and ``manage.py tallies_rebuild`` recounts it.
    """

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sample_type = models.CharField(max_length=20)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    na = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # The key the upkeep's upsert names in ON CONFLICT; it also serves the roll-ups,
            # which look tallies up by inspection.
            models.UniqueConstraint(
                fields=["inspection", "organisation", "sample_type", "question"],
                name="answer_tally_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.yes}/{self.no}/{self.na}"


class KeyQuestionTally(models.Model):
    """The answer tallies of key questions (not their prompts) per inspection and
    organisation, over both sample types: the grain the national dashboard shows, so that it
    reads one row per cell it rates rather than adding up AnswerTally rows.

    Kept by the same upkeep as AnswerTally (judgements.tallies), in the same statement order
    and transaction; checked and rebuilt with it.
    """

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    na = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # The upkeep's ON CONFLICT key; the dashboards read it by inspection.
            models.UniqueConstraint(
                fields=["inspection", "organisation", "question"], name="key_question_tally_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.yes}/{self.no}/{self.na}"


class CountedCaseTally(models.Model):
    """How many cases count towards ratings (Case.COUNTED_STATUSES) per inspection and
    organisation: the "n cases scored" of the dashboards, without counting cases per request.

    Kept by judgements.tallies when a case starts or stops counting or moves to another
    organisation; checked and rebuilt with the answer tallies.
    """

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "organisation"], name="counted_case_tally_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.organisation_id}: {self.cases}"
