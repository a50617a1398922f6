"""Reads for the walk-through and quality assurance, each a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.http import Http404

from casefiles.models import (
    Case,
)
from casefiles.presenters import file_sections
from casefiles.selectors import case_file_history, case_file_load
from inspection.models import Framework, Question, Standard

from .models import Answer, AuditEvent, ModerationDecision, ReturnedQuestion
from .rules import StepProgress, applicable_questions, case_questions, case_steps, progress


@dataclass
class Walkthrough:
    """Everything the step and summary pages show about one case's scoring."""

    case: Case
    questions: list[Question]  # applicable to this case, framework order
    answers: dict[int, Answer]
    steps: list[StepProgress]
    open_returns: dict[int, ReturnedQuestion] = field(default_factory=dict)

    def step(self, code: str) -> StepProgress:
        for step in self.steps:
            if step.standard.code == code:
                return step
        raise Http404("No such step for this case")

    def step_questions(self, standard: Standard) -> list[Question]:
        return [q for q in self.questions if q.standard_id == standard.pk]

    def place(self, code: str) -> "StepPlace":
        standard = self.step(code).standard
        return StepPlace(standard, self.step_questions(standard), *self.neighbours(standard))

    def neighbours(self, standard: Standard) -> tuple[Standard | None, Standard | None]:
        return _neighbours([s.standard for s in self.steps], standard)

    @property
    def returned_steps(self) -> set[int]:
        """The standards (by id) of the steps with a question returned by quality assurance."""
        return {q.standard_id for q in self.questions if q.pk in self.open_returns}

    def check_rows(self) -> list[dict]:
        """Each step with its questions and the answer given (or None), for "Check your answers"."""
        return [
            {
                "step": step,
                "rows": [
                    {"question": q, "answer": self.answers.get(q.pk)}
                    for q in self.step_questions(step.standard)
                ],
            }
            for step in self.steps
        ]

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.steps)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.steps)


def _neighbours(
    standards: list[Standard], standard: Standard
) -> tuple[Standard | None, Standard | None]:
    index = standards.index(standard)
    before = standards[index - 1] if index > 0 else None
    after = standards[index + 1] if index + 1 < len(standards) else None
    return before, after


@dataclass(frozen=True)
class StepPlace:
    """One step of a case's walk-through: its standard, its questions, the steps either side."""

    standard: Standard
    questions: list[Question]
    before: Standard | None
    after: Standard | None


def step_place(case: Case, code: str) -> StepPlace:
    """A step as Walkthrough.step and neighbours find it, without reading the case's answers
    (no query once the framework's questions are kept): enough to save the step."""
    questions = applicable_questions(case, case_questions(case.inspection.framework))
    standards = case_steps(case, questions)
    standard = next((s for s in standards if s.code == code), None)
    if standard is None:
        raise Http404("No such step for this case")
    return StepPlace(
        standard,
        [q for q in questions if q.standard_id == standard.pk],
        *_neighbours(standards, standard),
    )


def walkthrough(case: Case) -> Walkthrough:
    questions = applicable_questions(case, case_questions(case.inspection.framework))
    # Who gave each answer is not shown on these pages; the History page names them.
    answers = {a.question_id: a for a in Answer.objects.filter(case=case)}
    returns = {
        r.question_id: r
        for r in ReturnedQuestion.objects.filter(
            decision__case=case, resolved=False
        ).select_related("decision__moderator")
    }
    return Walkthrough(
        case=case,
        questions=questions,
        answers=answers,
        steps=progress(case, questions, answers),
        open_returns=returns,
    )


def step_facts(case: Case, standard: Standard, *, personal: bool = True):
    """The parts of the case file that matter for this step (one query for which parts hold
    anything, then one per part shown that does)."""
    wanted = set(standard.case_facts)
    if not wanted - {"classifications"}:
        return []
    # A bare copy carries the loaded parts, so the caller's case is left as it was.
    loaded = case_file_load(Case(pk=case.pk), only=wanted)
    return file_sections(loaded, editable=False, only=wanted, personal=personal)


def step_questions(case: Case, code: str) -> list[Question]:
    """The questions of one step of this case's walk-through, in order (one query); else 404."""
    questions = [
        q
        for q in Question.objects.filter(
            framework_id=case.inspection.framework_id,
            standard__code=code,
            standard__judged_by=Framework.JudgedBy.CASES,
        )
        .select_related("standard")
        .order_by("position")
        if q.applies(case.sample_type, case.organisation.kind)
    ]
    if not questions:
        raise Http404("No such step for this case")
    return questions


def moderation_record(case: Case) -> list[ModerationDecision]:
    return list(
        ModerationDecision.objects.filter(case=case)
        .select_related("moderator")
        .prefetch_related("returned_questions__question")
    )


def has_scored(case: Case, user) -> bool:
    """Whether this person ever gave or changed an answer or note of the case (one query).

    Someone who scored any part of a case cannot quality-assure it.
    """
    return AuditEvent.objects.filter(
        case=case,
        actor=user,
        action__in=[
            AuditEvent.Action.ANSWER_CREATED,
            AuditEvent.Action.ANSWER_CHANGED,
            AuditEvent.Action.NOTE_CHANGED,
        ],
    ).exists()


# The to-do list: what the inspector must do, in the order they should do it.
TO_DO_GROUPS = (
    (
        Case.Status.RETURNED,
        "Returned to you",
        "Quality assurance sent these back: fix the questions named and submit the case again.",
    ),
    (Case.Status.IN_PROGRESS, "In progress", ""),
    (Case.Status.NOT_STARTED, "Not started", ""),
    (Case.Status.SUBMITTED, "Submitted", "Your answers count towards the ratings."),
    (Case.Status.IN_QA, "In quality assurance", "A quality assurance inspector is reading these."),
    (Case.Status.AGREED, "Agreed", "Quality assurance agreed these: they are locked."),
)
TO_SCORE = frozenset({Case.Status.RETURNED, Case.Status.IN_PROGRESS, Case.Status.NOT_STARTED})


@dataclass
class ToDoGroup:
    status: str
    title: str
    hint: str
    cases: list[Case]

    @property
    def to_score(self) -> bool:
        return self.status in TO_SCORE


def cases_to_do(user) -> list[ToDoGroup]:
    """The user's cases grouped by what they must do, returned first (2 queries).

    A returned case carries ``returns``: its open returned questions with their reasons.
    """
    cases = list(
        Case.objects.for_inspector(user)
        .visible_to(user)
        .select_related("inspection", "organisation")
        .order_by("inspection__reference", "reference")
    )
    returned = [c for c in cases if c.status == Case.Status.RETURNED]
    by_case: dict[int, list[ReturnedQuestion]] = {}
    if returned:
        for row in (
            ReturnedQuestion.objects.filter(decision__case__in=returned, resolved=False)
            .select_related("question__standard", "decision")
            .order_by("question__position")
        ):
            by_case.setdefault(row.decision.case_id, []).append(row)
    for case in cases:
        case.returns = by_case.get(case.pk, [])
    return [
        ToDoGroup(status, title, hint, [c for c in cases if c.status == status])
        for status, title, hint in TO_DO_GROUPS
    ]


def status_counts(user) -> dict[str, int]:
    """How many of the user's cases are in each status (1 query)."""
    rows = (
        Case.objects.for_inspector(user)
        .visible_to(user)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def next_case_to_score(user, *, after: Case | None = None) -> Case | None:
    """The case to score next: returned, then in progress, then not started (1 query)."""
    cases = (
        Case.objects.for_inspector(user)
        .visible_to(user)
        .filter(status__in=TO_SCORE)
        .select_related("inspection")
        .order_by("inspection__reference", "reference")
    )
    if after is not None:
        cases = cases.exclude(pk=after.pk)
    rank = {status: position for position, (status, _t, _h) in enumerate(TO_DO_GROUPS)}
    found = sorted(cases, key=lambda c: rank[c.status])
    return found[0] if found else None


def first_step_to_do(walk: Walkthrough) -> Standard | None:
    """Where scoring continues: the first step with a returned question, else the first not
    complete; None when every step is complete."""
    for step in walk.steps:
        if step.standard.pk in walk.returned_steps:
            return step.standard
    for step in walk.steps:
        if not step.complete:
            return step.standard
    return None


@dataclass(frozen=True)
class ChangeSince:
    """What became of one answer since the case was last returned: before and after."""

    old_value: str
    new_value: str
    old_note: str
    new_note: str

    @property
    def value_changed(self) -> bool:
        return self.old_value != self.new_value

    @property
    def note_changed(self) -> bool:
        return self.old_note != self.new_note

    @property
    def changed(self) -> bool:
        return self.value_changed or self.note_changed


@dataclass
class QaReview:
    """Quality assurance's view of a case: the last return, if the case came back after one,
    what was returned, and what changed since (old and new answer and note)."""

    decisions: list[ModerationDecision]
    last_return: ModerationDecision | None
    returned: dict[int, ReturnedQuestion]  # of the last return, by question id
    returned_before: set[int]  # every question ever returned, by id
    changes: dict[int, ChangeSince]  # since the last return, by question id


_ANSWER_ACTIONS = (
    AuditEvent.Action.ANSWER_CREATED,
    AuditEvent.Action.ANSWER_CHANGED,
    AuditEvent.Action.NOTE_CHANGED,
)


def qa_review(case: Case, walk: Walkthrough) -> QaReview:
    """Three queries: the decisions, their returned questions, and the answer changes since the
    last return (read from the audit trail, which keeps every old and new value)."""
    decisions = moderation_record(case)
    returned_before = {r.question_id for d in decisions for r in d.returned_questions.all()}
    last = decisions[-1] if decisions else None
    if last is None or last.decision != ModerationDecision.Decision.RETURNED:
        return QaReview(decisions, None, {}, returned_before, {})
    by_code = {q.code: q for q in walk.questions}
    first_old: dict[int, dict[str, str]] = {}
    for event in AuditEvent.objects.filter(
        case=case, action__in=_ANSWER_ACTIONS, at__gt=last.at
    ).order_by("at", "pk"):
        question = by_code.get(event.subject)
        if question is None:
            continue
        before = first_old.setdefault(question.pk, {})
        if event.action == AuditEvent.Action.ANSWER_CHANGED:
            before.setdefault("value", event.old_value)
        elif event.action == AuditEvent.Action.NOTE_CHANGED:
            before.setdefault("note", event.old_value)
        else:
            before.setdefault("value", "")
            before.setdefault("note", "")
    changes = {}
    returned = {r.question_id: r for r in last.returned_questions.all()}
    for question_id in set(first_old) | set(returned):
        answer = walk.answers.get(question_id)
        new_value = answer.get_value_display() if answer else ""
        new_note = answer.note if answer else ""
        before = first_old.get(question_id, {})
        changes[question_id] = ChangeSince(
            old_value=before.get("value", new_value),
            new_value=new_value,
            old_note=before.get("note", new_note),
            new_note=new_note,
        )
    return QaReview(decisions, last, returned, returned_before, changes)


# The history page's kinds of entry: its filters, in the order they are offered.
HISTORY_KINDS = (
    ("answers", "Answers and notes"),
    ("qa", "Quality assurance"),
    ("status", "Status and assignment"),
    ("file", "Case file"),
)
_KIND_OF_ACTION = {
    AuditEvent.Action.ANSWER_CREATED: "answers",
    AuditEvent.Action.ANSWER_CHANGED: "answers",
    AuditEvent.Action.NOTE_CHANGED: "answers",
    AuditEvent.Action.QA_SELECTED: "qa",
    AuditEvent.Action.MODERATED: "qa",
    AuditEvent.Action.STATUS_CHANGED: "status",
    AuditEvent.Action.ASSIGNED: "status",
    AuditEvent.Action.ORG_RATING_CHANGED: "status",
    AuditEvent.Action.SOURCE_CHANGED: "answers",
    AuditEvent.Action.SECOND_ANSWER: "answers",
    AuditEvent.Action.SECOND_READING: "status",
}
_LINE_WORDS = {
    AuditEvent.Action.ANSWER_CREATED: "answer and note given",
    AuditEvent.Action.ANSWER_CHANGED: "answer",
    AuditEvent.Action.NOTE_CHANGED: "evidence note",
    AuditEvent.Action.SOURCE_CHANGED: "evidence source",
    AuditEvent.Action.SECOND_ANSWER: "second reading's answer and note",
}


@dataclass(frozen=True)
class HistoryLine:
    """One row of the audit trail underneath an entry: nothing of the trail is dropped."""

    what: str
    old_value: str
    new_value: str
    reason: str = ""


@dataclass
class HistoryEntry:
    """One save: everything one person changed of one kind at one moment."""

    at: object
    actor: str
    kind: str
    lines: list[HistoryLine]

    @property
    def kind_label(self) -> str:
        return dict(HISTORY_KINDS)[self.kind]

    @property
    def title(self) -> str:
        if self.kind == "answers":
            codes = list(dict.fromkeys(line.what.split(" ", 1)[0] for line in self.lines))
            return f"Answer{'s' if len(codes) > 1 else ''} to {', '.join(codes)}"
        if self.kind == "file":
            parts = list(dict.fromkeys(line.what.split(":", 1)[0] for line in self.lines))
            return "; ".join(parts)
        return "; ".join(dict.fromkeys(line.what for line in self.lines))


def case_history(
    case: Case, *, personal: bool, kinds: set[str] | None = None, blind_to_second: bool = False
) -> list[HistoryEntry]:
    """The case's judgements trail and file changes, newest first, one entry per save (two
    queries). `kinds` keeps only those kinds of entry (HISTORY_KINDS); None keeps all.
    `blind_to_second` leaves out the answers of a second reading (for its first reader,
    until the two are reconciled: judgements.second_readings)."""
    wanted = kinds or {k for k, _ in HISTORY_KINDS}
    entries: dict[tuple, HistoryEntry] = {}
    if wanted - {"file"}:
        events = case.audit.select_related("actor").order_by("-at", "pk")
        if blind_to_second:
            events = events.exclude(action=AuditEvent.Action.SECOND_ANSWER)
        for event in events:
            kind = _KIND_OF_ACTION.get(event.action, "status")
            if kind not in wanted:
                continue
            if kind == "answers":
                what = f"{event.subject} {_LINE_WORDS[event.action]}"
            else:
                what = f"{event.get_action_display()}: {event.subject}"
            entry = entries.setdefault(
                (event.at, event.actor_id, kind),
                HistoryEntry(at=event.at, actor=str(event.actor), kind=kind, lines=[]),
            )
            entry.lines.append(HistoryLine(what, event.old_value, event.new_value))
    if "file" in wanted:
        for change in case_file_history(case, personal=personal):
            entry = entries.setdefault(
                (change.at, change.actor, "file"),
                HistoryEntry(at=change.at, actor=change.actor, kind="file", lines=[]),
            )
            entry.lines.append(
                HistoryLine(change.what, change.old_value, change.new_value, change.reason)
            )
    return sorted(entries.values(), key=lambda e: e.at, reverse=True)
