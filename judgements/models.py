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
        SECOND_READING = "second_reading", "Second reading"
        SECOND_ANSWER = "second_answer", "Second reading answer"

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


class SecondReading(models.Model):
    """A second, independent reading of a case by another inspector (blind double scoring).

    The second reader's answers are kept apart (SecondAnswer) and neither reader sees the
    other's until both have submitted; the two (or the lead) then agree one answer per
    question (ReconciledAnswer), which judgements.services writes to the case's answers.
    Until then the case does not count towards ratings (Case.awaiting_reconciliation).
    """

    class Status(models.TextChoices):
        READING = "reading", "Being read"
        SUBMITTED = "submitted", "Submitted"
        RECONCILED = "reconciled", "Reconciled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="second_reading")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="second_readings"
    )
    # The inspector whose answers were the first reading, set when the two are reconciled
    # (the case may be reassigned before that, never to the second reader).
    first_reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READING)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    selected_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case__reference"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(first_reader=models.F("reader")),
                name="second_reading_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"Second reading of {self.case} by {self.reader}"

    @property
    def is_reconciled(self) -> bool:
        return self.status == self.Status.RECONCILED


class SecondAnswer(models.Model):
    """One answer of a second reading, kept apart from the case's answers."""

    reading = models.ForeignKey(SecondReading, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=3, choices=AnswerValue.choices)
    note = models.TextField("evidence note", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    # The step form reads an answer's evidence source; a second reading does not record one.
    evidence_source = ""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reading", "question"], name="second_answer_once_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.get_value_display()} (second reading)"


class ReconciledAnswer(models.Model):
    """One question of a reconciled double reading: the two readings as they were submitted
    and the answer agreed, with the note that explains it where they differed. Written once,
    never changed: the agreement figures (judgements.agreement) are read from these rows."""

    reading = models.ForeignKey(SecondReading, on_delete=models.CASCADE, related_name="reconciled")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    first_value = models.CharField(max_length=3, choices=AnswerValue.choices, blank=True)
    first_note = models.TextField(blank=True)
    second_value = models.CharField(max_length=3, choices=AnswerValue.choices, blank=True)
    second_note = models.TextField(blank=True)
    agreed_value = models.CharField(max_length=3, choices=AnswerValue.choices)
    reason = models.TextField("note on the agreement", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reading", "question"], name="reconciled_answer_once_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.first_value}/{self.second_value}, {self.agreed_value}"


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
    organisation: the "n cases scored" of the dashboards, without counting cases per request;
    and how many of those cases' judgements (Yes or No to a key question) are in cases agreed
    in quality assurance: the "X of Y counted judgements are agreed" beside the figures (Y is
    the key question tallies' Yes and No).

    Kept by judgements.tallies when a case starts or stops counting, is agreed or no longer
    agreed, or moves to another organisation; checked and rebuilt with the answer tallies.
    """

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    cases = models.PositiveIntegerField(default=0)
    agreed_judgements = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "organisation"], name="counted_case_tally_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.organisation_id}: {self.cases}"


class FiguresVersion(models.Model):
    """How many times an inspection's figures (its tallies, its lead inspector's ratings) have
    changed since they were first counted: part of the key of every cached dashboard built
    from them, so a change shows on every server at once (judgements.tallies).

    Moved on after each change commits, by one statement of its own: no save holds the row
    while its transaction runs. An inspection with no row has version 0.
    """

    inspection = models.OneToOneField(
        Inspection, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.version}"


class PageGeneration(models.Model):
    """One number for everything a cached page shows, in one row (id 1), moved on after every
    change to it: to any inspection's figures (with its FiguresVersion), and through
    reports.dashboards.signals to what else the dashboards show (which inspections each
    organisation had and when, organisations, regions, frameworks) and to what the layout of
    every page shows (the safeguarding concerns behind its alerts and counts, and the teams
    that decide who sees them). A whole page is kept under it, so one read by primary key
    tells whether anything it was drawn from has changed (reports.dashboards.cache).

    Moved on after each change commits, by one statement of its own, as the versions are.
    """

    ROW = 1  # the one row's id

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)
