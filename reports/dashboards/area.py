"""One organisation, or every organisation of an area, over successive inspections on one
framework: each standard's rating per inspection, and each key question's result beside the
national figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import QuerySet

from inspection.dates import govuk_month
from inspection.models import Framework
from inspection.rating_rules import Tally
from reports.dashboards.figures import Comparison, Figure, compare
from reports.dashboards.filters import Filters
from reports.dashboards.national import national_totals
from reports.dashboards.rollups import (
    PAIR_FIELDS,
    InspectionInfo,
    OrganisationInfo,
    OrganisationThrough,
    answer_counts,
    counted_cases,
    lead_ratings,
    links,
    pair_from_row,
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


@dataclass(frozen=True)
class QuestionResult:
    key_question: KeyQuestionInfo
    figure: Figure
    national: Figure | None
    comparison: Comparison | None
    cases_url: str


@dataclass(frozen=True)
class TrendRow:
    organisation: OrganisationInfo
    inspection: InspectionInfo
    cases_counted: int
    cases_total: int | None  # the cases in the sample, when the framework's rules need it
    cells: tuple[Cell, ...]
    overall: str | None
    questions: tuple[QuestionResult, ...]
    inspection_url: str

    @property
    def overall_css(self) -> str:
        return RATING_CSS.get(self.overall, "") if self.overall else ""

    @property
    def label(self) -> str:
        return govuk_month(self.inspection.fieldwork_start)


@dataclass
class AreaView:
    structure: Structure | None
    frameworks: list[tuple[str, str]]  # (key, name): the frameworks this scope was inspected on
    rows: list[TrendRow]  # oldest first
    with_national: bool
    several_organisations: bool

    @property
    def standards(self) -> tuple[StandardInfo, ...]:
        return self.structure.standards if self.structure else ()

    @property
    def newest_first(self) -> list[TrendRow]:
        return list(reversed(self.rows))


def area_rows(organisation_ids: Sequence[int], visible: QuerySet | None = None) -> list[tuple]:
    """Every inspection of these organisations (only those in ``visible`` if given), oldest
    first: the pair's fields, then its framework's id, slug, version and name (1 query)."""
    pairs_qs = OrganisationThrough.objects.filter(organisation_id__in=list(organisation_ids))
    if visible is not None:
        pairs_qs = pairs_qs.filter(inspection__in=visible)
    return list(
        pairs_qs.values_list(
            *PAIR_FIELDS,
            "inspection__framework__slug",
            "inspection__framework__version",
            "inspection__framework__name",
        ).order_by("inspection__fieldwork_start", "inspection_id", "organisation__name")
    )


def chosen_framework(rows: Sequence[tuple], framework_key_wanted: str = "") -> int | None:
    """The framework (by id) the page shows: the one asked for if these rows have it, else
    the framework of the latest inspection."""
    if not rows:
        return None
    return next(
        (row[11] for row in rows if f"{row[12]}-{row[13]}" == framework_key_wanted),
        rows[-1][11],
    )


def area_dashboard(
    *,
    organisation_ids: Sequence[int],
    framework_key_wanted: str = "",
    visible: QuerySet | None = None,
    with_national: bool = True,
    rows: list[tuple] | None = None,
) -> AreaView:
    """One organisation (or every organisation of an area) over successive inspections on one
    framework: each standard's rating per inspection, and each key question's result per
    inspection beside the national figure (8 queries; 7 given ``rows`` from area_rows).

    The national figure is the one the national dashboard shows for the framework: every
    organisation at its latest inspection. The same number on both pages, and it costs the
    same one aggregate; a figure per year of fieldwork would have to count every answer of
    those years, several times the work, for every page view.

    ``visible`` limits the inspections (someone who is not a manager sees only their team's).
    """
    if rows is None:
        rows = area_rows(organisation_ids, visible)  # 1 query
    frameworks: dict[int, tuple[str, str]] = {}
    for row in rows:
        frameworks[row[11]] = (f"{row[12]}-{row[13]}", f"{row[14]} ({row[13]})")
    several = len({row[0] for row in rows}) > 1
    if not rows:
        return AreaView(None, [], [], with_national, several)
    chosen = chosen_framework(rows, framework_key_wanted)
    framework = Framework.objects.get(pk=chosen)  # 1 query
    structure = framework_structure(framework)  # 1 query
    pairs = [pair_from_row(row[:12]) for row in rows if row[11] == chosen]
    inspection_ids = {inspection.id for _organisation, inspection in pairs}
    question_ids = [kq.id for kq in structure.case_key_questions]
    tallies = answer_counts(
        inspection_ids=inspection_ids,
        question_ids=question_ids,
        organisation_ids=organisation_ids,
    )  # 1 query
    leads = lead_ratings(inspection_ids)  # 1 query
    counted_by_pair = counted_cases_by_pair(inspection_ids)  # 1 query, of the summary
    # The cases in each sample matter only under a small-organisation rule: counted then.
    in_sample = (
        {key: total for key, (_counted, total) in counted_cases(inspection_ids).items()}
        if structure.rules.small_organisation_below is not None
        else None
    )
    national = (
        national_totals(Filters(framework=framework), question_ids) if with_national else {}
    )  # 2 queries

    link = links()
    trend = []
    for organisation, inspection in pairs:
        key = (inspection.id, organisation.id)
        pair_tallies = tallies.get(key, {})
        cases_url = link["cases"](inspection.reference, organisation.slug)
        cells = rate_pair(structure, pair_tallies, leads.get(key, {}), cases_url)
        questions = []
        for kq in structure.case_key_questions:
            figure = Figure(pair_tallies.get(kq.id, Tally()))
            national_figure = Figure(national.get(kq.id, Tally())) if with_national else None
            questions.append(
                QuestionResult(
                    kq,
                    figure,
                    national_figure,
                    compare(figure, national_figure),
                    f"{cases_url}?question={quote(kq.code)}",
                )
            )
        counted = counted_by_pair.get(key, 0)
        total = None if in_sample is None else in_sample.get(key, 0)
        trend.append(
            TrendRow(
                organisation,
                inspection,
                counted,
                total,
                cells,
                overall(structure, cells, cases_counted=counted, cases_in_sample=total),
                tuple(questions),
                link["inspection"](inspection.reference),
            )
        )
    return AreaView(
        structure,
        list(frameworks.values()),
        trend,
        with_national,
        several,
    )
