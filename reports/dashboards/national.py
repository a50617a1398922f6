"""The national dashboard: each organisation's latest rating per standard, the distribution of
ratings, and the key questions nationally across those same latest inspections; and one key
question across every organisation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.urls import reverse

from inspection.rating_rules import NOT_RATED, RATING_NAMES, Tally
from reports.dashboards.figures import Figure
from reports.dashboards.filters import Filters
from reports.dashboards.rollups import (
    InspectionInfo,
    OrganisationInfo,
    answer_counts,
    counted_cases,
    latest_pairs,
    lead_ratings,
    links,
)
from reports.dashboards.structure import (
    RATING_CSS,
    Cell,
    KeyQuestionInfo,
    StandardInfo,
    Structure,
    framework_structure,
    overall,
    rate_pair,
)
from reports.ratings.tallies import counted_cases_by_pair

WEAKEST_SHOWN = 10


@dataclass(frozen=True)
class GridRow:
    organisation: OrganisationInfo
    inspection: InspectionInfo
    cases_counted: int
    cells: tuple[Cell, ...]
    overall: str | None
    inspection_url: str
    organisation_url: str

    @property
    def overall_css(self) -> str:
        return RATING_CSS.get(self.overall, "") if self.overall else ""


@dataclass(frozen=True)
class DistributionRow:
    standard: StandardInfo
    counts: tuple[int, ...]  # per rating in RATING_NAMES order, then not rated

    @property
    def rated(self) -> int:
        return sum(self.counts[:-1])


@dataclass(frozen=True)
class QuestionRow:
    key_question: KeyQuestionInfo
    figure: Figure
    url: str = ""


@dataclass
class National:
    filters: Filters
    structure: Structure
    rows: list[GridRow]
    distribution: list[DistributionRow]
    questions: list[QuestionRow]
    tallies: dict[tuple[int, int], dict[int, Tally]] = field(repr=False)

    @property
    def standards(self) -> tuple[StandardInfo, ...]:
        return self.structure.standards

    @property
    def weakest(self) -> list[QuestionRow]:
        """Key questions with the lowest share of Yes nationally, weakest first."""
        answered = [row for row in self.questions if row.figure.has_cases]
        order = {row.key_question.id: index for index, row in enumerate(answered)}
        answered.sort(key=lambda r: (r.figure.tally.fraction, order[r.key_question.id]))
        return answered[:WEAKEST_SHOWN]

    @property
    def inspections(self) -> int:
        return len({row.inspection.id for row in self.rows})

    @property
    def cases_counted(self) -> int:
        return sum(row.cases_counted for row in self.rows)

    @property
    def rating_names(self) -> tuple[str, ...]:
        return (*RATING_NAMES, NOT_RATED)


def national_dashboard(filters: Filters) -> National:
    """Each organisation's latest rating per standard, the distribution of ratings, and the
    key questions nationally across those same latest inspections (5 queries; 6 under a
    framework that leaves small organisations unrated)."""
    if filters.framework is None:
        raise ValueError("the national view needs a framework")
    structure = framework_structure(filters.framework)  # 1 query
    pairs = latest_pairs(filters)  # 1 query
    inspection_ids = {inspection.id for _organisation, inspection in pairs}
    key_question_ids = [kq.id for kq in structure.case_key_questions]
    tallies = answer_counts(inspection_ids=inspection_ids, question_ids=key_question_ids)
    leads = lead_ratings(inspection_ids)
    cases = counted_cases_by_pair(inspection_ids)
    # The cases in each sample matter only under a small-organisation rule: counted then.
    in_sample = (
        {key: total for key, (_counted, total) in counted_cases(inspection_ids).items()}
        if structure.rules.small_organisation_below is not None
        else None
    )

    link = links()
    rows: list[GridRow] = []
    for organisation, inspection in pairs:
        key = (inspection.id, organisation.id)
        pair_tallies = tallies.get(key, {})
        cases_url = link["cases"](inspection.reference, organisation.slug)
        cells = rate_pair(structure, pair_tallies, leads.get(key, {}), cases_url)
        counted = cases.get(key, 0)
        rows.append(
            GridRow(
                organisation=organisation,
                inspection=inspection,
                cases_counted=counted,
                cells=tuple(cells),
                overall=overall(
                    structure,
                    cells,
                    cases_counted=counted,
                    cases_in_sample=None if in_sample is None else in_sample.get(key, 0),
                ),
                inspection_url=link["inspection"](inspection.reference),
                organisation_url=link["organisation"](organisation.slug),
            )
        )

    distribution = []
    for index, standard in enumerate(structure.standards):
        counter = Counter(row.cells[index].label for row in rows)
        distribution.append(
            DistributionRow(
                standard, tuple(counter.get(name, 0) for name in (*RATING_NAMES, NOT_RATED))
            )
        )
    national = sum_latest(pairs, tallies)
    query = filters.query()
    questions = [
        QuestionRow(
            kq,
            Figure(national.get(kq.id, Tally())),
            reverse("reports:dashboard_question", args=[kq.code]) + "?" + urlencode(query),
        )
        for kq in structure.case_key_questions
    ]
    return National(filters, structure, rows, distribution, questions, tallies)


@dataclass(frozen=True)
class QuestionBreakdownRow:
    row: GridRow
    figure: Figure
    cases_url: str


def national_question(national: National, code: str):
    """One key question across the organisations of the national view, weakest first."""
    kq = national.structure.key_question(code)
    if kq is None or kq not in national.structure.case_key_questions:
        return None, None, []
    figure = next((q.figure for q in national.questions if q.key_question.id == kq.id), None)
    rows = []
    for row in national.rows:
        tally = national.tallies.get((row.inspection.id, row.organisation.id), {}).get(
            kq.id, Tally()
        )
        url = reverse(
            "reports:dashboard_cases", args=[row.inspection.reference, row.organisation.slug]
        )
        rows.append(QuestionBreakdownRow(row, Figure(tally), f"{url}?question={quote(kq.code)}"))
    rows.sort(
        key=lambda r: (
            r.figure.tally.fraction is None,
            r.figure.tally.fraction or 0,
            r.row.organisation.name,
        )
    )
    return kq, figure, rows


def national_totals(filters: Filters, question_ids: Sequence[int]) -> dict[int, Tally]:
    """Question id -> Tally over every organisation at its latest inspection (2 queries)."""
    pairs = latest_pairs(filters)
    tallies = answer_counts(
        inspection_ids={inspection.id for _o, inspection in pairs}, question_ids=question_ids
    )
    return sum_latest(pairs, tallies)


def sum_latest(pairs, tallies) -> dict[int, Tally]:
    """Add up the pairs' tallies per question. Only the pairs themselves count: a thematic
    inspection also holds organisations whose latest inspection is another one."""
    totals: dict[int, list[int]] = {}
    for organisation, inspection in pairs:
        for question_id, tally in tallies.get((inspection.id, organisation.id), {}).items():
            counts = totals.setdefault(question_id, [0, 0, 0])
            counts[0] += tally.yes
            counts[1] += tally.no
            counts[2] += tally.not_applicable
    return {question_id: Tally(*counts) for question_id, counts in totals.items()}
