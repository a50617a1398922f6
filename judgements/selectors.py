"""Reads for the walk-through and quality assurance, each a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import Http404

from casefiles.models import (
    Case,
)
from casefiles.parts import PARTS
from casefiles.presenters import file_sections
from inspection.models import Framework, Question, Standard

from .models import Answer, AuditEvent, ModerationDecision, ReturnedQuestion
from .rules import StepProgress, applicable_questions, case_questions, progress


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

    def neighbours(self, standard: Standard) -> tuple[Standard | None, Standard | None]:
        codes = [s.standard for s in self.steps]
        index = codes.index(standard)
        before = codes[index - 1] if index > 0 else None
        after = codes[index + 1] if index + 1 < len(codes) else None
        return before, after

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


def _part_prefetches(wanted: set[str]) -> list[Prefetch]:
    """How each part of a case file is loaded: one query per part the step shows.

    The parts it does not show get an empty queryset, which Django answers without a query.
    """
    return [
        part.prefetch() if part.slug in wanted else Prefetch(part.slug, part.model.objects.none())
        for part in PARTS
    ]


def step_facts(case: Case, standard: Standard, *, personal: bool = True):
    """The parts of the case file that matter for this step (one query per part shown)."""
    wanted = set(standard.case_facts)
    if not wanted - {"classifications"}:
        return []
    # A bare copy carries the prefetched parts, so the caller's case is left as it was.
    loaded = Case(pk=case.pk)
    prefetch_related_objects([loaded], *_part_prefetches(wanted))
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
