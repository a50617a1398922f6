"""Adapt the database to the rating engine: answer tallies (reports.ratings.tallies), the
framework's standards, the lead inspector's ratings, and the cases behind a No."""

from dataclasses import dataclass, field

from django.db.models import Count, F, FilteredRelation, Q, Sum

from casefiles.models import Case, counted_condition
from inspection.models import Inspection, Organisation, Standard
from inspection.rating_rules import NO, RatingRules
from judgements.models import (
    Answer,
    AnswerValue,
    CountedCaseTally,
    KeyQuestionTally,
    OrganisationRating,
)
from reports.ratings.engine import (
    JUDGED_BY_ORGANISATION,
    InspectionRating,
    KeyQuestionDef,
    StandardDef,
    natural_key,
    rate_tallies,
)
from reports.ratings.tallies import answer_tallies


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
    # Every organisation the inspection covers, in name order (also those with no cases).
    organisations: tuple[Organisation, ...] = field(default=())
    organisation: Organisation | None = None  # the one organisation rated, when one was asked

    @property
    def cases_left_out(self) -> int:
        return sum(row.cases for row in self.left_out)


def framework_key_questions(framework):
    """The framework's standards, each with its key questions (not the prompts under them),
    in framework order, as rows (1 query): standard id, code, title, judged by, then the key
    question's id, code and text (None for a standard without key questions), and whether the
    standard counts toward the overall rating."""
    return (
        Standard.objects.filter(framework=framework)
        .annotate(kq=FilteredRelation("questions", condition=Q(questions__parent__isnull=True)))
        .values_list(
            "id",
            "code",
            "title",
            "judged_by",
            "kq__id",
            "kq__code",
            "kq__text",
            "counts_toward_overall",
        )
        .order_by("position", "kq__position")
    )


def framework_standards(framework) -> list[StandardDef]:
    """The framework's standards and key questions as the engine's plain definitions (1 query)."""
    standards: dict[str, tuple[str, str, list[KeyQuestionDef], bool]] = {}
    for row in framework_key_questions(framework):
        _pk, code, title, judged_by, _kq_pk, kq_code, kq_text, counts = row
        questions = standards.setdefault(code, (title, judged_by, [], counts))[2]
        if kq_code is not None:
            questions.append(KeyQuestionDef(code=kq_code, text=kq_text))
    return [
        StandardDef(
            code=code,
            title=title,
            judged_by=judged_by,
            key_questions=tuple(questions),
            counts_toward_overall=counts,
        )
        for code, (title, judged_by, questions, counts) in standards.items()
    ]


AWAITING = "awaiting_reconciliation"
AWAITING_LABEL = "Read twice, not yet reconciled"


def inspection_rating(inspection: Inspection, *, organisation=None) -> RatingSummary:
    """Roll the inspection's submitted answers up into ratings (six queries, however many
    cases: cases by status, answer tallies, cases answered No, organisations, standards,
    the lead inspector's ratings).

    Only counted cases (submitted, in quality assurance or agreed) count. Organisation-level
    ratings come from the lead inspector; with several organisations (a thematic inspection)
    they are only used when one organisation is asked for.
    """
    cases = Case.objects.filter(inspection=inspection)
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    # A case awaiting the reconciliation of its second reading is not counted yet, whatever
    # its status: it is listed apart (casefiles.models.counted_condition).
    by_status: dict[str, int] = {}
    for status, awaiting, n in (
        cases.values_list("status", "awaiting_reconciliation").annotate(n=Count("id")).order_by()
    ):
        key = AWAITING if awaiting and status in Case.COUNTED_STATUSES else status
        by_status[key] = by_status.get(key, 0) + n
    tallies = answer_tallies(
        by=("organisation_name", "question_code"),
        inspections=inspection,
        organisations=organisation,
    )
    no_case_ids = {
        code: [row.case_reference for row in rows]
        for code, rows in no_answers(inspection, organisation=organisation).items()
    }
    organisations = list(inspection.organisations.all())
    ratings = OrganisationRating.objects.filter(inspection=inspection).select_related("standard")
    if organisation is not None:
        ratings = ratings.filter(organisation=organisation)
    elif len(organisations) != 1:
        ratings = ratings.none()
    counted = sum(n for status, n in by_status.items() if status in Case.COUNTED_STATUSES)
    result = rate_tallies(
        standards=framework_standards(inspection.framework),
        tallies=tallies,
        organisation_ratings={r.standard.code: r.rating for r in ratings},
        rules=RatingRules.from_framework_dict(inspection.framework.rules_dict()),
        no_case_ids=no_case_ids,
        cases_counted=counted,
        cases_in_sample=sum(by_status.values()),
        # Every organisation rated is listed under each key question, with or without answers.
        organisations=[
            org.name for org in organisations if organisation is None or org.pk == organisation.pk
        ],
    )
    # In the order a case moves through the walk-through, so the page reads naturally.
    left_out = tuple(
        LeftOut(status=label, cases=by_status[status])
        for status, label in [*Case.Status.choices, (AWAITING, AWAITING_LABEL)]
        if status not in Case.COUNTED_STATUSES and by_status.get(status)
    )
    return RatingSummary(
        inspection=inspection,
        result=result,
        cases_in_sample=sum(by_status.values()),
        cases_counted=counted,
        left_out=left_out,
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
    inspection: Inspection, *, standard_code: str | None = None, organisation=None
) -> dict[str, list[NoAnswer]]:
    """The counted cases answered No to each key question of one standard, or of every
    standard without ``standard_code`` (one query).

    The drill-down under a rating: key question code -> the cases and evidence notes that
    pulled its percent down, in case reference order. The same cases as the tallies count
    (Case.objects.counted()), so the lists always match the counts shown beside them.
    """
    rows = (
        Answer.objects.filter(
            case__in=Case.objects.counted().filter(inspection=inspection),
            question__framework=inspection.framework_id,
            question__parent__isnull=True,
            value=NO,
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
    if standard_code is not None:
        rows = rows.filter(question__standard__code=standard_code)
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
        cases.sort(key=lambda row: natural_key(row.case_reference))  # "C-2" before "C-10"
    return found


@dataclass(frozen=True)
class OverallRating:
    """The overall rating as a report may show it: only when it is whole.

    The engine (reports.ratings.engine) sums whatever standards are rated; a report must not
    print that sum while standards that can be rated are not yet. ``rating`` is the engine's
    overall rating when nothing is missing, else None; ``missing`` says, in words, what must
    be done first. A case-judged standard with no applicable case among the counted cases is
    "not rated" and left out, as the inspectorate does, so it is not missing.
    """

    rating: str | None
    missing: tuple[str, ...]
    left_out: tuple[str, ...]  # standards not rated and rightly left out (no applicable cases)
    sample_missing: tuple[str, ...] = ()  # the part of ``missing`` about unsubmitted cases
    # Why the framework's own rules give no overall rating (too few cases, a small
    # organisation): not something missing, the rating is withheld by rule.
    withheld: str = ""

    @property
    def is_whole(self) -> bool:
        return not self.missing


def overall_rating(summary: RatingSummary) -> OverallRating:
    """Whether the overall rating is whole, and what is missing if not (no queries)."""
    result = summary.result
    sample_missing: list[str] = []
    if summary.cases_counted == 0:
        sample_missing.append("No case in the sample has been submitted yet.")
    elif summary.cases_left_out:
        n = summary.cases_left_out
        sample_missing.append(
            f"{n} case{'s' if n != 1 else ''} in the sample {'are' if n != 1 else 'is'} not yet "
            "submitted, so the figures may still change."
        )
    missing = list(sample_missing)
    left_out: list[str] = []
    for standard in result.standards:
        if standard.is_rated:
            continue
        if standard.judged_by == JUDGED_BY_ORGANISATION:
            missing.append(
                f"Standard {standard.code} {standard.title} is not yet rated by the lead inspector."
            )
        elif summary.cases_counted and not summary.cases_left_out:
            left_out.append(standard.code)  # no applicable case: not rated, left out
        # else: the cases still to be submitted (said above) may yet make it rated.
    withheld = getattr(result, "unrated_because", "") or ""
    if not missing and result.rating is None and not withheld:
        missing.append("No standard has a rating yet.")
    return OverallRating(
        rating=None if missing else result.rating,
        missing=tuple(missing),
        left_out=tuple(left_out),
        sample_missing=tuple(sample_missing),
        withheld="" if missing else withheld,
    )


@dataclass(frozen=True)
class QaAgreed:
    """How many counted judgements (Yes or No answers to key questions in counted cases: the
    figures the ratings are made of) are in cases agreed in quality assurance."""

    agreed: int
    counted: int

    @property
    def sentence(self) -> str:
        if self.counted == 0:
            return "No judgements are counted yet."
        verb = "is" if self.agreed == 1 else "are"
        return (
            f"{self.agreed} of {self.counted} counted judgements {verb} in cases agreed in "
            "quality assurance."
        )


def qa_agreed(inspections, *, organisation=None, standard_code: str = "") -> QaAgreed:
    """Counted judgements and those of them in agreed cases, for one inspection or several
    (ids), or one organisation or standard of it: from the summary tables for whole
    inspections (2 queries, whatever the number of answers), else from the answers of the
    one inspection (1 query)."""
    if organisation is None and not standard_code:
        ids = [inspections.pk] if isinstance(inspections, Inspection) else list(inspections)
        counted = KeyQuestionTally.objects.filter(inspection_id__in=ids).aggregate(
            n=Sum(F("yes") + F("no"))
        )["n"]
        agreed = CountedCaseTally.objects.filter(inspection_id__in=ids).aggregate(
            n=Sum("agreed_judgements")
        )["n"]
        return QaAgreed(agreed=agreed or 0, counted=counted or 0)
    answers = Answer.objects.filter(
        counted_condition("case__"),
        question__parent__isnull=True,
        value__in=[AnswerValue.YES, AnswerValue.NO],
    )
    if isinstance(inspections, Inspection):
        answers = answers.filter(case__inspection=inspections)
    else:
        answers = answers.filter(case__inspection_id__in=list(inspections))
    if organisation is not None:
        answers = answers.filter(case__organisation=organisation)
    if standard_code:
        answers = answers.filter(question__standard__code=standard_code)
    figures = answers.aggregate(
        counted=Count("id"), agreed=Count("id", filter=Q(case__status=Case.Status.AGREED))
    )
    return QaAgreed(agreed=figures["agreed"] or 0, counted=figures["counted"] or 0)
