"""Dashboards for managers: the national view, one area or organisation over time, the cases
behind any cell, and the referral tracker. Read-only: every view answers GET (and HEAD) only.

Who sees what: managers and administrators see every dashboard across all inspections. The
national views (ratings, a key question across organisations, the referral tracker) compare
every organisation, so anyone else gets 403 there. An area or organisation view shows anyone
else only the inspections whose team they are on, without the national comparison (which is
built from other teams' cases), and is "not found" when they are on none. The cases behind a
cell follow the inspection's own access rule (inspection.access).

Every table downloads as CSV with ?format=csv&table=<name> (built in exports.py). The figures
come from the modules beside this one: national.py, area.py, cases.py and referrals.py, on
the aggregates of rollups.py; the filter form is in forms.py. What is left here is one thing,
the pages' request handling (filters, caching, paging, the choice between HTML and CSV), kept
together so that every dashboard answers a request the same way.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from inspection import permissions
from inspection.access import inspection_access
from inspection.converters import slug_from_query
from inspection.dates import govuk_month
from inspection.models import Area, Framework, Inspection, Organisation
from inspection.rating_rules import NOT_RATED, RATING_NAMES
from judgements.context_processors import scoring
from judgements.models import OrganisationRating
from judgements.tallies import figures_version_total, figures_versions
from reports import charts
from reports.dashboards.agreement import agreement_across, agreement_inspections
from reports.dashboards.area import AreaView, area_rows, chosen_framework
from reports.dashboards.area import area_dashboard as build_area_dashboard
from reports.dashboards.cache import cached, cached_page
from reports.dashboards.cases import cell_cases
from reports.dashboards.exports import (
    area_csv,
    cases_csv,
    national_csv,
    question_csv,
    referrals_csv,
    unknown_table,
)
from reports.dashboards.filters import Filters, framework_key
from reports.dashboards.forms import DashboardFilterForm
from reports.dashboards.national import national_dashboard, national_question
from reports.dashboards.referrals import (
    WaitingList,
    referral_tracker,
    referrals_waiting,
    why_listed,
)
from reports.dashboards.rollups import latest_pair_ids, latest_pair_versions
from reports.dashboards.structure import Structure, framework_structure, rate_standard
from reports.ratings.selectors import qa_agreed

READ_ONLY = ["GET", "HEAD"]
REFERRALS_PER_PAGE = 50
# The national grid shows this many organisations a page (the CSV has them all): 150
# organisations' rows were 665 KB of HTML, most of it never scrolled to.
GRID_PER_PAGE = 25


class CountedPaginator(Paginator):
    """A paginator told how many objects there are, rather than counting them again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def is_manager(user) -> bool:
    return permissions.may_see_dashboards(user)


def require_manager(user) -> None:
    if not permissions.may_see_dashboards(user):
        raise PermissionDenied("Only managers and administrators can see national dashboards.")


# --------------------------------------------------------------------------- filters


def _filter_form(request, *, all_frameworks: bool = False) -> DashboardFilterForm:
    data = request.GET.copy()
    for name in ("format", "table", "page", "organisation", "area"):
        data.pop(name, None)
    return DashboardFilterForm(data, all_frameworks=all_frameworks)


def _invalid(request, template: str, context: dict) -> HttpResponse:
    # 200, not 400: the page answered, and shows the error summary as any form page does.
    return render(request, template, {**context, "invalid": True})


# --------------------------------------------------------------------------- CSV


def _wants_csv(request) -> str | None:
    if request.GET.get("format") != "csv":
        return None
    return request.GET.get("table", "")


# --------------------------------------------------------------------------- grid cells

SMALL_SAMPLE_TAG = (
    ' <strong class="govuk-tag govuk-tag--yellow app-tag--small">Small sample</strong>'
)
NOT_RATED_CELL = (
    f'<td class="govuk-table__cell"><span class="app-not-rated">{NOT_RATED}</span></td>'
)


def rating_cells(cells, row_label: str) -> SafeString:
    """The cells of one grid row, each rating linking to the cases behind it.

    Built here rather than in the template on purpose: a national grid has thousands of cells,
    and the template engine takes longer over them than the database over the answers. Every
    piece of data is escaped (html.escape escapes quotes too, as Django's escape does).
    """
    label = html.escape(row_label)
    parts = []
    for cell in cells:
        if not cell.rating:
            parts.append(NOT_RATED_CELL)
            continue
        parts.append(
            f'<td class="govuk-table__cell"><a class="govuk-link app-rating-link" '
            f'href="{html.escape(cell.cases_url)}"><span class="app-rating app-rating--'
            f'{cell.css}">{html.escape(cell.rating)}</span><span class="govuk-visually-hidden">'
            f" for {html.escape(cell.standard.code)}, {label}</span></a>"
            f"{SMALL_SAMPLE_TAG if cell.small_sample else ''}</td>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece of data is escaped above


# --------------------------------------------------------------------------- national


@dataclass
class NationalPage:
    """What the national page shows, ready to send: the grid's rows already as HTML, the
    charts already drawn. Built from the national view once per generation of the tallies
    (and per filters) and cached, so a repeated view renders a few strings into the page
    rather than rating, drawing and pickling thousands of objects again."""

    filters: Filters
    structure: Structure
    rows: GridRows  # one <tr> per organisation, by name
    inspections: int
    cases_counted: int
    distribution: list
    questions: list
    weakest: list
    distribution_chart: SafeString
    weakest_chart: SafeString
    distribution_rows: SafeString  # the table's rows as HTML
    weakest_rows: SafeString
    inspection_ids: tuple[int, ...] = ()  # the latest inspections the rows are read from

    @property
    def standards(self):
        return self.structure.standards

    @property
    def rating_names(self) -> tuple[str, ...]:
        return (*RATING_NAMES, NOT_RATED)


def grid_row(row) -> SafeString:
    """One organisation's row of the national grid (escaped as rating_cells is)."""
    name = html.escape(row.organisation.name)
    organisation = row.organisation
    cases = row.cases_counted
    overall = (
        f'<span class="app-rating app-rating--{row.overall_css}">{html.escape(row.overall)}</span>'
        if row.overall
        else '<span class="app-not-rated">Not rated</span>'
    )
    return mark_safe(  # noqa: S308 - every piece of data is escaped
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        f'<a class="govuk-link" href="{html.escape(row.organisation_url)}">{name}</a>'
        f'<span class="app-grid-title">{html.escape(organisation.area_name)}, '
        f"{html.escape(organisation.region)}<br>"
        f'<a class="govuk-link" href="{html.escape(row.inspection_url)}">'
        f"{govuk_month(row.inspection.fieldwork_start)} inspection"
        f'<span class="govuk-visually-hidden"> of {name}</span></a> · {cases} '
        f"case{'' if cases == 1 else 's'}</span></th>"
        f"{rating_cells(row.cells, row.organisation.name)}"
        f'<td class="govuk-table__cell">{overall}</td></tr>'
    )


class GridRows(Sequence):
    """The grid's rows as HTML, each drawn when first asked for: a page shows 25 of them.
    Pickled (into the cache) with every row drawn, and without the ratings behind them."""

    def __init__(self, rows):
        self._rows = rows
        self._html: list[SafeString | None] = [None] * len(rows)

    def __len__(self) -> int:
        return len(self._html)

    def _drawn(self, index: int) -> SafeString:
        if self._html[index] is None:
            self._html[index] = grid_row(self._rows[index])
        return self._html[index]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._drawn(i) for i in range(*index.indices(len(self)))]
        return self._drawn(range(len(self))[index])

    def __reduce__(self):
        return (_drawn_rows, ([self._drawn(i) for i in range(len(self))],))


def _drawn_rows(html: list[SafeString]) -> GridRows:
    rows = GridRows(html)
    rows._html = list(html)
    return rows


def national_page(view) -> NationalPage:
    """The national page's rows and charts from the national view."""
    standards = view.standards
    return NationalPage(
        filters=view.filters,
        structure=view.structure,
        rows=GridRows(view.rows),
        inspections=view.inspections,
        cases_counted=view.cases_counted,
        distribution=view.distribution,
        questions=view.questions,
        weakest=view.weakest,
        inspection_ids=tuple(sorted({row.inspection.id for row in view.rows})),
        distribution_rows=render_to_string(
            "reports/dashboard_distribution_rows.html", {"distribution": view.distribution}
        ),
        weakest_rows=render_to_string(
            "reports/dashboard_weakest_rows.html", {"weakest": view.weakest}
        ),
        distribution_chart=charts.stacked_bar_chart(
            [
                charts.StackedRow(
                    row.standard.code,
                    [
                        charts.Segment(name, count)
                        for name, count in zip(view.rating_names, row.counts, strict=True)
                    ],
                )
                for row in view.distribution
            ],
            series=view.rating_names,
            title=f"Ratings by standard, {view.structure.framework}",
            description=(
                f"For each of {len(standards)} standards, how many of {len(view.rows)} "
                "organisations have each rating at their latest inspection. The table "
                "after the chart gives the same counts."
            ),
            chart_id="distribution-chart",
        ),
        weakest_chart=_questions_chart(
            [(row.key_question.code, row.figure, None) for row in view.weakest],
            chart_id="weakest-chart",
            title="Weakest key questions nationally",
            description=(
                "Share of applicable cases answered Yes for the key questions with the lowest "
                "share, with 95% confidence intervals. The table after the chart gives each "
                "figure as n of N."
            ),
        ),
    )


@require_http_methods(READ_ONLY)
def national(request):
    require_manager(request.user)
    if _wants_csv(request) is not None:
        return _national(request, {})
    return cached_page(
        request,
        "national",
        lambda extra: _national(request, extra),
        # Whether the person has cases of their own (the navigation): in their session.
        live=scoring(request).get("nav_has_cases"),
    )


def _national(request, extra: dict) -> HttpResponse:
    """The national page (or its CSV) drawn, its figures from the cache while the versions
    of the inspections they come from are unchanged."""
    form = _filter_form(request)
    context = {"form": form, "active_tab": "national", **extra}
    if not form.is_valid():
        return _invalid(request, "reports/dashboard_national.html", context)
    filters = form.filters()
    if filters.framework is None:
        return render(request, "reports/dashboard_national.html", {**context, "empty": True})

    table = _wants_csv(request)
    if table is not None:
        return national_csv(_national_view(filters), table)

    parts = _national_parts(filters)
    versions = _national_versions(filters)
    view = cached(
        "national-page",
        parts,
        lambda: national_page(national_dashboard(filters)),
        versions=versions,
    )
    # Reconciling a double reading changes the tallies, and so the versions.
    agreement = cached(
        "agreement",
        parts,
        lambda: agreement_across(filters),
        versions=lambda: figures_version_total(agreement_inspections(filters)),
    )
    grid_page = Paginator(view.rows, GRID_PER_PAGE).get_page(request.GET.get("page"))
    page_query = request.GET.copy()
    page_query.pop("page", None)
    return render(
        request,
        "reports/dashboard_national.html",
        {
            **context,
            "qa_agreed": _qa_agreed(view.inspection_ids, versions),
            "view": view,
            "grid": grid_page.object_list,
            "grid_page": grid_page,
            "page_query": page_query.urlencode(),
            "query": request.GET.urlencode(),
            "csv_query": _csv_query(request),
            "distribution_chart": view.distribution_chart,
            "weakest_chart": view.weakest_chart,
            "agreement": agreement,
        },
    )


def _national_parts(filters):
    return (filters.framework.pk, sorted(filters.query().items()))


def _national_versions(filters):
    """Which inspection is each organisation's latest, and the versions of their figures:
    what a national page was built from (1 query, read once and only if asked for)."""
    return _once(lambda: latest_pair_versions(filters))


def _national_view(filters):
    """The national view for these filters, from the cache while the figures of the latest
    inspections are unchanged (1 query then)."""
    return cached(
        "national",
        _national_parts(filters),
        lambda: national_dashboard(filters),
        versions=_national_versions(filters),
    )


def _once(read):
    """``read``, called the first time it is asked for, its answer kept for the next."""
    answers = []

    def answer():
        if not answers:
            answers.append(read())
        return answers[0]

    return answer


def _versions_of(inspection_ids):
    """The figures' versions of these inspections, read once and only if asked for."""
    ids = list(inspection_ids)
    return _once(lambda: figures_versions(ids))


def _qa_agreed(inspection_ids, versions):
    """How many of the counted judgements of these inspections are in cases agreed in QA (one
    query, cached as the figures are: a case agreed shows within the cache's lifetime, since
    agreeing changes no tally)."""
    ids = sorted(set(inspection_ids))
    return cached("qa-agreed", ids, lambda: qa_agreed(ids), versions=versions)


def _csv_query(request) -> str:
    query = request.GET.copy()
    for name in ("format", "table", "page"):
        query.pop(name, None)
    query["format"] = "csv"
    return query.urlencode()


def _questions_chart(items, *, chart_id: str, title: str, description: str, marker_label=""):
    """A bar per key question: % yes with its 95% interval, and the national mark if given."""
    bars = []
    for code, figure, national_figure in items:
        interval = figure.exact_interval
        bars.append(
            charts.Bar(
                label=code,
                value=figure.exact_percent,
                low=interval[0] if interval else None,
                high=interval[1] if interval else None,
                marker=national_figure.exact_percent if national_figure else None,
                text=(
                    f"{figure.percent}% ({figure.yes} of {figure.applicable})"
                    + (" small sample" if figure.small_sample else "")
                    if figure.has_cases
                    else "no applicable cases"
                ),
            )
        )
    return charts.bar_chart(
        bars, title=title, description=description, chart_id=chart_id, marker_label=marker_label
    )


@require_http_methods(READ_ONLY)
def question(request, code):
    """One key question across every organisation of the national view, weakest first."""
    require_manager(request.user)
    form = _filter_form(request)
    context = {"form": form, "active_tab": "national", "code": code}
    if not form.is_valid():
        return _invalid(request, "reports/dashboard_question.html", context)
    filters = form.filters()
    if filters.framework is None:
        raise Http404("No inspections yet.")
    table = _wants_csv(request)
    if table is not None:
        key_question, _figure, rows = national_question(_national_view(filters), code)
        if key_question is None:
            raise _no_such_question(filters, code)
        if table != "organisations":
            unknown_table(table)
        return question_csv(code, filters.framework, rows)
    drawn = cached(
        "question-page",
        (_national_parts(filters), code),
        lambda: _question_page(national_dashboard(filters), code),
        versions=_national_versions(filters),
    )
    if drawn.key_question is None:
        raise _no_such_question(filters, code)
    context.update(
        framework=drawn.framework,
        key_question=drawn.key_question,
        figure=drawn.figure,
        organisations=drawn.organisations,
        rows_html=drawn.rows_html,
        back_query=request.GET.urlencode(),
        csv_query=_csv_query(request),
    )
    return render(request, "reports/dashboard_question.html", context)


def _no_such_question(filters, code) -> Http404:
    return Http404(f"{filters.framework} has no key question {code} answered from cases.")


@dataclass
class QuestionPage:
    """A key question across the organisations, ready to send: its table's rows drawn once
    per version of the figures (and cached, as the national page is)."""

    framework: str
    key_question: object
    figure: object
    organisations: int
    rows_html: SafeString


def _question_page(view, code) -> QuestionPage:
    key_question, figure, rows = national_question(view, code)
    return QuestionPage(
        framework=str(view.structure.framework),
        key_question=key_question,
        figure=figure,
        organisations=len(rows),
        rows_html=render_to_string("reports/dashboard_question_rows.html", {"rows": rows}),
    )


# --------------------------------------------------------------------------- area


@require_http_methods(READ_ONLY)
def organisation(request, slug):
    organisation = get_object_or_404(Organisation.objects.select_related("area"), slug=slug)
    return _area_page(
        request,
        organisation_ids=[organisation.pk],
        heading=organisation.name,
        caption=f"{organisation.get_kind_display()} · {organisation.area.name}",
        area=organisation.area,
        filename=organisation.slug,
    )


@require_http_methods(READ_ONLY)
def area(request, slug):
    area = get_object_or_404(Area, slug=slug)
    organisations = list(area.organisations.order_by("name"))
    return _area_page(
        request,
        organisation_ids=[o.pk for o in organisations],
        heading=area.name,
        caption=f"Area · {area.region}",
        area=area,
        filename=area.slug,
        organisations=organisations,
    )


@dataclass
class AreaPage:
    """What an area or organisation page shows, ready to send: the view, the trend's rating
    cells as HTML and the charts drawn. A manager's page is every manager's, so it is built
    once per version of the figures it shows and cached, as the national page is."""

    view: AreaView
    trend: list = field(default_factory=list)  # (row, its rating cells as HTML), oldest first
    trend_chart: SafeString = SafeString("")
    # Each inspection's key questions (chart and table) as HTML, newest first.
    sections: list = field(default_factory=list)


def _area_page(request, *, organisation_ids, heading, caption, area, filename, organisations=()):
    manager = is_manager(request.user)
    wanted = request.GET.get("framework", "")
    rows = area_rows(
        organisation_ids, None if manager else Inspection.objects.visible_to(request.user)
    )

    def build():
        view = build_area_dashboard(
            organisation_ids=organisation_ids,
            framework_key_wanted=wanted,
            with_national=manager,
            rows=rows,
        )
        return _drawn_area_page(view, heading)

    chosen = chosen_framework(rows, wanted)
    versions = None
    if manager and chosen is not None:
        # A manager's page is every manager's: cached, keyed by the figures of the
        # inspections it shows, the national figure's among them.
        national_pairs = latest_pair_ids(Filters(framework=Framework(pk=chosen)))
        shown = {row[7] for row in rows if row[11] == chosen}
        versions = _versions_of(shown | {inspection_id for _o, inspection_id in national_pairs})
        drawn = cached(
            "area-page",
            (sorted(organisation_ids), wanted, heading, rows, national_pairs),
            build,
            versions=versions,
        )
    else:
        # Anyone else's page depends on their teams, and has no national figure.
        drawn = build()
    view = drawn.view
    if not view.rows and not manager:
        raise Http404("No inspection you can see.")
    context = {
        "view": view,
        "heading": heading,
        "caption": caption,
        "area": area,
        "organisations": organisations,
        "is_manager": manager,
        "csv_query": _csv_query(request),
        "active_tab": "national",
    }
    if view.structure is not None:
        chosen_key = framework_key(view.structure.framework)
        context["framework_key"] = chosen_key
        context["framework_choices"] = [
            (key, name, key == chosen_key) for key, name in view.frameworks
        ]
        if wanted and wanted != chosen_key:
            context["framework_error"] = (
                "Framework: select one of the frameworks listed; "
                f"{heading} has no inspections on “{wanted}”"
            )
            return render(request, "reports/dashboard_area.html", context)
    if view.structure is not None:
        ids = [row.inspection.id for row in view.rows]
        context["qa_agreed"] = _qa_agreed(ids, versions or _versions_of(ids))
    table = _wants_csv(request)
    if table is not None and view.structure is not None:
        return area_csv(view, table, f"{filename}-{framework_key(view.structure.framework)}")
    if view.structure is not None:
        context["trend"] = drawn.trend
        context["trend_chart"] = drawn.trend_chart
        context["sections"] = drawn.sections
    return render(request, "reports/dashboard_area.html", context)


def _drawn_area_page(view: AreaView, heading: str) -> AreaPage:
    """The area page's rating cells and charts, drawn from its view."""
    if view.structure is None:
        return AreaPage(view)
    return AreaPage(
        view,
        trend=[(row, rating_cells(row.cells, row.label)) for row in view.rows],
        trend_chart=charts.stacked_bar_chart(
            [
                charts.StackedRow(
                    _row_label(row, view),
                    [
                        charts.Segment(name, sum(1 for c in row.cells if c.label == name))
                        for name in (*RATING_NAMES, NOT_RATED)
                    ],
                )
                for row in view.rows
            ],
            series=(*RATING_NAMES, NOT_RATED),
            title=f"Ratings over time, {heading}",
            description=(
                "For each inspection, oldest first, how many standards had each rating. "
                "The ratings trend table gives each standard's rating."
            ),
            chart_id="trend-chart",
            label_width=200 if view.several_organisations else 90,
        ),
        sections=[
            render_to_string(
                "reports/dashboard_area_questions.html",
                {
                    "row": row,
                    "view": view,
                    "first": index == 0,
                    "chart": _questions_chart(
                        [(q.key_question.code, q.figure, q.national) for q in row.questions],
                        chart_id=(
                            f"questions-chart-{row.inspection.reference}-{row.organisation.slug}"
                        ),
                        title=f"Key questions, {row.organisation.name}, {row.label}",
                        description=(
                            "Share of applicable cases answered Yes for each key question, with "
                            "95% confidence intervals"
                            + (
                                "; the black mark is the national figure."
                                if view.with_national
                                else "."
                            )
                            + " The table after the chart gives each figure as n of N."
                        ),
                        marker_label="national figure" if view.with_national else "",
                    ),
                },
            )
            for index, row in enumerate(view.newest_first)
        ],
    )


def _row_label(row, view) -> str:
    if view.several_organisations:
        return f"{row.organisation.name[:18]}, {row.label}"
    return row.label


# --------------------------------------------------------------------------- drill-down


@require_http_methods(READ_ONLY)
def cases(request, reference, organisation):
    """The scored cases behind one cell: a standard's rating or a key question's result."""
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    organisation = get_object_or_404(
        inspection.organisations.select_related("area"), slug=organisation
    )
    structure = framework_structure(inspection.framework)
    standard_code = request.GET.get("standard", "").strip()
    question_code = request.GET.get("question", "").strip()
    standard = key_question = None
    if standard_code:
        standard = structure.standard(standard_code)
        if standard is None:
            raise Http404(f"{inspection.framework} has no standard {standard_code}.")
        key_questions = standard.key_questions
    elif question_code:
        key_question = structure.key_question(question_code)
        if key_question is None:
            raise Http404(f"{inspection.framework} has no key question {question_code}.")
        key_questions = (key_question,)
        standard = structure.standard(key_question.standard_code)
    else:
        raise Http404("Say which standard or key question: ?standard= or ?question=.")

    judged_by_cases = standard.is_case_judged
    behind = cell_cases(
        inspection=inspection,
        organisation=organisation,
        key_questions=key_questions if judged_by_cases else (),
    )
    cell = None
    if standard_code:
        lead = dict(
            OrganisationRating.objects.filter(
                inspection=inspection, organisation=organisation, standard_id=standard.id
            ).values_list("standard_id", "rating")
        )
        cell = rate_standard(
            standard,
            {kq.id: f.tally for kq, f in zip(behind.key_questions, behind.figures, strict=True)},
            lead,
            structure.rules,
        )
    table = _wants_csv(request)
    if table is not None:
        return cases_csv(
            table,
            f"{inspection.reference}-{organisation.slug}-{standard_code or question_code}",
            behind,
        )
    try:
        standard_url = reverse("reports:ratings_standard", args=[reference, standard.code])
        standard_url += f"?organisation={organisation.slug}"
    except NoReverseMatch:
        standard_url = ""
    return render(
        request,
        "reports/dashboard_cases.html",
        {
            "inspection": inspection,
            "organisation": organisation,
            "standard": standard,
            "key_question": key_question,
            "cell": cell,
            "behind": behind,
            "figures": list(zip(behind.key_questions, behind.figures, strict=True)),
            "standard_url": standard_url,
            "is_manager": is_manager(request.user),
            "csv_query": _csv_query(request),
            "active_tab": "national",
        },
    )


# --------------------------------------------------------------------------- referrals


@require_http_methods(READ_ONLY)
def referrals(request):
    require_manager(request.user)
    form = _filter_form(request, all_frameworks=True)
    context = {"form": form, "active_tab": "referrals"}
    if not form.is_valid():
        return _invalid(request, "reports/dashboard_referrals.html", context)
    filters = form.filters()
    organisation_slug = slug_from_query(request, "organisation")
    area_slug = slug_from_query(request, "area")
    pairs: list = []
    by_organisation, by_area, total = referral_tracker(filters, pairs)

    table = _wants_csv(request)
    if table is not None:
        waiting = referrals_waiting(filters, organisation=organisation_slug, area=area_slug)
        return referrals_csv(table, by_organisation, by_area, waiting)

    # The tracker's own counts already say how many are waiting: no second count of them.
    if organisation_slug:
        listed = next((r.outstanding for r in by_organisation if r.slug == organisation_slug), 0)
    elif area_slug:
        listed = next((r.outstanding for r in by_area if r.area_slug == area_slug), 0)
    else:
        listed = total.outstanding
    # The list reads only the organisations and inspections that can hold its page.
    if organisation_slug:
        pairs = [p for p in pairs if p.organisation_slug == organisation_slug]
    elif area_slug:
        pairs = [p for p in pairs if p.area_slug == area_slug]
    page = CountedPaginator(WaitingList(pairs), REFERRALS_PER_PAGE, count=listed).get_page(
        request.GET.get("page")
    )
    for referral in page.object_list:
        referral.why_listed = why_listed(referral)
    query = request.GET.copy()
    query.pop("page", None)
    narrowed_to = ""
    if organisation_slug:
        narrowed_to = next((r.name for r in by_organisation if r.slug == organisation_slug), "")
    elif area_slug:
        narrowed_to = next((r.name for r in by_area if r.area_slug == area_slug), "")
    context.update(
        by_organisation=by_organisation,
        by_area=by_area,
        total=total,
        page=page,
        query=query.urlencode(),
        csv_query=_csv_query(request),
        narrowed_to=narrowed_to,
        narrowed=bool(organisation_slug or area_slug),
        clear_query=_without(request, "organisation", "area", "page"),
        today=date.today(),  # noqa: DTZ011 - a date, shown only
    )
    return render(request, "reports/dashboard_referrals.html", context)


def _without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
