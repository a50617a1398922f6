"""The drill-down under any dashboard cell: the scored cases of one organisation in one
inspection, with their answers to the cell's key questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casefiles.choices import SampleType
from casefiles.models import Case, counted_condition
from inspection.models import Inspection, Organisation
from inspection.rating_rules import NO, Tally
from judgements.models import Answer
from reports.dashboards.figures import Figure
from reports.dashboards.structure import KeyQuestionInfo
from reports.ratings.tallies import answer_tallies


@dataclass(frozen=True)
class CaseRow:
    reference: str
    public_id: str
    sample_type: str
    status: str
    answers: tuple[str, ...]  # per key question shown: "yes", "no", "na" or ""

    @property
    def has_no(self) -> bool:
        return NO in self.answers


@dataclass
class CellCases:
    key_questions: tuple[KeyQuestionInfo, ...]
    figures: tuple[Figure, ...]
    rows: list[CaseRow]
    cases_not_counted: int


def cell_cases(
    *, inspection: Inspection, organisation: Organisation, key_questions: Sequence[KeyQuestionInfo]
) -> CellCases:
    """The scored cases behind a dashboard cell, with their answers to its key questions,
    cases with a No first, and each key question's figure from the one answer tally query
    (3 queries)."""
    question_ids = [kq.id for kq in key_questions]
    cases = list(
        Case.objects.filter(inspection=inspection, organisation=organisation)
        .values_list("id", "reference", "public_id", "sample_type", "status")
        .order_by("reference")
    )
    answers: dict[tuple[int, int], str] = {
        (case_id, question_id): value
        for case_id, question_id, value in Answer.objects.filter(
            counted_condition("case__"),
            case__inspection=inspection,
            case__organisation=organisation,
            question_id__in=question_ids,
        ).values_list("case_id", "question_id", "value")
    }
    sample_labels = dict(SampleType.choices)
    status_labels = dict(Case.Status.choices)
    rows = []
    not_counted = 0
    for case_id, reference, public_id, sample_type, status in cases:
        if status not in Case.COUNTED_STATUSES:
            not_counted += 1
            continue
        values = tuple(answers.get((case_id, qid), "") for qid in question_ids)
        if not any(values):
            continue
        rows.append(
            CaseRow(
                reference,
                str(public_id),
                sample_labels.get(sample_type, sample_type),
                status_labels.get(status, status),
                values,
            )
        )
    rows.sort(key=lambda r: not r.has_no)  # stable: reference order within each group
    tallies = answer_tallies(
        by=("question",), inspections=inspection, organisations=organisation, questions=question_ids
    )
    figures = tuple(Figure(tallies.get((qid,), Tally())) for qid in question_ids)
    return CellCases(tuple(key_questions), figures, rows, not_counted)
