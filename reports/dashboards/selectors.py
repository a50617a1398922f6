"""Dashboards for managers: ratings and key-question results across organisations and time.

Everything is counted in the database. The heart of every view is one GROUP BY over the
answers of scored cases (Case.COUNTED_STATUSES) to key questions, by inspection, organisation
and question, with conditional counts of Yes, No and Not applicable. That result is small
(one row per organisation, inspection and key question), and Python then applies the
framework's bands to it with the rating engine's own functions (reports.ratings.engine), so a rating
on a dashboard is the rating on the inspection's own pages.

The number of queries each function makes is fixed: it does not grow with the number of
organisations, inspections, cases or answers (tests pin it).

Words used below:

- a *pair* is one organisation in one inspection (a thematic inspection has several);
- an organisation's *latest* inspection on a framework is the one whose fieldwork started
  last (ties: the one created last), among the inspections the filters let through;
- a *figure* is a key question's result: n of N answered Yes, with a 95% Wilson interval,
  marked "small sample" under 10 applicable cases (reports.stats).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property
from urllib.parse import quote, urlencode

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from casefiles.models import Case, Referral
from inspection.models import Framework, Inspection, Organisation, Question, Standard
from inspection.rating_rules import (
    NO,
    NOT_APPLICABLE,
    RATING_NAMES,
    YES,
    RatingRules,
    Tally,
    band_for_percent,
    overall_for,
    tally_summary,
)
from judgements.models import Answer, OrganisationRating
from reports.ratings.engine import JUDGED_BY_ORGANISATION
from reports.stats import is_small_sample, wilson_interval

COUNTED = sorted(str(status) for status in Case.COUNTED_STATUSES)
NOT_RATED = "Not rated"
WEAKEST_SHOWN = 10

OrganisationThrough = Inspection.organisations.through


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """What a manager narrowed the dashboard to. Empty values mean "all"."""

    framework: Framework | None = None
    kind: str = ""
    region: str = ""
    fieldwork_from: date | None = None
    fieldwork_to: date | None = None

    def q(self, inspection: str, organisation: str) -> Q:
        """The filters as a Q on a queryset, given the paths to the inspection and organisation."""
        condition = Q()
        if self.framework is not None:
            condition &= Q(**{f"{inspection}framework": self.framework})
        if self.fieldwork_from:
            condition &= Q(**{f"{inspection}fieldwork_start__gte": self.fieldwork_from})
        if self.fieldwork_to:
            condition &= Q(**{f"{inspection}fieldwork_start__lte": self.fieldwork_to})
        if self.kind:
            condition &= Q(**{f"{organisation}kind": self.kind})
        if self.region:
            condition &= Q(**{f"{organisation}area__region": self.region})
        return condition

    def query(self) -> dict[str, str]:
        """The filters as address parameters, to carry them into drill-down links."""
        params: dict[str, str] = {}
        if self.framework is not None:
            params["framework"] = framework_key(self.framework)
        if self.kind:
            params["kind"] = self.kind
        if self.region:
            params["region"] = self.region
        for name in ("fieldwork_from", "fieldwork_to"):
            value = getattr(self, name)
            if value:
                params[f"{name}_0"] = str(value.day)
                params[f"{name}_1"] = str(value.month)
                params[f"{name}_2"] = str(value.year)
        return params


def framework_key(framework) -> str:
    """How a framework version is named in addresses: "youth-offending-services-2018"."""
    return f"{framework.slug}-{framework.version}"


def default_framework() -> Framework | None:
    """The framework of the inspection whose fieldwork started last (1 query)."""
    inspection = (
        Inspection.objects.select_related("framework").order_by("-fieldwork_start", "-pk").first()
    )
    return inspection.framework if inspection else None


# --------------------------------------------------------------------------- figures


def _whole(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figure:
    """A key question's result: n of N (p%), its 95% Wilson interval, and a small-sample mark."""

    tally: Tally

    @property
    def yes(self) -> int:
        return self.tally.yes

    @property
    def applicable(self) -> int:
        return self.tally.applicable

    @property
    def has_cases(self) -> bool:
        return self.tally.applicable > 0

    @property
    def percent(self) -> int | None:
        return self.tally.whole_percent

    @property
    def exact_percent(self) -> float | None:
        return self.tally.percent

    @cached_property
    def interval(self) -> tuple[int, int] | None:
        """The 95% Wilson interval as whole percents, or None with no applicable cases."""
        bounds = wilson_interval(self.tally.yes, self.tally.applicable)
        if bounds is None:
            return None
        return _whole(bounds[0] * 100), _whole(bounds[1] * 100)

    @cached_property
    def exact_interval(self) -> tuple[float, float] | None:
        bounds = wilson_interval(self.tally.yes, self.tally.applicable)
        return None if bounds is None else (bounds[0] * 100, bounds[1] * 100)

    @property
    def small_sample(self) -> bool:
        return self.has_cases and is_small_sample(self.tally.applicable)

    @property
    def display(self) -> str:
        """ "26 of 31 (84%)", or "no applicable cases"."""
        return self.tally.display

    @property
    def interval_display(self) -> str:
        """ "67% to 93%", or an empty string with no applicable cases."""
        if self.interval is None:
            return ""
        return f"{self.interval[0]}% to {self.interval[1]}%"

    @property
    def full_display(self) -> str:
        """Everything in one line, for chart labels and CSV: "26 of 31 (84%; 95% CI 67-93%)"."""
        if not self.has_cases:
            return "no applicable cases"
        low, high = self.interval  # type: ignore[misc]
        text = f"{self.yes} of {self.applicable} ({self.percent}%; 95% CI {low}-{high}%)"
        return text + (", small sample" if self.small_sample else "")


@dataclass(frozen=True)
class Comparison:
    """How a figure stands against the national figure for the same question."""

    verdict: str  # "Above national", "Below national", "Similar to national"
    difference: int  # percentage points, rounded

    @property
    def css(self) -> str:
        return {"Above national": "green", "Below national": "red"}.get(self.verdict, "grey")

    @property
    def difference_display(self) -> str:
        sign = "+" if self.difference > 0 else ""
        points = "point" if abs(self.difference) == 1 else "points"
        return f"{sign}{self.difference} {points}"


def compare(figure: Figure, national: Figure | None) -> Comparison | None:
    """Above or below national only when the national figure lies outside this result's 95%
    interval; otherwise the difference could be chance, and the page says "similar"."""
    if national is None or not figure.has_cases or not national.has_cases:
        return None
    low, high = figure.exact_interval  # type: ignore[misc]
    value = national.exact_percent
    assert value is not None  # noqa: S101 - national.has_cases
    difference = _whole(figure.exact_percent - value)  # type: ignore[operator]
    if value < low:
        return Comparison("Above national", difference)
    if value > high:
        return Comparison("Below national", difference)
    return Comparison("Similar to national", difference)


# --------------------------------------------------------------------------- framework


@dataclass(frozen=True)
class KeyQuestionInfo:
    id: int
    code: str
    text: str
    standard_code: str


@dataclass(frozen=True)
class StandardInfo:
    id: int
    code: str
    title: str
    judged_by: str
    key_questions: tuple[KeyQuestionInfo, ...]

    @property
    def is_case_judged(self) -> bool:
        return self.judged_by != JUDGED_BY_ORGANISATION


@dataclass(frozen=True)
class Structure:
    framework: Framework
    standards: tuple[StandardInfo, ...]
    rules: RatingRules

    @cached_property
    def key_questions(self) -> tuple[KeyQuestionInfo, ...]:
        return tuple(kq for standard in self.standards for kq in standard.key_questions)

    @cached_property
    def case_key_questions(self) -> tuple[KeyQuestionInfo, ...]:
        """Key questions answered per case (organisation-judged standards are not)."""
        return tuple(
            kq
            for standard in self.standards
            if standard.is_case_judged
            for kq in standard.key_questions
        )

    @cached_property
    def bands(self) -> dict[tuple[int, int], str]:
        """Band of each (yes, applicable) met so far, under these rules (see rate_standard)."""
        return {}

    @cached_property
    def standard_queries(self) -> tuple[str, ...]:
        """ "?standard=2.1" for each standard: the drill-down from a cell."""
        return tuple(f"?standard={quote(s.code, safe='')}" for s in self.standards)

    def standard(self, code: str) -> StandardInfo | None:
        return next((s for s in self.standards if s.code == code), None)

    def key_question(self, code: str) -> KeyQuestionInfo | None:
        return next((kq for kq in self.key_questions if kq.code == code), None)


def framework_structure(framework: Framework) -> Structure:
    """The framework's standards and their key questions, in framework order (2 queries)."""
    by_standard: dict[int, list[KeyQuestionInfo]] = defaultdict(list)
    standards = list(
        Standard.objects.filter(framework=framework)
        .order_by("position")
        .values_list("id", "code", "title", "judged_by")
    )
    codes = {pk: code for pk, code, _title, _judged in standards}
    for pk, code, text, standard_id in (
        Question.objects.filter(framework=framework, parent__isnull=True)
        .order_by("position")
        .values_list("id", "code", "text", "standard_id")
    ):
        by_standard[standard_id].append(KeyQuestionInfo(pk, code, text, codes[standard_id]))
    return Structure(
        framework=framework,
        standards=tuple(
            StandardInfo(pk, code, title, judged_by, tuple(by_standard.get(pk, ())))
            for pk, code, title, judged_by in standards
        ),
        rules=RatingRules.from_framework_dict(framework.rules_dict()),
    )


# --------------------------------------------------------------------------- the aggregates


def answer_counts_queryset(
    *, inspection_ids: Iterable[int], question_ids: Iterable[int], organisation_ids=None
) -> QuerySet:
    """THE aggregate: Yes / No / Not applicable per inspection, organisation and key question,
    over scored cases. The benchmark runs exactly this SQL with a raw cursor."""
    answers = Answer.objects.filter(
        case__inspection_id__in=list(inspection_ids),
        case__status__in=COUNTED,
        question_id__in=list(question_ids),
    )
    if organisation_ids is not None:
        answers = answers.filter(case__organisation_id__in=list(organisation_ids))
    return (
        answers.values_list("case__inspection_id", "case__organisation_id", "question_id")
        .annotate(
            # Counting "value" (not "id") lets an index on (case, question, value) answer
            # the query on its own (docs/performance.md, "Dashboards").
            yes=Count("value", filter=Q(value=YES)),
            no=Count("value", filter=Q(value=NO)),
            na=Count("value", filter=Q(value=NOT_APPLICABLE)),
        )
        .order_by()
    )


def answer_counts(**kwargs) -> dict[tuple[int, int], dict[int, Tally]]:
    """(inspection id, organisation id) -> question id -> Tally (1 query)."""
    result: dict[tuple[int, int], dict[int, Tally]] = defaultdict(dict)
    for inspection_id, organisation_id, question_id, yes, no, na in answer_counts_queryset(
        **kwargs
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
        .annotate(counted=Count("id", filter=Q(status__in=COUNTED)), total=Count("id"))
        .order_by()
    )
    return {(i, o): (counted, total) for i, o, counted, total in rows}


# --------------------------------------------------------------------------- rating a cell


RATING_CSS = {name: slugify(name) for name in RATING_NAMES}


class Cell:
    """One standard's rating for one organisation in one inspection, and why.

    A plain class with slots: a national grid makes thousands of these per request, and the
    explanation (``reason``) is only worked out when a page asks for it.
    """

    __slots__ = ("standard", "rating", "lowest", "lowest_tally", "rules", "cases_url", "__dict__")

    def __init__(
        self,
        standard: StandardInfo,
        rating: str | None,
        *,
        lowest: KeyQuestionInfo | None = None,
        lowest_tally: Tally | None = None,
        rules: RatingRules | None = None,
        cases_url: str = "",
    ):
        self.standard = standard
        self.rating = rating
        self.lowest = lowest
        self.lowest_tally = lowest_tally
        self.rules = rules
        self.cases_url = cases_url

    @property
    def label(self) -> str:
        return self.rating or NOT_RATED

    @property
    def css(self) -> str:
        return RATING_CSS.get(self.rating, "") if self.rating else ""

    @cached_property
    def lowest_figure(self) -> Figure | None:
        return None if self.lowest_tally is None else Figure(self.lowest_tally)

    @property
    def small_sample(self) -> bool:
        return self.lowest_tally is not None and is_small_sample(self.lowest_tally.applicable)

    @cached_property
    def reason(self) -> str:
        if not self.standard.is_case_judged:
            if self.rating:
                return "rated by the lead inspector from interviews and documents"
            return "not yet rated by the lead inspector"
        if self.lowest is None or self.lowest_tally is None:
            return "no key question has any applicable cases"
        summary = tally_summary(self.lowest_tally, self.rules)  # type: ignore[arg-type]
        return f"lowest key question {self.lowest.code}: {summary}"


def rate_standard(
    standard: StandardInfo,
    tallies: dict[int, Tally],
    lead: dict[int, str],
    rules: RatingRules,
    *,
    cases_url: str = "",
    bands: dict[tuple[int, int], str] | None = None,
) -> Cell:
    """The method of reports.ratings.engine on counted rows: the band of the lowest key question
    with applicable cases, or the lead inspector's rating for an organisation-judged standard.

    ``bands`` remembers the band of each (yes, applicable) already seen with these rules:
    samples are small, so the same pairs recur across a national grid."""
    if not standard.is_case_judged:
        return Cell(standard, lead.get(standard.id), cases_url=cases_url)
    lowest: KeyQuestionInfo | None = None
    low: Tally | None = None
    for kq in standard.key_questions:
        tally = tallies.get(kq.id)
        if tally is None or not tally.applicable:
            continue
        # yes/applicable below low's, compared without division. Strictly lower only: of
        # equal percents the earlier question is the lowest, as in the rating engine.
        if low is None or tally.yes * low.applicable < low.yes * tally.applicable:
            lowest, low = kq, tally
    if low is None:
        return Cell(standard, None, rules=rules, cases_url=cases_url)
    key = (low.yes, low.applicable)
    band = None if bands is None else bands.get(key)
    if band is None:
        band = band_for_percent(Fraction(100 * low.yes, low.applicable), rules)
        if bands is not None:
            bands[key] = band
    return Cell(
        standard,
        band,
        lowest=lowest,
        lowest_tally=low,
        rules=rules,
        cases_url=cases_url,
    )


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


def _links() -> dict[str, _Link]:
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


def _pair(row) -> tuple[OrganisationInfo, InspectionInfo]:
    return OrganisationInfo(*row[:7]), InspectionInfo(*row[7:])


def latest_pairs(filters: Filters) -> list[tuple[OrganisationInfo, InspectionInfo]]:
    """Every organisation the filters let through, with its latest inspection (1 query).

    One row per organisation and inspection comes back (a few per organisation), and the
    first per organisation is kept: this is cheap next to the answers, and portable.
    """
    rows = (
        OrganisationThrough.objects.filter(filters.q("inspection__", "organisation__"))
        .values_list(*PAIR_FIELDS)
        .order_by(
            "organisation__name",
            "organisation_id",
            "-inspection__fieldwork_start",
            "-inspection_id",
        )
    )
    seen: set[int] = set()
    pairs = []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        pairs.append(_pair(row))
    return pairs


# --------------------------------------------------------------------------- national view


@dataclass(frozen=True)
class GridRow:
    organisation: OrganisationInfo
    inspection: InspectionInfo
    cases_counted: int
    cases_total: int
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
    key questions nationally across those same latest inspections (6 queries)."""
    if filters.framework is None:
        raise ValueError("the national view needs a framework")
    structure = framework_structure(filters.framework)  # 2 queries
    pairs = latest_pairs(filters)  # 1 query
    inspection_ids = {inspection.id for _organisation, inspection in pairs}
    key_question_ids = [kq.id for kq in structure.case_key_questions]
    tallies = answer_counts(inspection_ids=inspection_ids, question_ids=key_question_ids)
    leads = lead_ratings(inspection_ids)
    cases = counted_cases(inspection_ids)

    links = _links()
    rows: list[GridRow] = []
    for organisation, inspection in pairs:
        key = (inspection.id, organisation.id)
        pair_tallies = tallies.get(key, {})
        cases_url = links["cases"](inspection.reference, organisation.slug)
        cells = _rate_pair(structure, pair_tallies, leads.get(key, {}), cases_url)
        scores = [structure.rules.score_for(c.rating) for c in cells if c.rating]
        counted, total = cases.get(key, (0, 0))
        rows.append(
            GridRow(
                organisation=organisation,
                inspection=inspection,
                cases_counted=counted,
                cases_total=total,
                cells=tuple(cells),
                overall=overall_for(scores, structure.rules),
                inspection_url=links["inspection"](inspection.reference),
                organisation_url=links["organisation"](organisation.slug),
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
    national = _sum_latest(pairs, tallies)
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


def _rate_pair(structure: Structure, tallies, lead, cases_url: str) -> tuple[Cell, ...]:
    """Every standard's cell for one organisation in one inspection."""
    return tuple(
        rate_standard(
            standard,
            tallies,
            lead,
            structure.rules,
            cases_url=cases_url + suffix,
            bands=structure.bands,
        )
        for standard, suffix in zip(structure.standards, structure.standard_queries, strict=True)
    )


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


# --------------------------------------------------------------------------- area view


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
    cases_total: int
    cells: tuple[Cell, ...]
    overall: str | None
    questions: tuple[QuestionResult, ...]
    inspection_url: str

    @property
    def overall_css(self) -> str:
        return RATING_CSS.get(self.overall, "") if self.overall else ""

    @property
    def label(self) -> str:
        return self.inspection.fieldwork_start.strftime("%b %Y")


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


def area_dashboard(
    *,
    organisation_ids: Sequence[int],
    framework_key_wanted: str = "",
    visible: QuerySet | None = None,
    with_national: bool = True,
) -> AreaView:
    """One organisation (or every organisation of an area) over successive inspections on one
    framework: each standard's rating per inspection, and each key question's result per
    inspection beside the national figure (9 queries).

    The national figure is the one the national dashboard shows for the framework: every
    organisation at its latest inspection. The same number on both pages, and it costs the
    same one aggregate; a figure per year of fieldwork would have to count every answer of
    those years, several times the work, for every page view.

    ``visible`` limits the inspections (someone who is not a manager sees only their team's).
    """
    pairs_qs = OrganisationThrough.objects.filter(organisation_id__in=list(organisation_ids))
    if visible is not None:
        pairs_qs = pairs_qs.filter(inspection__in=visible)
    rows = list(
        pairs_qs.values_list(
            *PAIR_FIELDS,
            "inspection__framework__slug",
            "inspection__framework__version",
            "inspection__framework__name",
        ).order_by("inspection__fieldwork_start", "inspection_id", "organisation__name")
    )  # 1 query
    frameworks: dict[int, tuple[str, str]] = {}
    for row in rows:
        frameworks[row[11]] = (f"{row[12]}-{row[13]}", f"{row[14]} ({row[13]})")
    several = len({row[0] for row in rows}) > 1
    if not rows:
        return AreaView(None, [], [], with_national, several)
    chosen = next(
        (pk for pk, (key, _name) in frameworks.items() if key == framework_key_wanted),
        rows[-1][11],  # the framework of the latest inspection
    )
    framework = Framework.objects.get(pk=chosen)  # 1 query
    structure = framework_structure(framework)  # 2 queries
    pairs = [_pair(row[:12]) for row in rows if row[11] == chosen]
    inspection_ids = {inspection.id for _organisation, inspection in pairs}
    question_ids = [kq.id for kq in structure.case_key_questions]
    tallies = answer_counts(
        inspection_ids=inspection_ids,
        question_ids=question_ids,
        organisation_ids=organisation_ids,
    )  # 1 query
    leads = lead_ratings(inspection_ids)  # 1 query
    cases = counted_cases(inspection_ids)  # 1 query
    national = (
        national_totals(Filters(framework=framework), question_ids) if with_national else {}
    )  # 2 queries

    links = _links()
    trend = []
    for organisation, inspection in pairs:
        key = (inspection.id, organisation.id)
        pair_tallies = tallies.get(key, {})
        cases_url = links["cases"](inspection.reference, organisation.slug)
        cells = _rate_pair(structure, pair_tallies, leads.get(key, {}), cases_url)
        scores = [structure.rules.score_for(c.rating) for c in cells if c.rating]
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
        counted, total = cases.get(key, (0, 0))
        trend.append(
            TrendRow(
                organisation,
                inspection,
                counted,
                total,
                cells,
                overall_for(scores, structure.rules),
                tuple(questions),
                links["inspection"](inspection.reference),
            )
        )
    return AreaView(
        structure,
        list(frameworks.values()),
        trend,
        with_national,
        several,
    )


def national_totals(filters: Filters, question_ids: Sequence[int]) -> dict[int, Tally]:
    """Question id -> Tally over every organisation at its latest inspection (2 queries)."""
    pairs = latest_pairs(filters)
    tallies = answer_counts(
        inspection_ids={inspection.id for _o, inspection in pairs}, question_ids=question_ids
    )
    return _sum_latest(pairs, tallies)


def _sum_latest(pairs, tallies) -> dict[int, Tally]:
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


# --------------------------------------------------------------------------- drill-down


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
    cases with a No first (2 queries)."""
    from casefiles.choices import SampleType

    question_ids = [kq.id for kq in key_questions]
    cases = list(
        Case.objects.filter(inspection=inspection, organisation=organisation)
        .values_list("id", "reference", "public_id", "sample_type", "status")
        .order_by("reference")
    )
    answers: dict[tuple[int, int], str] = {
        (case_id, question_id): value
        for case_id, question_id, value in Answer.objects.filter(
            case__inspection=inspection,
            case__organisation=organisation,
            case__status__in=COUNTED,
            question_id__in=question_ids,
        ).values_list("case_id", "question_id", "value")
    }
    sample_labels = dict(SampleType.choices)
    status_labels = dict(Case.Status.choices)
    rows = []
    not_counted = 0
    for case_id, reference, public_id, sample_type, status in cases:
        if status not in COUNTED:
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
    figures = tuple(
        Figure(Tally.of(row.answers[index] for row in rows if row.answers[index]))
        for index in range(len(question_ids))
    )
    return CellCases(tuple(key_questions), figures, rows, not_counted)


# --------------------------------------------------------------------------- referrals


def _referral_conditions():
    no_response = Q(response_date__isnull=True)
    not_followed_up = (
        Q(response_date__isnull=False)
        & (Q(response_satisfactory=False) | Q(response_timely=False))
        & Q(followed_up=False)
    )
    return no_response, not_followed_up


def _waited():
    """Days from the referral to its response, or to fieldwork when there was none."""
    return ExpressionWrapper(
        Coalesce(F("response_date"), F("case__inspection__fieldwork_start")) - F("referral_date"),
        output_field=DurationField(),
    )


def referrals_scored(filters: Filters) -> QuerySet:
    """Referrals in scored cases under the filters."""
    return Referral.objects.filter(
        Q(case__status__in=COUNTED) & filters.q("case__inspection__", "case__organisation__")
    )


@dataclass(frozen=True)
class TrackerRow:
    name: str
    slug: str
    area_name: str
    area_slug: str
    region: str
    referrals: int
    no_response: int
    not_followed_up: int
    waited_total: timedelta | None
    longest: timedelta | None
    list_url: str = ""

    @property
    def outstanding(self) -> int:
        return self.no_response + self.not_followed_up

    @property
    def average_days(self) -> float | None:
        if not self.outstanding or self.waited_total is None:
            return None
        return round(self.waited_total.total_seconds() / 86400 / self.outstanding, 1)

    @property
    def longest_days(self) -> int | None:
        return None if self.longest is None else self.longest.days


def referral_tracker(filters: Filters) -> tuple[list[TrackerRow], list[TrackerRow], TrackerRow]:
    """Referrals still waiting for a response, or not followed up after a late or
    unsatisfactory one, by organisation and by area, and the total (1 query)."""
    no_response, not_followed_up = _referral_conditions()
    outstanding = no_response | not_followed_up
    rows = (
        referrals_scored(filters)
        .values_list(
            "case__organisation__name",
            "case__organisation__slug",
            "case__organisation__area__name",
            "case__organisation__area__slug",
            "case__organisation__area__region",
        )
        .annotate(
            referrals=Count("id"),
            no_response=Count("id", filter=no_response),
            not_followed_up=Count("id", filter=not_followed_up),
            waited_total=Sum(_waited(), filter=outstanding),
            longest=Max(_waited(), filter=outstanding),
        )
        .order_by()
    )
    base = reverse("reports:dashboard_referrals")
    query = filters.query()
    organisations = []
    for row in rows:
        organisations.append(
            TrackerRow(
                *row, list_url=f"{base}?{urlencode({**query, 'organisation': row[1]})}#waiting"
            )
        )
    organisations.sort(key=lambda r: (-r.outstanding, r.name))
    areas: dict[str, TrackerRow] = {}
    for row in organisations:
        areas[row.area_slug] = replace(
            _add(areas.get(row.area_slug), row, row.area_name, row.area_slug),
            list_url=f"{base}?{urlencode({**query, 'area': row.area_slug})}#waiting",
        )
    total = None
    for row in organisations:
        total = _add(total, row, "All organisations", "")
    empty = TrackerRow("All organisations", "", "", "", "", 0, 0, 0, None, None)
    return (
        organisations,
        sorted(areas.values(), key=lambda r: (-r.outstanding, r.name)),
        total or empty,
    )


def _add(into: TrackerRow | None, row: TrackerRow, name: str, slug: str) -> TrackerRow:
    if into is None:
        return TrackerRow(
            name,
            slug,
            row.area_name,
            row.area_slug,
            row.region,
            row.referrals,
            row.no_response,
            row.not_followed_up,
            row.waited_total,
            row.longest,
        )
    waited = [t for t in (into.waited_total, row.waited_total) if t is not None]
    longest = [t for t in (into.longest, row.longest) if t is not None]
    return TrackerRow(
        into.name,
        into.slug,
        into.area_name,
        into.area_slug,
        into.region,
        into.referrals + row.referrals,
        into.no_response + row.no_response,
        into.not_followed_up + row.not_followed_up,
        sum(waited, timedelta()) if waited else None,
        max(longest) if longest else None,
    )


def referrals_waiting(filters: Filters, *, organisation: str = "", area: str = "") -> QuerySet:
    """The referrals behind the tracker, longest wait first (for a paginated list)."""
    no_response, not_followed_up = _referral_conditions()
    queryset = referrals_scored(filters).filter(no_response | not_followed_up)
    if organisation:
        queryset = queryset.filter(case__organisation__slug=organisation)
    if area:
        queryset = queryset.filter(case__organisation__area__slug=area)
    return (
        queryset.annotate(waited=_waited())
        .select_related("case__organisation__area", "case__inspection")
        .order_by(F("waited").desc(nulls_last=True), "referral_date", "pk")
    )


def national_figures_csv_rows(national: National) -> list[list]:
    """The key questions nationally, as CSV rows (header first)."""
    rows: list[list] = [
        [
            "key question",
            "text",
            "yes",
            "applicable",
            "percent",
            "ci_low",
            "ci_high",
            "small_sample",
        ]
    ]
    for row in national.questions:
        rows.append([row.key_question.code, row.key_question.text, *figure_columns(row.figure)])
    return rows


def figure_columns(figure: Figure) -> list:
    """yes, applicable, percent, 95% low, 95% high, small sample."""
    low, high = figure.interval or ("", "")
    return [
        figure.yes,
        figure.applicable,
        "" if figure.percent is None else figure.percent,
        low,
        high,
        "yes" if figure.small_sample else "no",
    ]
