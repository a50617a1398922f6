"""Which questions a case answers, and what makes an answer complete."""

from dataclasses import dataclass

from casefiles.choices import SampleType
from casefiles.models import Case
from inspection import permissions
from inspection.models import Framework, Organisation, Question, Standard

# The statuses in which a case's answers may still change, and those awaiting moderation.
SCORABLE_STATUSES = frozenset(
    {Case.Status.NOT_STARTED, Case.Status.IN_PROGRESS, Case.Status.RETURNED}
)
AWAITING_QA_STATUSES = frozenset({Case.Status.IN_QA, Case.Status.SUBMITTED})


def open_for_scoring(case: Case) -> bool:
    return case.status in SCORABLE_STATUSES


def awaiting_qa(case: Case) -> bool:
    """Submitted or in QA; a case read twice waits until the two readings are reconciled."""
    return case.status in AWAITING_QA_STATUSES and not case.awaiting_reconciliation


# The questions of inspection.permissions that depend on a case, asked with this case's facts.


def may_score_case(case: Case, role: str | None, user) -> bool:
    open_now = open_for_scoring(case) and permissions.stage_allows(case.inspection.status, "score")
    return permissions.may_score(
        role, user_id=user.pk, inspector_id=case.inspector_id, case_open=open_now
    )


def moderation_refusal(case: Case, role: str | None, user) -> str | None:
    from .selectors import has_scored

    return permissions.moderation_refusal(
        role,
        user_id=user.pk,
        inspector_id=case.inspector_id,
        awaiting_qa=awaiting_qa(case),
        has_scored=lambda: has_scored(case, user),
    )


def may_moderate_case(case: Case, role: str | None, user) -> bool:
    if not permissions.stage_allows(case.inspection.status, "moderate"):
        return False
    return moderation_refusal(case, role, user) is None


def may_reopen_case(case: Case, role: str | None) -> bool:
    return permissions.stage_allows(case.inspection.status, "moderate") and permissions.may_reopen(
        role, agreed=case.status == Case.Status.AGREED
    )


def note_problem(question: Question, value: str, note: str) -> str | None:
    """An evidence note is needed for every key question answer and for every No."""
    if note.strip():
        return None
    if question.is_key_question:
        return f"Enter an evidence note for key question {question.code}"
    if value == "no":
        return f"Enter an evidence note for {question.code}, answered No"
    return None


# The questions of each published framework, read once per process: a published version never
# changes (a new version is a new row), and every step, summary and save asks for them. Drafts
# are read each time (the builder changes them, and no inspection uses one). Emptied when a
# framework, standard or question is saved or deleted (JudgementsConfig.ready); loading a
# framework file is followed by a restart of the application servers (docs/operations.md).
_PUBLISHED_QUESTIONS: dict[int, tuple[Question, ...]] = {}


def case_questions(framework: Framework) -> list[Question]:
    """Every question of the framework's case-judged standards, in framework order.

    A new list each time; its questions (with their standard) are shared and never changed."""
    if framework.status != Framework.Status.PUBLISHED:
        return _case_questions_read(framework)
    kept = _PUBLISHED_QUESTIONS.get(framework.pk)
    if kept is None:
        kept = _PUBLISHED_QUESTIONS[framework.pk] = tuple(_case_questions_read(framework))
    return list(kept)


def _case_questions_read(framework: Framework) -> list[Question]:
    return list(
        Question.objects.filter(framework=framework, standard__judged_by=Framework.JudgedBy.CASES)
        .select_related("standard")
        .order_by("position")
    )


def case_questions_forget(**_signal) -> None:
    """Read every framework's questions again next time (a framework, standard or question
    was saved or deleted)."""
    _PUBLISHED_QUESTIONS.clear()


def applicable_questions(case: Case, questions: list[Question] | None = None) -> list[Question]:
    """The questions this case answers: for its sample, and for its kind of organisation.

    A question the framework asks only of some kinds of organisation (the 2014 audit's
    "(Probation cases)" and "(YOT cases)" prompts) is neither shown nor saved for the others,
    so the roll-ups never count it there.
    """
    if questions is None:
        questions = case_questions(case.inspection.framework)
    kind = case.organisation.kind
    return [q for q in questions if q.applies(case.sample_type, kind)]


def question_refusal(
    question: Question, sample_type: str, organisation_kind: str | None
) -> str | None:
    """Why a case of this sample and kind of organisation may not answer the question, or
    None when it may: THE rule for the services, the walk-through and the import.

    A case answers only the questions of its own sample and kind of organisation, so no
    answer exists that the roll-ups (which count the answers given) should not count.
    """
    if sample_type not in question.applies_to:
        samples = dict(SampleType.choices)
        asked = " or ".join(samples.get(code, code).lower() for code in question.applies_to)
        return (
            f"{question.code} is not asked on {samples.get(sample_type, sample_type).lower()} "
            f"cases (it is asked on {asked or 'no'} cases): it cannot be answered"
        )
    if organisation_kind is not None and not question.applies_to_kind(organisation_kind):
        kinds = dict(Organisation.Kind.choices)
        return (
            f"{question.code} is not asked on cases of "
            f"{kinds.get(organisation_kind, organisation_kind)}s: it cannot be answered"
        )
    return None


def case_steps(case: Case, questions: list[Question]) -> list[Standard]:
    """The steps of the walk-through: case-judged standards with questions for this case."""
    steps: dict[int, Standard] = {}
    for question in applicable_questions(case, questions):
        steps.setdefault(question.standard_id, question.standard)
    return list(steps.values())


@dataclass(frozen=True)
class Missing:
    question: Question
    problem: str


def missing_answers(questions: list[Question], answers: dict) -> list[Missing]:
    """What still stops a case being submitted: unanswered questions and missing notes."""
    missing = []
    for question in questions:
        answer = answers.get(question.pk)
        if answer is None:
            missing.append(
                Missing(question, f"Select Yes, No or Not applicable for {question.code}")
            )
            continue
        problem = note_problem(question, answer.value, answer.note)
        if problem:
            missing.append(Missing(question, problem))
    return missing


@dataclass(frozen=True)
class StepProgress:
    standard: Standard
    answered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def progress(case: Case, questions: list[Question], answers: dict) -> list[StepProgress]:
    rows: dict[int, list[int]] = {}
    standards: dict[int, Standard] = {}
    for question in applicable_questions(case, questions):
        standards.setdefault(question.standard_id, question.standard)
        counts = rows.setdefault(question.standard_id, [0, 0])
        counts[1] += 1
        answer = answers.get(question.pk)
        if answer and not note_problem(question, answer.value, answer.note):
            counts[0] += 1
    return [StepProgress(standards[pk], done, total) for pk, (done, total) in rows.items()]
