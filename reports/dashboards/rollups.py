"""The few aggregate queries every dashboard rests on, each run once per page.

Words used below:

- a *pair* is one organisation in one inspection (a thematic inspection has several);
- an organisation's *latest* inspection on a framework is the one whose fieldwork started
  last (ties: the one created last), among the inspections the filters let through.

The answers are counted by the one tally query (reports.ratings.tallies); the lead
inspectors' ratings and the cases scored per pair are one query each. Links are reversed
once per page and filled in per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.db import connection
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from casefiles.models import Case, counted_condition
from inspection.models import Inspection, Organisation
from inspection.rating_rules import Tally
from judgements.models import OrganisationRating
from judgements.tallies import stored_figures_version, with_marks
from reports.dashboards.filters import Filters
from reports.ratings.tallies import key_question_tallies_queryset

OrganisationThrough = Inspection.organisations.through


def answer_counts(
    *,
    inspection_ids: Iterable[int],
    question_ids: Iterable[int],
    organisation_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], dict[int, Tally]]:
    """(inspection id, organisation id) -> key question id -> Tally: the key question tallies
    (reports.ratings.tallies), one stored row per cell (1 query)."""
    result: dict[tuple[int, int], dict[int, Tally]] = defaultdict(dict)
    for inspection_id, organisation_id, question_id, yes, no, na in key_question_tallies_queryset(
        inspections=inspection_ids, questions=question_ids, organisations=organisation_ids
    ):
        result[(inspection_id, organisation_id)][question_id] = Tally(yes, no, na)
    return result


def lead_ratings(inspection_ids: Iterable[int]) -> dict[tuple[int, int], dict[int, str]]:
    """(inspection id, organisation id) -> standard id -> the lead inspector's rating (1 query)."""
    result: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for inspection_id, organisation_id, standard_id, rating in OrganisationRating.objects.filter(
        inspection_id__in=list(inspection_ids)
    ).values_list("inspection_id", "organisation_id", "standard_id", "rating"):
        result[(inspection_id, organisation_id)][standard_id] = rating
    return result


def counted_cases(inspection_ids: Iterable[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(inspection id, organisation id) -> (cases scored, cases in the sample) (1 query)."""
    rows = (
        Case.objects.filter(inspection_id__in=list(inspection_ids))
        .values_list("inspection_id", "organisation_id")
        .annotate(counted=Count("id", filter=counted_condition()), total=Count("id"))
        .order_by()
    )
    return {(i, o): (counted, total) for i, o, counted, total in rows}


# --------------------------------------------------------------------------- links


class _Link:
    """Reverse a URL once with placeholders, then fill them in per row: a national grid has
    thousands of cells, and reversing each would cost more than the query behind them."""

    def __init__(self, name: str, *placeholders: str):
        try:
            self.pattern: str | None = reverse(name, args=placeholders)
        except NoReverseMatch:
            self.pattern = None
        self.placeholders = placeholders

    def __bool__(self) -> bool:
        return self.pattern is not None

    def __call__(self, *values: str, **params: str) -> str:
        if self.pattern is None:
            return ""
        url = self.pattern
        for placeholder, value in zip(self.placeholders, values, strict=True):
            url = url.replace(placeholder, quote(str(value), safe=""))
        return f"{url}?{urlencode(params)}" if params else url


def links() -> dict[str, _Link]:
    return {
        "inspection": _Link("inspection:detail", "xxreferencexx"),
        "cases": _Link("reports:dashboard_cases", "xxreferencexx", "xxorganisationxx"),
        "organisation": _Link("reports:dashboard_organisation", "xxorganisationxx"),
        "area": _Link("reports:dashboard_area", "xxareaxx"),
    }


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class OrganisationInfo:
    id: int
    slug: str
    name: str
    kind: str
    area_name: str
    area_slug: str
    region: str

    @property
    def kind_label(self) -> str:
        return Organisation.Kind(self.kind).label if self.kind in Organisation.Kind else self.kind


@dataclass(frozen=True)
class InspectionInfo:
    id: int
    reference: str
    title: str
    fieldwork_start: date
    framework_id: int


PAIR_FIELDS = (
    "organisation_id",
    "organisation__slug",
    "organisation__name",
    "organisation__kind",
    "organisation__area__name",
    "organisation__area__slug",
    "organisation__area__region",
    "inspection_id",
    "inspection__reference",
    "inspection__title",
    "inspection__fieldwork_start",
    "inspection__framework_id",
)


def pair_from_row(row) -> tuple[OrganisationInfo, InspectionInfo]:
    return OrganisationInfo(*row[:7]), InspectionInfo(*row[7:])


def _latest_rows(filters: Filters, fields: tuple[str, ...]) -> list[tuple]:
    """The ``fields`` of every organisation the filters let through, at its latest
    inspection, by organisation name (1 query; the fields start with the organisation's id).

    On PostgreSQL the database keeps the first row per organisation (DISTINCT ON); elsewhere
    one row per organisation and inspection comes back (a few per organisation), and the
    first per organisation is kept here.
    """
    rows = (
        OrganisationThrough.objects.filter(filters.q("inspection__", "organisation__"))
        .values_list(*fields)
        .order_by(
            "organisation__name",
            "organisation_id",
            "-inspection__fieldwork_start",
            "-inspection_id",
        )
    )
    if connection.vendor == "postgresql":
        rows = rows.distinct("organisation__name", "organisation_id")
    seen: set[int] = set()
    latest = []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        latest.append(row)
    return latest


def latest_pairs(filters: Filters) -> list[tuple[OrganisationInfo, InspectionInfo]]:
    """Every organisation the filters let through, with its latest inspection (1 query)."""
    return [pair_from_row(row) for row in _latest_rows(filters, PAIR_FIELDS)]


def latest_pair_ids(filters: Filters) -> list[tuple[int, int]]:
    """(organisation id, inspection id) of latest_pairs, and nothing else (1 query): which
    inspections a cached national page must have been built from."""
    return _latest_rows(filters, ("organisation_id", "inspection_id"))


def latest_pair_versions(filters: Filters):
    """Which inspection is each organisation's latest (latest_pair_ids) and the versions of
    their figures (judgements.tallies.with_marks), in one query: what a cached national page
    was built from."""
    rows = _latest_rows(filters, ("organisation_id", "inspection_id", stored_figures_version()))
    pairs = [(organisation_id, inspection_id) for organisation_id, inspection_id, _v in rows]
    return pairs, with_marks((inspection_id, version) for _o, inspection_id, version in rows)
