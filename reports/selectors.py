"""Adapt the database to the rating engine: one place reads answers for every roll-up."""

from dataclasses import dataclass

from django.db.models import Count

from casefiles.models import Case
from inspection.models import Inspection, Question, Standard
from judgements.models import Answer, OrganisationRating

from .rating import (
    AnswerFact,
    InspectionRating,
    KeyQuestionDef,
    RatingRules,
    StandardDef,
    rate_inspection,
)


@dataclass(frozen=True)
class LeftOut:
    status: str
    cases: int


@dataclass(frozen=True)
class RatingSummary:
    inspection: Inspection
    result: InspectionRating
    cases_in_sample: int
    cases_counted: int
    left_out: tuple[LeftOut, ...]  # cases not counted, by status, with how many
    case_ids: dict[str, str]  # case reference -> public id, for drill-down links


def framework_standards(framework) -> list[StandardDef]:
    """The framework's standards and key questions as the engine's plain definitions."""
    key_questions: dict[int, list[KeyQuestionDef]] = {}
    for question in Question.objects.filter(framework=framework, parent__isnull=True).order_by(
        "position"
    ):
        key_questions.setdefault(question.standard_id, []).append(
            KeyQuestionDef(code=question.code, text=question.text)
        )
    return [
        StandardDef(
            code=standard.code,
            title=standard.title,
            judged_by=standard.judged_by,
            key_questions=tuple(key_questions.get(standard.pk, ())),
        )
        for standard in Standard.objects.filter(framework=framework).order_by("position")
    ]


def inspection_rating(inspection: Inspection, *, organisation=None) -> RatingSummary:
    """Roll the inspection's submitted answers up into ratings (a fixed number of queries).

    Only cases submitted, in quality assurance or agreed count. Organisation-level ratings
    come from the lead inspector; with several organisations (a thematic inspection) they
    are only used when one organisation is asked for.
    """
    cases = Case.objects.filter(inspection=inspection)
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    by_status = dict(cases.values_list("status").annotate(n=Count("id")).order_by())
    counted_statuses = [str(s) for s in Case.COUNTED_STATUSES]
    rows = (
        Answer.objects.filter(
            case__in=cases.filter(status__in=counted_statuses),
            question__parent__isnull=True,
        )
        .values_list(
            "case__reference",
            "case__public_id",
            "case__organisation__name",
            "question__code",
            "value",
        )
        .order_by()
    )
    case_ids: dict[str, str] = {}
    facts = []
    for reference, public_id, organisation_name, code, value in rows:
        case_ids[reference] = str(public_id)
        facts.append(
            AnswerFact(
                case_id=reference, organisation=organisation_name, question_code=code, value=value
            )
        )
    organisations = list(inspection.organisations.all())
    ratings = OrganisationRating.objects.filter(inspection=inspection).select_related("standard")
    if organisation is not None:
        ratings = ratings.filter(organisation=organisation)
    elif len(organisations) != 1:
        ratings = ratings.none()
    result = rate_inspection(
        standards=framework_standards(inspection.framework),
        answers=facts,
        organisation_ratings={r.standard.code: r.rating for r in ratings},
        rules=RatingRules.from_framework_dict(inspection.framework.rules_dict()),
    )
    labels = dict(Case.Status.choices)
    left_out = tuple(
        LeftOut(status=labels[status], cases=n)
        for status, n in sorted(by_status.items())
        if status not in counted_statuses and n
    )
    counted = sum(n for status, n in by_status.items() if status in counted_statuses)
    return RatingSummary(
        inspection=inspection,
        result=result,
        cases_in_sample=sum(by_status.values()),
        cases_counted=counted,
        left_out=left_out,
        case_ids=case_ids,
    )
