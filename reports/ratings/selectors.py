"""Adapt the database to the rating engine: one place reads answers for every roll-up."""

from dataclasses import dataclass, field

from django.db.models import Count

from casefiles.models import Case
from inspection.models import Inspection, Organisation, Question, Standard
from judgements.models import Answer, OrganisationRating
from reports.ratings.engine import (
    AnswerFact,
    InspectionRating,
    KeyQuestionDef,
    RatingRules,
    StandardDef,
    _natural_key,
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
    # Every organisation the inspection covers, in name order (also those with no cases).
    organisations: tuple[Organisation, ...] = field(default=())
    organisation: Organisation | None = None  # the one organisation rated, when one was asked

    @property
    def cases_left_out(self) -> int:
        return sum(row.cases for row in self.left_out)


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
    # In the order a case moves through the walk-through, so the page reads naturally.
    left_out = tuple(
        LeftOut(status=label, cases=by_status[status])
        for status, label in Case.Status.choices
        if status not in counted_statuses and by_status.get(status)
    )
    counted = sum(n for status, n in by_status.items() if status in counted_statuses)
    return RatingSummary(
        inspection=inspection,
        result=result,
        cases_in_sample=sum(by_status.values()),
        cases_counted=counted,
        left_out=left_out,
        case_ids=case_ids,
        organisations=tuple(organisations),
        organisation=organisation,
    )


@dataclass(frozen=True)
class NoAnswer:
    """A counted case answered No to a key question, with the inspector's evidence note."""

    question_code: str
    case_reference: str
    case_public_id: str
    organisation: str
    note: str


def no_answers(
    inspection: Inspection, *, standard_code: str, organisation=None
) -> dict[str, list[NoAnswer]]:
    """The counted cases answered No to each key question of one standard (one query).

    The drill-down under a rating: key question code -> the cases and evidence notes that
    pulled its percent down, in case reference order. Same filter as inspection_rating, so
    the lists always match the counts shown beside them.
    """
    rows = (
        Answer.objects.filter(
            case__inspection=inspection,
            case__status__in=[str(s) for s in Case.COUNTED_STATUSES],
            question__framework=inspection.framework_id,
            question__standard__code=standard_code,
            question__parent__isnull=True,
            value="no",
        )
        .values_list(
            "question__code",
            "case__reference",
            "case__public_id",
            "case__organisation__name",
            "note",
        )
        .order_by("question__position")
    )
    if organisation is not None:
        rows = rows.filter(case__organisation=organisation)
    found: dict[str, list[NoAnswer]] = {}
    for code, reference, public_id, organisation_name, note in rows:
        found.setdefault(code, []).append(
            NoAnswer(
                question_code=code,
                case_reference=reference,
                case_public_id=str(public_id),
                organisation=organisation_name,
                note=note,
            )
        )
    for cases in found.values():
        cases.sort(key=lambda row: _natural_key(row.case_reference))  # "C-2" before "C-10"
    return found
