"""Reads for the walk-through and quality assurance, each a fixed number of queries."""

from dataclasses import dataclass, field

from django.http import Http404

from casefiles.models import Case
from casefiles.presenters import file_sections
from casefiles.selectors import case_with_file
from inspection.models import Question, Standard

from .models import Answer, ModerationDecision, ReturnedQuestion
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
    def answered(self) -> int:
        return sum(s.answered for s in self.steps)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.steps)


def walkthrough(case: Case) -> Walkthrough:
    questions = applicable_questions(case, case_questions(case.inspection.framework))
    answers = {
        a.question_id: a for a in Answer.objects.filter(case=case).select_related("answered_by")
    }
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


def step_facts(case: Case, standard: Standard):
    """The parts of the case file that matter for this step (fixed queries: one per part)."""
    wanted = set(standard.case_facts)
    if not wanted - {"classifications"}:
        return []
    loaded = case_with_file(Case.objects.filter(pk=case.pk)).get()
    return file_sections(loaded, editable=False, only=wanted)


def moderation_record(case: Case) -> list[ModerationDecision]:
    return list(
        ModerationDecision.objects.filter(case=case)
        .select_related("moderator")
        .prefetch_related("returned_questions__question")
    )
